"""Appointments through the test client: the quiet-hours rule on the form, the customer's own
request, pre-filling from the customer page, "my call-backs today", outcomes and scope."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from models import Appointment, AuditLog, SurveyAnswer
from tests.factories import make_customer, make_team, make_user

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _team(db):
    team = make_team()
    agent = make_user("agent", team=team)
    customer = make_customer("Trần Thị Bình", owner=agent)
    db.session.commit()
    return team, agent, customer


def _count(db):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Appointment))


def _form(customer, agent, when, **extra):
    return {
        "customer": str(customer.id),
        "agent": str(agent.id),
        "kind": "call_back",
        "purpose": "Gọi lại hỏi thăm sau bảo hành",
        "starts_at": when,
        "duration_minutes": "15",
        **extra,
    }


def test_new_form_is_prefilled_from_the_customer_page(db, login_as):
    _, agent, customer = _team(db)
    page = login_as(agent).get(f"/admin/appointments/new/?customer_id={customer.id}&kind=follow_up")
    html = page.get_data(as_text=True)
    assert re.search(rf'id="customer" name="customer" type="hidden" value="{customer.id}"', html)
    assert re.search(rf'id="agent" name="agent" type="hidden" value="{agent.id}"', html)
    assert re.search(r'<option selected value="follow_up">|<option value="follow_up" selected', html)


def test_lunch_time_is_refused_with_the_next_slot_and_the_form_keeps_the_input(db, login_as):
    _, agent, customer = _team(db)
    client = login_as(agent)
    response = client.post("/admin/appointments/new/", _form(customer, agent, "10/03/2026 12:00"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "10/03/2026 13:30" in html
    assert 'value="10/03/2026 12:00"' in html and "Gọi lại hỏi thăm sau bảo hành" in html
    assert _count(db) == 0


def test_the_customers_own_request_bypasses_the_rule(db, login_as):
    _, agent, customer = _team(db)
    client = login_as(agent)
    response = client.post(
        "/admin/appointments/new/", _form(customer, agent, "10/03/2026 12:00", customer_requested="y")
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    saved = db.session.scalars(select(Appointment)).one()
    assert saved.starts_at == datetime(2026, 3, 10, 5, 0, tzinfo=UTC)
    assert saved.status == "planned" and saved.customer_requested and saved.agent_id == agent.id


def test_preferred_hours_refuse_a_morning_call_and_accept_one_inside(db, login_as):
    _, agent, customer = _team(db)
    customer.contact_from, customer.contact_to = datetime(2026, 1, 1, 14).time(), datetime(2026, 1, 1, 17).time()
    db.session.commit()
    client = login_as(agent)
    refused = client.post("/admin/appointments/new/", _form(customer, agent, "10/03/2026 09:00"))
    assert refused.status_code == 200 and "10/03/2026 14:00" in refused.get_data(as_text=True)
    assert _count(db) == 0
    ok = client.post("/admin/appointments/new/", _form(customer, agent, "10/03/2026 15:00"))
    assert ok.status_code == 302 and _count(db) == 1


def test_editing_into_dinner_time_is_refused_and_unchanged(db, login_as):
    _, agent, customer = _team(db)
    start = datetime(2026, 3, 10, 10, 0, tzinfo=HCM)
    appointment = Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Gọi lại", starts_at=start)
    db.session.add(appointment)
    db.session.commit()
    client = login_as(agent)
    refused = client.post(f"/admin/appointments/edit/?id={appointment.id}", _form(customer, agent, "10/03/2026 18:30"))
    assert refused.status_code == 200 and "10/03/2026 19:30" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).starts_at == start
    moved = client.post(f"/admin/appointments/edit/?id={appointment.id}", _form(customer, agent, "10/03/2026 14:00"))
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).starts_at == datetime(2026, 3, 10, 14, tzinfo=HCM)


def test_my_call_backs_today(db, login_as):
    _, agent, customer = _team(db)
    colleague = make_user("agent", team=customer.team)
    now = datetime.now(UTC)
    db.session.add_all(
        [
            Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Hôm nay của tôi", starts_at=now),
            Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Tuần sau",
                        starts_at=now + timedelta(days=7)),
            Appointment(customer_id=customer.id, agent_id=colleague.id, purpose="Của đồng nghiệp", starts_at=now),
        ]
    )  # fmt: skip
    db.session.commit()
    html = login_as(agent).get("/admin/appointments/?mine=today").get_data(as_text=True)
    assert "Hôm nay của tôi" in html and "Tuần sau" not in html and "Của đồng nghiệp" not in html


def test_mark_done_records_outcome_and_satisfaction(db, login_as):
    _, agent, customer = _team(db)
    appointment = Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Gọi lại",
                              starts_at=datetime.now(UTC))  # fmt: skip
    db.session.add(appointment)
    db.session.commit()
    client = login_as(agent)
    details = client.get(f"/admin/appointments/details/?id={appointment.id}").get_data(as_text=True)
    assert set(re.findall(r'data-status="([a-z_]+)"', details)) == {"done", "no_answer"}
    bad = client.post("/admin/appointments/outcome/", {"id": appointment.id, "status": "done", "satisfaction": "7"})
    assert bad.status_code == 400
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == "planned"
    good = client.post(
        "/admin/appointments/outcome/",
        {"id": appointment.id, "status": "done", "outcome": "Khách hài lòng", "satisfaction": "4"},
    )
    assert good.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Appointment, appointment.id)
    assert (saved.status, saved.outcome, saved.satisfaction) == ("done", "Khách hài lòng", 4)
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "outcome")) == 1
    # the outcome page leaves the same trace as the inbox's "Xong": the timeline and the survey scores
    assert db.session.scalars(select(SurveyAnswer.csat).where(SurveyAnswer.customer_id == customer.id)).one() == 4
    page = client.get(f"/admin/customers/details/?id={customer.id}").get_data(as_text=True)
    assert "Gọi lại — Khách hài lòng (CSAT 4/5)" in page.split('id="timeline"')[1].split('id="emotions"')[0]
    again = client.post("/admin/appointments/outcome/", {"id": appointment.id, "status": "no_answer"})
    assert again.status_code == 400
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == "done"


def test_no_answer_row_action_leads_to_the_outcome_page(db, login_as):
    _, agent, customer = _team(db)
    appointment = Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Gọi lại",
                              starts_at=datetime.now(UTC))  # fmt: skip
    db.session.add(appointment)
    db.session.commit()
    client = login_as(agent)
    response = client.post("/admin/appointments/action/", {"action": "mark_no_answer", "rowid": [str(appointment.id)]})
    assert response.status_code == 302 and "/admin/appointments/outcome/" in response.headers["Location"]
    client.post("/admin/appointments/outcome/", {"id": appointment.id, "status": "no_answer", "outcome": "Thuê bao"})
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == "no_answer"


def test_another_teams_agent_cannot_see_or_close_the_appointment(db, login_as):
    _, agent, customer = _team(db)
    appointment = Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Bí mật",
                              starts_at=datetime.now(UTC))  # fmt: skip
    db.session.add(appointment)
    db.session.commit()
    stranger = login_as("agent", team=make_team())
    assert stranger.get(f"/admin/appointments/details/?id={appointment.id}").status_code == 403
    assert "Bí mật" not in stranger.get("/admin/appointments/").get_data(as_text=True)
    closing = stranger.post("/admin/appointments/outcome/", {"id": appointment.id, "status": "done"})
    assert closing.status_code == 403
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == "planned"


def test_a_time_overlapping_the_agents_booked_call_is_refused_with_a_button_for_the_next_slot(db, login_as):
    _, agent, customer = _team(db)
    other = make_customer("Lê Văn Cường", owner=agent)
    booked = datetime(2026, 3, 10, 13, 30, tzinfo=HCM)
    db.session.add(Appointment(customer_id=other.id, agent_id=agent.id, purpose="Đã hẹn", starts_at=booked))
    db.session.commit()
    client = login_as(agent)
    refused = client.post("/admin/appointments/new/", _form(customer, agent, "10/03/2026 13:35"))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "10/03/2026 13:30" in html and 'data-fill-value="10/03/2026 13:45"' in html
    assert 'data-fill-field="starts_at"' in html and "js/fill_field.js" in html
    assert _count(db) == 1
    # Even a time the customer asked for cannot double-book the agent.
    asked = client.post("/admin/appointments/new/", _form(customer, agent, "10/03/2026 13:40", customer_requested="y"))
    assert asked.status_code == 200 and _count(db) == 1
    # Another agent is free at that time; the suggested slot is accepted and leads back to the customer.
    ok = client.post("/admin/appointments/new/", _form(customer, agent, "10/03/2026 13:45"))
    assert ok.status_code == 302 and f"/admin/customers/details/?id={customer.id}" in ok.headers["Location"]
    assert _count(db) == 2


def test_moving_a_call_onto_a_booked_one_is_refused_and_unchanged(db, login_as):
    _, agent, customer = _team(db)
    first = datetime(2026, 3, 10, 9, 0, tzinfo=HCM)
    second = datetime(2026, 3, 10, 10, 0, tzinfo=HCM)
    db.session.add(Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Một", starts_at=first))
    moving = Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Hai", starts_at=second)
    db.session.add(moving)
    db.session.commit()
    refused = login_as(agent).post(
        f"/admin/appointments/edit/?id={moving.id}", _form(customer, agent, "10/03/2026 09:10")
    )
    assert refused.status_code == 200 and 'data-fill-value="10/03/2026 09:15"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Appointment, moving.id).starts_at == second
