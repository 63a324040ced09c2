"""The date-time picker in Chromium (issue #17 item 5), on the appointment form (Flask-Admin) and the inbox's
reschedule form (hand-written): a value typed key by key and one pasted stay as written when the field is left,
the calendar is Vietnamese with Monday first, one click on "Lưu" with the calendar open saves the right local
time (read back from the database), and an impossible date is a field error that keeps the text and writes nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models import Appointment
from services.datetimes import parse_local_date, parse_local_datetime
from services.errors import ValidationError
from services.formatting import local_tz
from tests.browser.test_browser_flow import _shot
from tests.factories import make_customer, make_team, make_user

YEAR = datetime.now(UTC).year + 1  # a December to come: 09:00–17:00 keep the quiet-hours rule


def _local(day: int, hour: int, minute: int) -> datetime:
    return datetime(YEAR, 12, day, hour, minute, tzinfo=local_tz()).astimezone(UTC)


def _leave(page, field) -> None:
    """Leave the field the way a person does: Tab to the next one."""
    field.press("Tab")
    page.wait_for_timeout(150)


def _paste(page, field, text: str) -> None:
    """A real paste: the text on the clipboard, then Ctrl+V in the emptied field."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    field.click()
    field.press("Control+A")
    field.press("Delete")
    field.press("Control+V")


def _calendar_is_vietnamese_monday_first(page, field_name: str, month: str, day: str) -> None:
    page.click(f"[data-picker-open={field_name}]")
    calendar = page.locator(f".flatpickr-calendar.open[data-picker-for={field_name}]")
    calendar.wait_for(state="visible")
    weekdays = [w.strip() for w in calendar.locator(".flatpickr-weekday").all_inner_texts()]
    assert weekdays[:2] == ["T2", "T3"] and weekdays[-1] == "CN", weekdays
    shown = calendar.locator(".flatpickr-monthDropdown-months option:checked").inner_text()
    assert shown == month, shown
    assert calendar.locator(".flatpickr-day.selected").inner_text() == day  # the typed day, not today


def _appointments(db) -> list[tuple[str, datetime]]:
    db.session.expire_all()
    return [(a.purpose, a.starts_at) for a in db.session.scalars(select(Appointment).order_by(Appointment.id))]


