"""Hand-over and deactivation follow the matrix for the target too: the head never acts on the
administrator or on themselves, only an administrator deactivates an administrator, and the last
active administrator stays. Every refusal leaves the whole database as it was."""

import pytest

from models import User
from services import access
from services import staff as staff_rules
from services.errors import NotAllowed, ValidationError
from tests.admin.test_permissions import digest
from tests.factories import make_customer, make_user
from tests.world import build_world


def _handover_refused(client, db, target, successor):
    before = digest(db)
    page = client.get(f"/admin/staff/handover/?id={target.id}")
    assert page.status_code == 403
    response = client.post("/admin/staff/handover/", {"id": target.id, "successor_id": successor.id})
    assert response.status_code == 403
    assert digest(db) == before
    return page.get_data(as_text=True)


def test_head_cannot_hand_over_the_administrator_or_themselves(app, db, login_as):
    w = build_world()
    head, admin, successor = w["users"]["head"], w["users"]["admin"], w["users"]["agent12"]
    make_customer("Khách của trưởng phòng", owner=head)
    client = login_as(head)
    html = _handover_refused(client, db, admin, successor)
    assert "Chỉ quản trị viên" in html  # says why, in Vietnamese
    html = _handover_refused(client, db, head, successor)
    assert "của chính mình" in html
    db.session.expire_all()
    assert db.session.get(User, admin.id).active is True and db.session.get(User, head.id).active is True
    # the details page offers the button only where the screen would accept it
    assert 'id="handover-link"' not in client.get(f"/admin/staff/details/?id={admin.id}").get_data(as_text=True)
    assert 'id="handover-link"' in client.get(f"/admin/staff/details/?id={successor.id}").get_data(as_text=True)


def test_head_cannot_hand_over_another_head_but_the_administrator_can(app, db, login_as):
    w = build_world()
    other_head = make_user("head", email="head2@w.vn")
    successor = w["users"]["agent12"]
    _handover_refused(login_as(w["users"]["head"]), db, other_head, successor)
    response = login_as(w["users"]["admin"]).post(
        "/admin/staff/handover/", {"id": other_head.id, "successor_id": successor.id}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, other_head.id).active is False


def test_only_an_administrator_deactivates_an_administrator_and_never_the_last(app, db, login_as):
    w = build_world()
    admin = w["users"]["admin"]
    second = make_user("admin", email="admin2@w.vn")
    client = login_as(admin)
    # the last active administrator: admin deactivates admin2, then nobody can deactivate admin
    response = client.post(
        f"/admin/staff/edit/?id={second.id}",
        {"name": second.name, "email": second.email, "role": "admin", "active": ""},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    db.session.expire_all()
    assert db.session.get(User, second.id).active is False
    second_client = login_as(db.session.get(User, second.id))
    assert second_client.get("/admin/").status_code == 302  # their sessions ended

    before = digest(db)
    html = client.post(
        f"/admin/staff/edit/?id={admin.id}", {"name": admin.name, "email": admin.email, "role": "admin", "active": ""}
    ).get_data(as_text=True)
    assert "của chính mình" in html  # a field message on the form, not a 500
    assert digest(db) == before
    with pytest.raises(ValidationError):  # the rule itself, whoever calls it (CLI, another admin)
        staff_rules.check_not_last_admin(admin)


def test_administrator_cannot_demote_themselves_or_the_last_administrator(app, db, login_as):
    w = build_world()
    admin = w["users"]["admin"]
    client = login_as(admin)
    before = digest(db)
    html = client.post(
        f"/admin/staff/edit/?id={admin.id}", {"name": admin.name, "email": admin.email, "role": "head", "active": "y"}
    ).get_data(as_text=True)
    assert "của chính mình" in html
    assert digest(db) == before
    # as a service call without an actor (a script): the last administrator keeps the role
    admin.role = "head"
    with pytest.raises(ValidationError):
        staff_rules.prepare(admin)
    db.session.rollback()


def test_hand_over_service_checks_the_target(app, db):
    w = build_world()
    head, admin, successor = w["users"]["head"], w["users"]["admin"], w["users"]["agent12"]
    before = digest(db)
    for target in (admin, head):
        with pytest.raises(NotAllowed):
            staff_rules.hand_over(target, successor, head)
    with pytest.raises(NotAllowed):
        staff_rules.hand_over(admin, successor, admin)  # themselves
    db.session.rollback()
    assert digest(db) == before
    assert access.may_manage(head, w["users"]["lead1"]) and access.may_manage(admin, head)
    assert not access.may_manage(w["users"]["lead1"], w["users"]["agent11"])
