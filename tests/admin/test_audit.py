"""The audit log: written for every event, read-only, columns hidden by role, user text escaped."""

from sqlalchemy import func, select

from models import AuditLog, Customer
from tests.conftest import csrf_token
from tests.factories import make_customer, make_user
from tests.world import build_world


def _actions(db):
    return [row.action for row in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]


def test_create_update_delete_and_export_are_audited(app, db, login_as):
    lead = make_user("lead")
    db.session.commit()
    client = login_as(lead)
    r = client.post(
        "/admin/customers/new/",
        {
            "name": "Lê Văn Cường",
            "phone": "0987 654 321",
            "kind": "customer",
            "potential": "medium",
            "owner": lead.id,
            "team": lead.team_id,
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    customer = db.session.scalar(select(Customer).where(Customer.phone == "0987654321"))
    assert customer.search_text.startswith(" le van cuong")
    r = client.post(
        f"/admin/customers/edit/?id={customer.id}",
        {
            "name": "Lê Văn Cường",
            "phone": "0987654321",
            "kind": "partner",
            "potential": "medium",
            "owner": lead.id,
            "team": lead.team_id,
        },
    )
    assert r.status_code == 302
    assert client.get("/admin/customers/export/csv/").status_code == 200
    customer_id = customer.id
    r = client.post("/admin/customers/delete/", {"id": customer_id})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Customer, customer_id) is None
    assert _actions(db) == ["create", "update", "export", "delete"]
    update = db.session.scalar(select(AuditLog).where(AuditLog.action == "update"))
    assert '"kind": ["customer", "partner"]' in update.changes and update.team_id == lead.team_id


def test_nobody_can_change_the_audit_log(app, db, login_as):
    w = build_world()
    row_id = db.session.scalar(select(AuditLog.id))
    count = db.session.scalar(select(func.count()).select_from(AuditLog))
    for who in ("head", "admin"):
        client = login_as(w["users"][who])
        assert client.get(f"/admin/audit/details/?id={row_id}").status_code == 200
        assert client.get(f"/admin/audit/edit/?id={row_id}").status_code == 403
        assert client.post(f"/admin/audit/edit/?id={row_id}", {"action": "x"}).status_code == 403
        assert client.post("/admin/audit/delete/", {"id": row_id}).status_code == 403
        assert client.post("/admin/audit/action/", {"action": "delete", "rowid": row_id}).status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == count


def test_lead_sees_team_audit_without_addresses(app, db, login_as):
    w = build_world()
    db.session.add(AuditLog(action="login", actor="x@w.vn", team_id=w["teams"][0].id, ip="10.9.8.7"))
    db.session.add(AuditLog(action="login", actor="other@w.vn", team_id=w["teams"][1].id, ip="10.1.1.1"))
    db.session.commit()
    lead = login_as(w["users"]["lead1"])
    html = lead.get("/admin/audit/").get_data(as_text=True)
    assert "x@w.vn" in html and "other@w.vn" not in html
    assert "10.9.8.7" not in html
    head_html = login_as(w["users"]["head"]).get("/admin/audit/").get_data(as_text=True)
    assert "10.9.8.7" in head_html and "other@w.vn" in head_html


def test_user_text_is_escaped(app, db, login_as):
    agent = make_user("agent")
    customer = make_customer("<script>alert(1)</script>", owner=agent)
    db.session.commit()
    client = login_as(agent)
    for path in ("/admin/customers/", f"/admin/customers/details/?id={customer.id}"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


def test_failed_logins_are_throttled_per_address_too(app, db):
    users = [make_user("agent") for _ in range(4)]
    db.session.commit()
    client = app.test_client()
    limit = app.config["LOGIN_MAX_FAILURES"] * 3
    for i in range(limit):
        token = csrf_token(client, "/login")
        client.post("/login", data={"email": users[i % 4].email, "password": "wrong-one", "csrf_token": token})
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": "new@test.vn", "password": "whatever-1", "csrf_token": token})
    assert response.status_code == 429
    assert (
        db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "login_throttled")) == 1
    )


def test_edit_buttons_only_on_rows_the_user_may_edit(app, db, login_as):
    w = build_world()
    agent = w["users"]["agent11"]
    mine = db.session.scalar(select(Customer.id).where(Customer.owner_id == agent.id))
    teammate = db.session.scalar(select(Customer.id).where(Customer.owner_id == w["users"]["agent12"].id))
    html = login_as(agent).get("/admin/customers/").get_data(as_text=True)
    assert f"details/?id={teammate}" in html and f"details/?id={mine}" in html
    assert f"edit/?id={mine}" in html and f"edit/?id={teammate}" not in html