@pytest.mark.browser
@pytest.mark.backends("sqlite")
def test_typed_and_pasted_times_are_kept_and_saved_with_one_click(app, db, live_server, browser_page, log_in):
    page = browser_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    team = make_team("Nhóm Đà Nẵng")
    agent = make_user("agent", team=team, name="Đỗ Minh Khoa", email="khoa@cskh.vn")
    customer = make_customer("Ngô Thị Lan", owner=agent, phone="0912000444")
    due = Appointment(customer_id=customer.id, agent_id=agent.id, kind="call_back", purpose="Gọi lại báo giá",
                      starts_at=datetime.now(UTC) - timedelta(minutes=20))  # fmt: skip
    db.session.add(due)
    db.session.commit()
    due_id, customer_id = due.id, customer.id
    log_in(page, agent)

    # 1. The appointment form (Flask-Admin): typed key by key, then pasted; leaving the field keeps each.
    page.goto(f"{live_server}/admin/appointments/new/?customer_id={customer_id}")
    page.fill("#purpose", "Hẹn gọi tư vấn gói bảo hành")
    field = page.locator("input[name=starts_at]")
    typed = f"02/12/{YEAR} 09:00"
    field.click()
    field.press_sequentially(typed, delay=30)
    assert field.input_value() == typed
    _leave(page, field)
    assert field.input_value() == typed
    pasted = f"03/12/{YEAR} 10:30"
    _paste(page, field, pasted)
    assert field.input_value() == pasted
    _leave(page, field)
    assert field.input_value() == pasted
    assert page.locator(".picker-error.d-block").count() == 0

    # 2. The calendar: Vietnamese, Monday first, on the pasted day. It stays open while "Lưu" is clicked once.
    _calendar_is_vietnamese_monday_first(page, "starts_at", "Tháng mười hai", "3")
    _shot(page, "date-picker")
    assert field.input_value() == pasted
    before = _appointments(db)
    page.locator("form.admin-form input[type=submit]").first.click()
    page.wait_for_url(lambda url: f"/admin/customers/details/?id={customer_id}" in url)
    saved = _appointments(db)
    assert saved[:-1] == before and len(saved) == len(before) + 1
    assert saved[-1] == ("Hẹn gọi tư vấn gói bảo hành", _local(3, 10, 30))

    # The list's time filter takes the same typed form, with the same calendar, and keeps the text.
    page.goto(f"{live_server}/admin/appointments/")
    arg = page.evaluate(
        """() => Object.values(JSON.parse(document.getElementById('filter-groups-data').textContent))
              .map(group => group.filter(f => f.type === 'typed-datetime')).find(group => group.length)[1].arg"""
    )
    page.goto(f"{live_server}/admin/appointments/?flt0_{arg}=03/12/{YEAR} 00:00")
    flt = page.locator(f"input.filter-val[name=flt0_{arg}]")
    assert flt.get_attribute("data-picker") == "datetime" and flt.input_value() == f"03/12/{YEAR} 00:00"
    assert page.locator(f"[data-picker-open=flt0_{arg}]").count() == 1
    rows = page.locator("table.model-list tbody tr")
    assert rows.count() == 1 and "Hẹn gọi tư vấn gói bảo hành" in rows.first.inner_text()

    # 3. An impossible day: marked when the field is left, refused on "Lưu" with the text kept, nothing written.
    page.goto(f"{live_server}/admin/appointments/new/?customer_id={customer_id}")
    page.fill("#purpose", "Ngày không có thật")
    field = page.locator("input[name=starts_at]")
    wrong = f"31/02/{YEAR} 09:00"
    field.click()
    field.press_sequentially(wrong, delay=20)
    _leave(page, field)
    assert page.locator(".picker-error.d-block").count() == 1
    assert field.input_value() == wrong
    page.locator("form.admin-form input[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert "/admin/appointments/new/" in page.url
    field = page.locator("input[name=starts_at]")
    assert field.input_value() == wrong
    error = page.locator(".invalid-feedback").filter(has_text=f"31/02/{YEAR}")
    assert error.is_visible(), page.locator(".invalid-feedback").all_inner_texts()
    assert _appointments(db) == saved

    # 4. The inbox's reschedule form (hand-written): an impossible day is a field error and moves nothing.
    page.goto(f"{live_server}/admin/inbox/item/call/{due_id}/")
    field = page.locator("#starts_at")
    field.click()
    field.press_sequentially(f"32/12/{YEAR} 14:00", delay=20)
    _leave(page, field)
    assert field.input_value() == f"32/12/{YEAR} 14:00"
    page.click("#reschedule")
    page.wait_for_load_state("load")
    assert page.locator("#starts_at-error").is_visible()
    assert not page.locator(".picker-error").is_visible()  # only the server's message, no empty bubble
    assert page.locator("#starts_at").input_value() == f"32/12/{YEAR} 14:00"
    assert _appointments(db) == saved

    # 5. Typed key by key and then pasted over, the calendar open, one click on "Dời lịch": moved to that time.
    field = page.locator("#starts_at")
    field.click()
    field.press("Control+A")
    field.press_sequentially(f"4/12/{YEAR} 9:15", delay=30)
    _leave(page, field)
    assert field.input_value() == f"4/12/{YEAR} 9:15"
    _paste(page, field, f"04/12/{YEAR} 14:00")
    _leave(page, field)
    assert field.input_value() == f"04/12/{YEAR} 14:00"
    _calendar_is_vietnamese_monday_first(page, "starts_at", "Tháng mười hai", "4")
    page.click("#reschedule")
    page.wait_for_url(f"{live_server}/admin/inbox/")
    db.session.expire_all()
    assert db.session.get(Appointment, due_id).starts_at == _local(4, 14, 0)
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == len(saved)

    # 6. The browser's check on leaving a field and the server's parser accept the same texts.
    for text in SAMPLES:
        in_browser = page.evaluate("t => window.cskhDatePicker.parse(t, 'datetime') !== null", text)
        assert in_browser == _server_accepts(parse_local_datetime, text), text
        in_browser = page.evaluate("t => window.cskhDatePicker.parse(t, 'date') !== null", text)
        assert in_browser == _server_accepts(parse_local_date, text), text


SAMPLES = [
    "02/12/2026 09:00", "2/12/2026 9:00", "02-12-2026 09h00", "02.12.2026 09:00:00", "2026-12-02T09:00",
    "2026-12-02 09:00:00", " 02/12/2026 09:00 ", "31/02/2026 09:00", "02/13/2026 09:00", "02/12/2026 24:00",
    "02/12/2026 09:60", "02/11/2026 00:00/12/2026 09:00", "hôm nay", "02/12/2026", "2/12/2026", "2026-12-02",
    "29/02/2028", "29/02/2027", "2/12/26", "",
]  # fmt: skip


def _server_accepts(parse, text: str) -> bool:
    try:
        parse(text, "x", required=False)
    except ValidationError:
        return False
    return True
