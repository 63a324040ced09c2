"""The hand-over screens: choose (same team first), preview, confirm, result, undo."""

from sqlalchemy import func, select

from models import Customer, Handover, User
from tests.factories import make_customer, make_team, make_user


def _office(db):
    north, south = make_team("Nhóm Bắc"), make_team("Nhóm Nam")
    head = make_user("head", name="Hạnh")
    leaver = make_user("agent", team=north, name="Lan")
    mate = make_user("agent", team=north, name="Vy")
    make_user("agent", team=south, name="An")
    for i in range(3):
        make_customer(f"Khách số {i}", owner=leaver)
    db.session.commit()
    return head, leaver, mate


def _owned(db, user) -> int:
    return db.session.scalar(select(func.count()).select_from(Customer).where(Customer.owner_id == user.id))


def test_choose_preview_confirm_result_and_undo(app, db, login_as):
    head_user, leaver, mate = _office(db)
    head = login_as(head_user)
    page = head.get(f"/admin/staff/handover/?id={leaver.id}").get_data(as_text=True)
    same = page.index('<optgroup label="Cùng nhóm">')
    assert page.index("Vy", same) < page.index("An ·")  # same team first
    assert 'id="handover-form"' not in page  # no confirmation before a preview
    page = head.get(f"/admin/staff/handover/?id={leaver.id}&successor_id={mate.id}").get_data(as_text=True)
    assert 'id="preview-customers"' in page and "Khách số 0" in page and 'id="handover-confirm"' in page
    assert _owned(db, leaver) == 3 and db.session.get(User, leaver.id).active  # the preview wrote nothing
    response = head.post("/admin/staff/handover/", {"id": leaver.id, "successor_id": mate.id})
    assert response.status_code == 302 and "/admin/staff/handover/done/" in response.headers["Location"]
    done = head.get(response.headers["Location"]).get_data(as_text=True)
    assert "Khách số 2" in done and 'id="handover-undo"' in done
    assert _owned(db, mate) == 3
    record_id = db.session.scalar(select(Handover.id))
    assert head.post("/admin/staff/handover/undo/", {"id": record_id}).status_code == 302
    db.session.expire_all()
    assert _owned(db, leaver) == 3 and db.session.get(User, leaver.id).active is True
    page = head.get(f"/admin/staff/handover/done/?id={record_id}").get_data(as_text=True)
    assert 'id="handover-undone"' in page and 'id="handover-undo"' not in page


def test_result_and_undo_are_refused_to_others_and_change_nothing(app, db, login_as):
    head_user, leaver, mate = _office(db)
    head = login_as(head_user)
    head.post("/admin/staff/handover/", {"id": leaver.id, "successor_id": mate.id})
    record_id = db.session.scalar(select(Handover.id))
    for role in ("agent", "lead"):
        client = login_as(role)
        assert client.get(f"/admin/staff/handover/done/?id={record_id}").status_code == 403
        assert client.post("/admin/staff/handover/undo/", {"id": record_id}).status_code == 403
    assert head.post("/admin/staff/handover/undo/", {"id": record_id}, csrf=False).status_code == 400
    db.session.expire_all()
    assert _owned(db, mate) == 3 and db.session.get(User, leaver.id).active is False
    assert db.session.get(Handover, record_id).undone_at is None
