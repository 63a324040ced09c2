"""Staff accounts: the leaver hand-over, password changes, audit."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from models import Appointment, AuditLog, Complaint, Customer, User
from tests.factories import PASSWORD, make_complaint, make_customer, make_user
from tests.world import build_world


def _setup(db):
    w = build_world()
    leaver, successor = w["users"]["agent11"], w["users"]["agent12"]
    past = Appointment(
        customer_id=db.session.scalar(select(Customer.id).where(Customer.owner_id == leaver.id)),
        agent_id=leaver.id,
        purpose="Đã qua",
        starts_at=datetime.now(UTC) - timedelta(days=2),
    )
    db.session.add(past)
    customer = db.session.scalar(select(Customer).where(Customer.owner_id == leaver.id))
    make_complaint(customer, assignee=leaver, status="closed")
    db.session.commit()
    return w, leaver, successor


def test_head_hands_over_everything_in_one_step(app, db, login_as):
    w, leaver, successor = _setup(db)
    open_before = db.session.scalar(
        select(func.count())
        .select_from(Complaint)
        .where(Complaint.assignee_id == leaver.id, Complaint.status.notin_(("resolved", "closed")))
    )
    leaver_client = login_as(leaver)
    assert leaver_client.get("/admin/").status_code == 200
    head = login_as(w["users"]["head"])
    page = head.get(f"/admin/staff/handover/?id={leaver.id}")
    assert page.status_code == 200 and successor.name in page.get_data(as_text=True)
    response = head.post("/admin/staff/handover/", {"id": leaver.id, "successor_id": successor.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Customer).where(Customer.owner_id == leaver.id)) == 0
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Complaint)
            .where(Complaint.assignee_id == successor.id, Complaint.status.notin_(("resolved", "closed")))
        )
        >= open_before
    )
    # closed complaints and past appointments keep their history
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Complaint)
            .where(Complaint.assignee_id == leaver.id, Complaint.status == "closed")
        )
        == 1
    )
    assert (
        db.session.scalar(select(func.count()).select_from(Appointment).where(Appointment.agent_id == leaver.id)) == 1
    )
    assert db.session.get(User, leaver.id).active is False
    assert leaver_client.get("/admin/").status_code == 302  # the leaver's session ended
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "handover"))
    assert row.object_id == str(leaver.id) and '"customers": 1' in row.changes


def test_agent_and_lead_cannot_hand_over(app, db, login_as):
    w, leaver, successor = _setup(db)
    for who in ("agent12", "lead1"):
        client = login_as(w["users"][who])
        assert client.get(f"/admin/staff/handover/?id={leaver.id}").status_code == 403
        assert client.post("/admin/staff/handover/", {"id": leaver.id, "successor_id": successor.id}).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, leaver.id).active is True
    assert db.session.scalar(select(func.count()).select_from(Customer).where(Customer.owner_id == leaver.id)) == 1


def test_hand_over_to_oneself_is_refused_and_nothing_changes(app, db, login_as):
    w, leaver, _ = _setup(db)
    client = login_as(w["users"]["admin"])
    response = client.post("/admin/staff/handover/", {"id": leaver.id, "successor_id": leaver.id})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, leaver.id).active is True


def test_admin_creates_staff_and_password_hash_never_shows(app, db, login_as):
    client = login_as("admin")
    response = client.post(
        "/admin/staff/new/",
        {
            "name": "Ngô Minh",
            "email": "NGO.MINH@cskh.vn",
            "role": "agent",
            "active": "y",
            "new_password": "mat-khau-dai-9",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 302, re.findall(r"(?:alert|invalid-feedback|help-block)[^>]*>([^<]*)", html)
    user = db.session.scalar(select(User).where(User.email == "ngo.minh@cskh.vn"))
    assert user and user.password_hash.startswith("scrypt:")
    for path in (
        "/admin/staff/",
        f"/admin/staff/details/?id={user.id}",
        "/admin/staff/export/csv/",
        f"/admin/staff/edit/?id={user.id}",
    ):
        body = client.get(path).get_data(as_text=True)
        assert "scrypt:" not in body and "password_hash" not in body, path
    created = db.session.scalar(
        select(AuditLog).where(
            AuditLog.action == "create", AuditLog.object_type == "User", AuditLog.object_id == str(user.id)
        )
    )
    assert created is not None and "password" not in (created.changes or "")


def test_short_password_keeps_the_form_and_writes_nothing(app, db, login_as):
    client = login_as("admin")
    response = client.post(
        "/admin/staff/new/", {"name": "Ngô Minh", "email": "ngo@cskh.vn", "role": "agent", "new_password": "short"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Mật khẩu cần ít nhất 8 ký tự." in html and 'value="ngo@cskh.vn"' in html
    assert db.session.scalar(select(User).where(User.email == "ngo@cskh.vn")) is None


def test_changing_a_password_ends_the_users_sessions(app, db, login_as):
    user = make_user("agent")
    db.session.commit()
    agent_client = login_as(user)
    assert agent_client.get("/admin/").status_code == 200
    admin = login_as("admin")
    r = admin.post(
        f"/admin/staff/edit/?id={user.id}",
        {
            "name": user.name,
            "email": user.email,
            "role": "agent",
            "active": "y",
            "team": user.team_id or "",
            "new_password": PASSWORD + "-new",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:1500]
    assert agent_client.get("/admin/").status_code == 302


def test_customer_edit_is_audited_field_by_field(app, db, login_as):
    agent = make_user("agent")
    customer = make_customer("Trần Thị Bình", owner=agent, phone="0912345678")
    db.session.commit()
    client = login_as(agent)
    r = client.post(
        f"/admin/customers/edit/?id={customer.id}",
        {
            "name": "Trần Thị Bình",
            "phone": "+84 912 345 679",
            "kind": "customer",
            "potential": "high",
            "owner": agent.id,
            "team": agent.team_id,
            "consent_contact": "y",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "update", AuditLog.object_type == "Customer"))
    assert row is not None and row.user_id == agent.id
    assert '"phone": ["0912345678", "0912345679"]' in row.changes and '"potential"' in row.changes
    assert row.ip == "127.0.0.1"
