"""The complaints screens through the test client: list, create, edit, actions, the transition page."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from models import AuditLog, CannedReply, Complaint, SlaRule
from tests.factories import make_complaint, make_customer, make_team, make_user


def _team(db):
    team = make_team()
    lead = make_user("lead", team=team)
    agent = make_user("agent", team=team)
    customer = make_customer(owner=agent)
    db.session.commit()
    return team, lead, agent, customer


def _fresh(db, complaint_id):
    db.session.expire_all()
    return db.session.get(Complaint, complaint_id)


def _count(db, model=Complaint):
    return db.session.scalar(select(func.count()).select_from(model))


def test_list_highlights_overdue_rows_and_searches_subjects(db, login_as):
    _, _, agent, customer = _team(db)
    now = datetime.now(UTC)
    late = make_complaint(customer, assignee=agent, subject="Máy hỏng quá hạn", due_at=now - timedelta(hours=1))
    make_complaint(customer, assignee=agent, subject="Giao hàng chậm", due_at=now + timedelta(hours=5))
    make_complaint(customer, assignee=agent, subject="Đã xong", status="closed", due_at=now - timedelta(days=3))
    db.session.commit()
    client = login_as(agent)
    html = client.get("/admin/complaints/").get_data(as_text=True)
    rows = re.findall(r'<tr class="([^"]*)">.*?</tr>', html, re.S)
    assert rows.count("row-overdue") == 1
    overdue_row = re.search(r'<tr class="row-overdue">(.*?)</tr>', html, re.S).group(1)
    assert late.code in overdue_row and "overdue-badge" in overdue_row
    found = client.get("/admin/complaints/?search=giao").get_data(as_text=True)
    assert "Giao hàng chậm" in found and "Máy hỏng quá hạn" not in found


def test_create_through_the_form_sets_status_team_and_due_time(db, login_as):
    team, _, agent, customer = _team(db)
    db.session.add(SlaRule(priority="urgent", hours=3))
    db.session.commit()
    client = login_as(agent)
    page = client.get(f"/admin/complaints/new/?customer_id={customer.id}").get_data(as_text=True)
    assert 'name="status"' not in page
    assert re.search(rf'id="customer" name="customer" type="hidden" value="{customer.id}"', page)
    before = datetime.now(UTC)
    response = client.post(
        "/admin/complaints/new/",
        {
            "customer": str(customer.id),
            "kind": "warranty",
            "subject": "Bảo hành máy lọc nước",
            "category": "warranty",
            "priority": "urgent",
            "channel": "",
            "status": "closed",  # not a form field: ignored
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    complaint = db.session.scalars(select(Complaint)).one()
    assert complaint.status == "new" and complaint.team_id == team.id and complaint.assignee_id == agent.id
    assert (
        before + timedelta(hours=3) - timedelta(minutes=1) <= complaint.due_at <= datetime.now(UTC) + timedelta(hours=3)
    )


def test_create_with_missing_subject_keeps_what_was_typed(db, login_as):
    _, _, agent, customer = _team(db)
    client = login_as(agent)
    response = client.post(
        "/admin/complaints/new/",
        {
            "customer": str(customer.id),
            "kind": "complaint",
            "subject": "",
            "description": "Mô tả dài của khách",
            "category": "other",
            "priority": "normal",
        },
    )
    assert response.status_code == 200
    assert "Mô tả dài của khách" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_edit_cannot_change_the_status_and_priority_moves_the_due_time(db, login_as):
    _, _, agent, customer = _team(db)
    opened = datetime.now(UTC) - timedelta(hours=1)
    complaint = make_complaint(customer, assignee=agent, priority="normal", opened_at=opened, due_at=opened)
    db.session.commit()
    client = login_as(agent)
    response = client.post(
        f"/admin/complaints/edit/?id={complaint.id}",
        {
            "customer": str(customer.id),
            "kind": "complaint",
            "subject": "Sửa tiêu đề",
            "category": "other",
            "priority": "low",
            "assignee": str(agent.id),
            "status": "closed",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    saved = _fresh(db, complaint.id)
    assert saved.subject == "Sửa tiêu đề" and saved.status == "new"
    assert abs(saved.due_at - (opened + timedelta(hours=120))) < timedelta(seconds=2)


def test_details_shows_allowed_transitions_and_the_transition_post_works(db, login_as):
    _, _, agent, customer = _team(db)
    complaint = make_complaint(customer, assignee=agent, status="in_progress")
    db.session.add(CannedReply(title="Xin lỗi khách", body="Chúng tôi rất tiếc", active=True))
    db.session.add(CannedReply(title="Cũ không dùng", body="...", active=False))
    db.session.commit()
    client = login_as(agent)
    html = client.get(f"/admin/complaints/details/?id={complaint.id}").get_data(as_text=True)
    shown = set(re.findall(r'data-status="([a-z_]+)"', html))
    assert shown == {"waiting", "resolved"}
    assert "Xin lỗi khách" in html and "Cũ không dùng" not in html and "js/canned_reply.js" in html

    refused = client.post("/admin/complaints/transition/", {"id": complaint.id, "to": "resolved", "resolution": ""})
    assert refused.status_code == 400
    assert _fresh(db, complaint.id).status == "in_progress"

    no_csrf = client.post("/admin/complaints/transition/", {"id": complaint.id, "to": "waiting"}, csrf=False)
    assert no_csrf.status_code == 400 and _fresh(db, complaint.id).status == "in_progress"

    invalid = client.post("/admin/complaints/transition/", {"id": complaint.id, "to": "new"})
    assert invalid.status_code == 400 and _fresh(db, complaint.id).status == "in_progress"

    done = client.post(
        "/admin/complaints/transition/", {"id": complaint.id, "to": "resolved", "resolution": "Đã đổi máy"}
    )
    assert done.status_code == 302
    saved = _fresh(db, complaint.id)
    assert saved.status == "resolved" and saved.resolution == "Đã đổi máy" and saved.resolved_at is not None


def test_transition_of_a_request_outside_the_scope_is_refused(db, login_as):
    _, _, agent, customer = _team(db)
    complaint = make_complaint(customer, assignee=agent)
    stranger = make_user("agent")
    db.session.commit()
    client = login_as(stranger)
    response = client.post("/admin/complaints/transition/", {"id": complaint.id, "to": "in_progress"})
    assert response.status_code == 403
    assert _fresh(db, complaint.id).status == "new"
    assert client.get(f"/admin/complaints/details/?id={complaint.id}").status_code == 403


def test_row_actions_close_reopen_and_resolve(db, login_as):
    _, lead, agent, customer = _team(db)
    resolved = make_complaint(customer, assignee=agent, status="resolved", resolution="OK")
    fresh = make_complaint(customer, assignee=agent, status="new")
    db.session.commit()
    client = login_as(agent)
    client.post("/admin/complaints/action/", {"action": "close", "rowid": [resolved.id, fresh.id]})
    assert _fresh(db, resolved.id).status == "closed"
    assert _fresh(db, fresh.id).status == "new"  # new -> closed is refused, the other still closes
    client.post("/admin/complaints/action/", {"action": "reopen", "rowid": [resolved.id]})
    saved = _fresh(db, resolved.id)
    assert saved.status == "in_progress" and saved.reopened_count == 1

    page = client.post("/admin/complaints/action/", {"action": "resolve", "rowid": [fresh.id]})
    assert page.status_code == 302 and "/admin/complaints/transition/" in page.headers["Location"]
    form = client.get(page.headers["Location"]).get_data(as_text=True)
    assert 'name="resolution"' in form and fresh.subject in form


def test_agent_cannot_escalate_or_assign_lead_can(db, login_as):
    _, lead, agent, customer = _team(db)
    complaint = make_complaint(customer, assignee=agent)
    db.session.commit()
    agent_client = login_as(agent)
    for name in ("escalate", "assign_me"):
        r = agent_client.post("/admin/complaints/action/", {"action": name, "rowid": [complaint.id]})
        assert r.status_code == 403
    saved = _fresh(db, complaint.id)
    assert saved.escalated_to_id is None and saved.assignee_id == agent.id
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "escalate")) == 0

    head = make_user("head")
    db.session.commit()
    lead_client = login_as(lead)
    step = lead_client.post("/admin/complaints/action/", {"action": "escalate", "rowid": [complaint.id]})
    assert step.status_code == 302 and "/admin/complaints/escalate/" in step.headers["Location"]
    assert _fresh(db, complaint.id).escalated_at is None  # nothing before the reason is given
    page = lead_client.get(step.headers["Location"]).get_data(as_text=True)
    assert head.name in page and 'name="reason"' in page and complaint.subject in page
    url = "/admin/complaints/escalate/"
    refused = lead_client.post(url, {"step": "escalate", "id": complaint.id, "reason": " "})
    assert refused.status_code == 400 and "ít nhất 5 ký tự" in refused.get_data(as_text=True)
    assert _fresh(db, complaint.id).escalated_at is None
    reasoned = {"step": "escalate", "id": complaint.id, "reason": "Khách rất bức xúc"}
    assert agent_client.post(url, reasoned).status_code == 403
    done = lead_client.post(url, reasoned)
    assert done.status_code == 302
    lead_client.post("/admin/complaints/action/", {"action": "assign_me", "rowid": [complaint.id]})
    saved = _fresh(db, complaint.id)
    assert saved.escalated_to_id == head.id != lead.id and saved.escalation_reason == "Khách rất bức xúc"
    assert saved.assignee_id == lead.id and saved.status == "in_progress"
    details = lead_client.get(f"/admin/complaints/details/?id={complaint.id}").get_data(as_text=True)
    assert "Khách rất bức xúc" in details and "Lý do chuyển cấp trên" in details


def test_lead_cannot_act_on_another_teams_request(db, login_as):
    _, lead, _, _ = _team(db)
    _, _, other_agent, other_customer = _team(db)
    complaint = make_complaint(other_customer, assignee=other_agent)
    db.session.commit()
    r = login_as(lead).post("/admin/complaints/action/", {"action": "escalate", "rowid": [complaint.id]})
    assert r.status_code == 403
    assert _fresh(db, complaint.id).escalated_to_id is None


def test_edit_page_offers_canned_replies_for_the_resolution(db, login_as):
    _, _, agent, customer = _team(db)
    complaint = make_complaint(customer, assignee=agent)
    db.session.add(CannedReply(title="Cảm ơn", body="Cảm ơn anh/chị đã phản hồi", active=True))
    db.session.commit()
    html = login_as(agent).get(f"/admin/complaints/edit/?id={complaint.id}").get_data(as_text=True)
    assert 'data-canned-target="resolution"' in html and "Cảm ơn anh/chị đã phản hồi" in html
    assert 'id="resolution"' in html and 'name="status"' not in html
