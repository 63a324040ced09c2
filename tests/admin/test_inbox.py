"""The inbox: one queue by due time, "Done, call next" with outcome and CSAT, reschedule, the lead's
reassign, paging, and scope (an agent cannot act on a colleague's item; refusals change nothing)."""

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from models import Appointment, Complaint, Interaction, SurveyAnswer
from tests.factories import make_complaint, make_customer, make_team, make_user


def _world(db):
    team = make_team()
    lead = make_user("lead", team=team, name="Trưởng Nhóm")
    agent = make_user("agent", team=team, name="Trần Thị Bình")
    colleague = make_user("agent", team=team, name="Lê Văn Cường")
    an = make_customer("Nguyễn Văn An", owner=agent, phone="0912000001")
    binh = make_customer("Phạm Thu Hà", owner=agent, phone="0912000002")
    other = make_customer("Khách Của Cường", owner=colleague, phone="0912000003")
    now = datetime.now(UTC)
    first = Appointment(
        customer_id=an.id, agent_id=agent.id, purpose="Gọi lại hỏi thăm", starts_at=now - timedelta(hours=2)
    )
    second = Appointment(
        customer_id=binh.id, agent_id=agent.id, purpose="Gọi xác nhận", starts_at=now - timedelta(hours=1)
    )
    theirs = Appointment(
        customer_id=other.id, agent_id=colleague.id, purpose="Của Cường", starts_at=now - timedelta(hours=3)
    )
    later = Appointment(customer_id=an.id, agent_id=agent.id, purpose="Tuần sau", starts_at=now + timedelta(days=7))
    db.session.add_all([first, second, theirs, later])
    late = make_complaint(binh, assignee=agent, status="in_progress", due_at=now - timedelta(minutes=30))
    make_complaint(binh, assignee=agent, status="in_progress", due_at=now + timedelta(days=3))  # not near its SLA
    db.session.commit()
    return dict(team=team, lead=lead, agent=agent, colleague=colleague, an=an, first=first, second=second,
                theirs=theirs, later=later, late=late)  # fmt: skip


def _snapshot(db):
    db.session.expire_all()
    return (
        sorted((a.id, a.status, a.agent_id, a.starts_at, a.outcome) for a in db.session.scalars(select(Appointment))),
        sorted((c.id, c.assignee_id) for c in db.session.scalars(select(Complaint))),
        db.session.scalar(select(func.count()).select_from(Interaction)),
        db.session.scalar(select(func.count()).select_from(SurveyAnswer)),
    )


def test_the_agents_queue_is_theirs_sorted_by_due_with_counts_and_tel_links(db, login_as):
    w = _world(db)
    html = login_as(w["agent"]).get("/admin/inbox/").get_data(as_text=True)
    rows = re.findall(r'data-item="([a-z]+-\d+)"', html)
    assert rows == [f"call-{w['first'].id}", f"call-{w['second'].id}", f"sla-{w['late'].id}"]
    assert 'href="tel:0912000001"' in html and "Của Cường" not in html and "Tuần sau" not in html
    assert re.search(r'id="count-call"[^>]*>[^<]*<span class="badge badge-light">2</span>', html)
    assert re.search(r'id="count-sla"[^>]*>[^<]*<span class="badge badge-light">1</span>', html)
    assert f"KN-{w['late'].id:06d}" in html


