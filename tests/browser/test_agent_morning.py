"""An agent's morning in Chromium: the inbox → "Done, call next" on the first follow-up with CSAT → the next
call opens → the navbar search "DH-…" opens the order → a partial refund with reason and amount; and a
lead's bulk reassign with the accent-free staff picker. Screenshots of the inbox (desktop and a 390 px
phone) land in docs/screenshots/."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import Appointment, Interaction, Order, SurveyAnswer
from tests.browser.test_browser_flow import _shot
from tests.factories import make_complaint, make_customer, make_order, make_team, make_user


def _morning(db):
    team = make_team("Nhóm Sài Gòn")
    lead = make_user("lead", team=team, name="Võ Minh Tâm", email="tam@cskh.vn")
    agent = make_user("agent", team=team, name="Phạm Thu Trang", email="trang@cskh.vn")
    colleague = make_user("agent", team=team, name="Trần Văn Bảo", email="bao@cskh.vn")
    an = make_customer("Nguyễn Văn An", owner=agent, phone="0912345678")
    hoa = make_customer("Lê Thị Hoa", owner=agent, phone="0912000222")
    resolved = make_complaint(an, assignee=agent, status="resolved", subject="Máy lọc nước rò rỉ",
                              resolved_at=datetime.now(UTC) - timedelta(days=3))  # fmt: skip
    order = make_order(an, invoice_number="HD00001234", status="delivered", expected_delivery=datetime.now(UTC).date())
    order.total = 1_250_000
    now = datetime.now(UTC)
    purpose = f"Gọi lại sau {resolved.code}: khách đã hài lòng chưa?"
    first = Appointment(customer_id=an.id, agent_id=agent.id, kind="follow_up", complaint_id=resolved.id,
                        purpose=purpose, starts_at=now - timedelta(hours=1))  # fmt: skip
    second = Appointment(customer_id=hoa.id, agent_id=agent.id, kind="check_in", purpose="Hỏi thăm định kỳ",
                         starts_at=now - timedelta(minutes=30))  # fmt: skip
    db.session.add_all([first, second])
    db.session.commit()
    return lead, agent, colleague, an, order, first, second


@pytest.mark.browser
@pytest.mark.backends("sqlite")
def test_an_agents_morning_and_a_leads_reassign(app, db, live_server, browser_page, log_in):
    page = browser_page
    lead, agent, colleague, an, order, first, second = _morning(db)
    first_id, second_id, order_id, order_code = first.id, second.id, order.id, order.code

    # 1. the agent logs in and lands on the inbox, the follow-up first
    log_in(page, agent)
    page.wait_for_url(f"{live_server}/admin/inbox/")
    rows = page.locator("#inbox .inbox-row")
    assert rows.count() == 2
    assert rows.first.get_attribute("data-item") == f"call-{first_id}"
    assert rows.first.locator("a[href='tel:0912345678']").count() == 1
    _shot(page, "inbox")

    # 2. open it, record the outcome with CSAT 5, "Xong, gọi tiếp" opens the next call
    rows.first.locator("a.inbox-open").click()
    page.wait_for_selector("#done-form")
    page.fill("#outcome", "Khách hài lòng, máy đã hết rò rỉ")
    page.check("#csat-5")
    page.click("#done-next")
    page.wait_for_url(f"**/admin/inbox/item/call/{second_id}/")
    assert "Lê Thị Hoa" in page.locator("#item-customer").inner_text()
    db.session.expire_all()
    done = db.session.get(Appointment, first_id)
    assert (done.status, done.satisfaction) == ("done", 5)
    assert db.session.scalars(select(SurveyAnswer.csat).where(SurveyAnswer.customer_id == an.id)).one() == 5
    timeline = db.session.scalars(select(Interaction.summary).where(Interaction.customer_id == an.id)).one()
    assert "hết rò rỉ" in timeline

    # 3. the navbar search with the order's code opens the order
    page.fill("#navbar-search input[name=q]", order_code)
    page.press("#navbar-search input[name=q]", "Enter")
    page.wait_for_url(f"**/admin/orders/details/?id={order_id}*")
    assert order_code in page.content()

    # 3b. a partial refund from the order's page: reason, amount, confirmation; too much is refused first
    page.click("a[data-status=refunded]")
    page.wait_for_selector("#return-form")
    page.fill("#reason", "Máy giao thiếu bộ lõi lọc")
    page.fill("#amount", "2.000.000")
    page.check("#confirm")
    page.click("#return-submit")
    page.wait_for_selector("#return-form .invalid-feedback")
    db.session.expire_all()
    assert (db.session.get(Order, order_id).status, db.session.get(Order, order_id).refunded_amount or 0) == (
        "delivered",
        0,
    )
    page.fill("#amount", "350.000")
    page.check("#confirm")
    page.click("#return-submit")
    page.wait_for_url(f"**/admin/orders/details/?id={order_id}*")
    db.session.expire_all()
    refunded = db.session.get(Order, order_id)
    assert (refunded.status, refunded.refunded_amount, refunded.return_reason) == (
        "refunded",
        350_000,
        "Máy giao thiếu bộ lõi lọc",
    )

    # 4. the inbox and the 360 page on a 390 px phone: cards, no sideways scrolling
    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    mobile = phone.new_page()
    log_in(mobile, agent)
    mobile.wait_for_url(f"{live_server}/admin/inbox/")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    _shot(mobile, "inbox-phone")
    mobile.goto(f"{live_server}/admin/customers/details/?id={an.id}")
    mobile.wait_for_selector("#customer-360")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    _shot(mobile, "customer-phone")
    phone.close()

    # 5. the lead: the team queue with assignees, bulk reassign through the accent-free staff picker
    page.click("#logout")
    log_in(page, lead)
    page.wait_for_url(f"{live_server}/admin/inbox/")
    assert "Phạm Thu Trang" in page.locator("#inbox").inner_text()
    page.check(f"input[name=item][value='call-{second_id}']")
    page.fill("#agent-filter", "tran van")
    assert page.locator("#agent").input_value() == str(colleague.id)
    page.click("#reassign")
    page.wait_for_url(f"{live_server}/admin/inbox/")
    db.session.expire_all()
    assert db.session.get(Appointment, second_id).agent_id == colleague.id