def test_done_call_next_records_outcome_timeline_and_csat_then_opens_the_next(db, login_as):
    w = _world(db)
    client = login_as(w["agent"])
    page = client.get(f"/admin/inbox/item/call/{w['first'].id}/")
    assert page.status_code == 200 and 'href="tel:0912000001"' in page.get_data(as_text=True)
    response = client.post(
        "/admin/inbox/done/", {"id": w["first"].id, "outcome": "Khách hài lòng", "csat": "5", "next": "1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/inbox/item/call/{w['second'].id}/")
    db.session.expire_all()
    done = db.session.get(Appointment, w["first"].id)
    assert (done.status, done.outcome, done.satisfaction) == ("done", "Khách hài lòng", 5)
    line = db.session.scalars(select(Interaction)).one()
    assert line.customer_id == w["an"].id and "Khách hài lòng" in line.summary and line.direction == "outbound"
    answer = db.session.scalars(select(SurveyAnswer)).one()
    assert (answer.customer_id, answer.csat) == (w["an"].id, 5)


def test_done_without_outcome_or_with_a_bad_score_is_refused_and_nothing_changes(db, login_as):
    w = _world(db)
    client = login_as(w["agent"])
    before = _snapshot(db)
    assert client.post("/admin/inbox/done/", {"id": w["first"].id, "outcome": " ", "csat": "5"}).status_code == 400
    assert client.post("/admin/inbox/done/", {"id": w["first"].id, "outcome": "Ok", "csat": "9"}).status_code == 400
    assert _snapshot(db) == before


def test_an_agent_cannot_act_on_a_colleagues_item_and_nothing_changes(db, login_as):
    w = _world(db)
    client = login_as(w["agent"])
    before = _snapshot(db)
    theirs = w["theirs"].id
    assert client.get(f"/admin/inbox/item/call/{theirs}/").status_code == 404
    assert client.post("/admin/inbox/done/", {"id": theirs, "outcome": "x", "csat": "5"}).status_code == 403
    assert client.post("/admin/inbox/reschedule/", {"id": theirs, "starts_at": "10/03/2030 09:00"}).status_code == 403
    assert (
        client.post("/admin/inbox/reassign/", {"item": f"call-{w['first'].id}", "agent": w["colleague"].id}).status_code
        == 403
    )
    assert _snapshot(db) == before


def test_every_post_needs_the_csrf_token(db, login_as):
    w = _world(db)
    client = login_as(w["agent"])
    before = _snapshot(db)
    response = client.post("/admin/inbox/done/", {"id": w["first"].id, "outcome": "x", "csat": "5"}, csrf=False)
    assert response.status_code == 400
    assert _snapshot(db) == before


def test_reschedule_onto_a_booked_call_is_refused_with_the_next_slot(db, login_as):
    w = _world(db)
    client = login_as(w["agent"])
    booked = datetime(2030, 3, 12, 2, 0, tzinfo=UTC)  # 09:00 in Hồ Chí Minh City, a Tuesday
    db.session.add(Appointment(customer_id=w["an"].id, agent_id=w["agent"].id, purpose="Hẹn", starts_at=booked))
    db.session.commit()
    before = _snapshot(db)
    refused = client.post("/admin/inbox/reschedule/", {"id": w["first"].id, "starts_at": "12/03/2030 09:05"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'data-fill-value="12/03/2030 09:15"' in html
    bad = client.post("/admin/inbox/reschedule/", {"id": w["first"].id, "starts_at": "31/02/2030 09:00"})
    assert bad.status_code == 400 and "31/02/2030" in bad.get_data(as_text=True)
    assert _snapshot(db) == before
    moved = client.post("/admin/inbox/reschedule/", {"id": w["first"].id, "starts_at": "12/03/2030 09:15"})
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, w["first"].id).starts_at == booked + timedelta(minutes=15)


def test_reschedule_to_no_date_is_a_field_error_that_keeps_the_text(db, login_as):
    w = _world(db)
    client = login_as(w["agent"])
    before = _snapshot(db)
    page = client.get(f"/admin/inbox/item/call/{w['first'].id}/").get_data(as_text=True)
    assert 'data-picker="datetime"' in page and "js/date_picker.js" in page and "flatpickr.min.js" in page
    bad = client.post("/admin/inbox/reschedule/", {"id": w["first"].id, "starts_at": "31/02/2030 09:00"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'value="31/02/2030 09:00"' in html and 'class="form-control is-invalid"' in html
    field_error = re.search(r'<div class="invalid-feedback" id="starts_at-error">(.*?)</div></div>', html, re.S)
    assert field_error and "31/02/2030 09:00" in field_error.group(1)
    assert 'id="item-errors"' not in html  # the message is the field's, not a box above the page
    assert _snapshot(db) == before


def test_a_refusals_suggestion_does_not_follow_into_the_next_page(db, login_as):
    w = _world(db)
    client = login_as(w["agent"])
    booked = datetime(2030, 3, 12, 2, 0, tzinfo=UTC)
    db.session.add(Appointment(customer_id=w["an"].id, agent_id=w["agent"].id, purpose="Hẹn", starts_at=booked))
    db.session.commit()
    refused = client.post("/admin/inbox/reschedule/", {"id": w["first"].id, "starts_at": "12/03/2030 09:05"})
    assert 'id="use-suggestion"' in refused.get_data(as_text=True)
    again = client.get(f"/admin/inbox/item/call/{w['first'].id}/").get_data(as_text=True)
    assert 'id="use-suggestion"' not in again


def test_the_lead_sees_the_team_queue_with_assignees_and_bulk_reassigns(db, login_as):
    w = _world(db)
    client = login_as(w["lead"])
    html = client.get("/admin/inbox/").get_data(as_text=True)
    assert "Của Cường" in html and "Lê Văn Cường" in html and 'data-folded="tran thi binh"' in html
    keys = [f"call-{w['first'].id}", f"sla-{w['late'].id}"]
    response = client.post("/admin/inbox/reassign/", {"item": keys, "agent": w["colleague"].id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, w["first"].id).agent_id == w["colleague"].id
    assert db.session.get(Complaint, w["late"].id).assignee_id == w["colleague"].id


def test_a_lead_cannot_reassign_outside_the_team(db, login_as):
    w = _world(db)
    stranger_team = make_team()
    stranger = make_user("agent", team=stranger_team)
    foreign_customer = make_customer("Ngoài nhóm", owner=stranger)
    foreign = Appointment(
        customer_id=foreign_customer.id, agent_id=stranger.id, purpose="Ngoài", starts_at=datetime.now(UTC)
    )
    db.session.add(foreign)
    db.session.commit()
    client = login_as(w["lead"])
    before = _snapshot(db)
    to_stranger = client.post("/admin/inbox/reassign/", {"item": f"call-{w['first'].id}", "agent": stranger.id})
    assert to_stranger.status_code == 302  # refused with a message
    assert (
        client.post("/admin/inbox/reassign/", {"item": f"call-{foreign.id}", "agent": w["agent"].id}).status_code == 403
    )
    assert _snapshot(db) == before


def test_the_queue_is_paged(db, login_as):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    now = datetime.now(UTC)
    for i in range(45):
        db.session.add(Appointment(customer_id=customer.id, agent_id=agent.id, purpose=f"Gọi {i}",
                                   starts_at=now - timedelta(minutes=60 + i)))  # fmt: skip
    db.session.commit()
    client = login_as(agent)
    first = client.get("/admin/inbox/").get_data(as_text=True)
    assert len(re.findall(r'class="inbox-row', first)) == 20 and 'id="inbox-pages"' in first
    third = client.get("/admin/inbox/?page=3").get_data(as_text=True)
    assert len(re.findall(r'class="inbox-row', third)) == 5


def test_birthdays_and_waits_that_are_over_join_the_queue(db, login_as, app):
    agent = make_user("agent")
    today = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh")).date()
    born = date(1990, today.month, min(today.day, 28)) if today.day <= 28 else date(1992, today.month, today.day)
    make_customer("Sinh Nhật", owner=agent, birthday=born)
    waiting = make_complaint(make_customer("Chờ Khách", owner=agent), assignee=agent, status="waiting")
    db.session.flush()
    waiting.updated_at = datetime.now(UTC) - timedelta(hours=60)
    db.session.commit()
    html = login_as(agent).get("/admin/inbox/").get_data(as_text=True)
    assert "Chờ Khách" in html and re.search(
        r'id="count-waiting"[^>]*>[^<]*<span class="badge badge-light">1</span>', html
    )
    if born.day == today.day:
        assert "Sinh Nhật" in html


def test_login_lands_agents_on_their_inbox(db, client):
    w = _world(db)
    with client.session_transaction() as session:
        session["_user_id"] = w["agent"].get_id()
        session["_fresh"] = True
    assert client.get("/").headers["Location"].endswith("/admin/inbox/")
