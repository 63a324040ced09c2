"""Every role × every view × every endpoint, GET and POST, inside and outside the role's rows.

In the style of Django's AdminViewPermissionsTest: the status of each request is
checked against services.access, and after every refusal the whole database is
compared with its state before the request.
"""

import hashlib
import re

import pytest
from flask_admin.contrib.sqla import ModelView
from sqlalchemy import select, text

from admin.base import SecureModelView
from models import Base
from services import access
from tests.world import build_world

ROLES = ("agent11", "lead1", "head", "admin")


DERIVED = ("kpi_",)
"""Aggregates the dashboard caches on a GET (models/kpi.py): derived from the data, not data."""


def digest(db) -> str:
    """A fingerprint of every row of every table that holds data."""
    h = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name.startswith(DERIVED):
                continue
            pk = [c.name for c in table.primary_key.columns]
            for row in conn.execute(table.select().order_by(*[table.c[p] for p in pk])):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def secure_views(app):
    admin = app.extensions["cskh_admin"]
    return [v for v in admin._views if isinstance(v, SecureModelView) and v.resource in access.MODELS]


def test_every_view_inherits_the_secure_base(app):
    plain = [
        v
        for v in app.extensions["cskh_admin"]._views
        if isinstance(v, ModelView) and not isinstance(v, SecureModelView)
    ]
    assert plain == []


def _rows_in_scope(db, view, user, action):
    model = view.model
    pk = model.__mapper__.primary_key[0]
    with db.session.no_autoflush:
        return set(db.session.scalars(select(pk).where(access.model_scope_clause(user, model, action))))


def _all_ids(db, view):
    pk = view.model.__mapper__.primary_key[0]
    return list(db.session.scalars(select(pk)))


@pytest.mark.parametrize("who", ROLES)
def test_permission_matrix(app, db, login_as, who):
    world = build_world()
    user = world["users"][who]
    client = login_as(user)
    checked = 0

    def refused(response, label):
        nonlocal checked
        checked += 1
        assert response.status_code in (403, 405), f"{label}: {response.status_code}"

    for view in secure_views(app):
        base = f"/admin/{view.endpoint}"
        label = f"{who} {view.endpoint}"
        may_view = access.allowed(user, view.resource, "view")
        ids = _all_ids(db, view)
        before = digest(db)

        response = client.get(f"{base}/")
        if not may_view:
            refused(response, f"{label} list")
            for path in ("details/?id=1", "new/", "edit/?id=1", "export/csv/"):
                refused(client.get(f"{base}/{path}"), f"{label} GET {path}")
            for path in ("new/", "edit/?id=1", "delete/", "action/", "ajax/update/"):
                refused(
                    client.post(f"{base}/{path}", {"id": "1", "rowid": "1", "action": "delete", "list_form_pk": "1"}),
                    f"{label} POST {path}",
                )
            assert digest(db) == before, label
            continue
        assert response.status_code == 200, f"{label} list {response.status_code}"
        html = response.get_data(as_text=True)
        visible = _rows_in_scope(db, view, user, "view")
        shown = {m for m in re.findall(r"[?&]id=([^&\"']+)", html)}
        outside = {str(i) for i in ids} - {str(i) for i in visible}
        assert not (shown & outside), f"{label} list shows rows outside scope: {shown & outside}"

        for action in ("create",):
            r = client.get(f"{base}/new/")
            if access.allowed(user, view.resource, action):
                assert r.status_code == 200, f"{label} new {r.status_code}"
            else:
                refused(r, f"{label} GET new")
                refused(client.post(f"{base}/new/", {}), f"{label} POST new")
                assert digest(db) == before, f"{label} POST new changed the database"

        editable = _rows_in_scope(db, view, user, "edit")
        deletable = _rows_in_scope(db, view, user, "delete")
        for pk in ids:
            row = f"{label} id={pk}"
            r = client.get(f"{base}/details/?id={pk}")
            if pk in visible:
                assert r.status_code == 200, f"{row} details {r.status_code}"
            else:
                refused(r, f"{row} details")
            if pk not in editable:
                refused(client.get(f"{base}/edit/?id={pk}"), f"{row} GET edit")
                refused(client.post(f"{base}/edit/?id={pk}", {}), f"{row} POST edit")
                refused(client.post(f"{base}/ajax/update/", {"list_form_pk": pk, "name": "x"}), f"{row} ajax update")
            if pk not in deletable:
                refused(client.post(f"{base}/delete/", {"id": pk}), f"{row} POST delete")
                refused(client.post(f"{base}/action/", {"action": "delete", "rowid": pk}), f"{row} action delete")
            refused(client.get(f"{base}/delete/?id={pk}"), f"{row} GET delete")
            assert digest(db) == before, f"{row}: a refused request changed the database"

        for name in getattr(view, "_form_ajax_refs", {}) or {}:
            r = client.get(f"{base}/ajax/lookup/?name={name}&query=")
            if access.allowed(user, view.resource, "create") or access.allowed(user, view.resource, "edit"):
                assert r.status_code == 200, f"{label} lookup {name}"
            else:
                refused(r, f"{label} lookup {name}")

        assert digest(db) == before, label
        r = client.get(f"{base}/export/csv/")
        if not access.allowed(user, view.resource, "export"):
            refused(r, f"{label} export")
            assert digest(db) == before, f"{label} refused export changed the database"
        else:
            assert r.status_code == 200, f"{label} export {r.status_code}"
    assert checked > 20


def test_post_without_csrf_is_refused_everywhere(app, db, login_as):
    world = build_world()
    client = login_as(world["users"]["head"])
    before = digest(db)
    for view in secure_views(app):
        base = f"/admin/{view.endpoint}"
        for path in ("new/", "delete/", "action/"):
            r = client.post(f"{base}/{path}", {"id": "1", "rowid": "1", "action": "delete"}, csrf=False)
            assert r.status_code == 400, f"{base}/{path} {r.status_code}"
    assert digest(db) == before


def test_anonymous_is_sent_to_login(app, db, client):
    build_world()
    for view in secure_views(app):
        r = client.get(f"/admin/{view.endpoint}/")
        assert r.status_code == 302 and "/login" in r.headers["Location"], view.endpoint


def test_lookups_return_only_rows_in_scope(app, db, login_as):
    world = build_world()
    client = login_as(world["users"]["lead1"])
    r = client.get("/admin/customers/ajax/lookup/?name=owner&query=")
    assert r.status_code == 200
    names = {label for _, label in r.get_json()}
    assert names and all("w.vn" in n for n in names)
    assert not any("lead2" in n or "agent2" in n for n in names)
    db.session.execute(text("SELECT 1"))


def test_no_filter_reaches_a_secret_column(app):
    """Flask-Admin adds a filter for every column of a related model (owner → User.*)."""
    for view in secure_views(app):
        keys = {getattr(getattr(f, "column", None), "key", None) for f in view._filters or []}
        assert not keys & {"password_hash", "session_token"}, view.endpoint


def test_deleting_a_customer_with_history_is_refused_with_a_message(app, db, login_as):
    world = build_world()
    from models import Customer

    customer_id = db.session.scalar(select(Customer.id).where(Customer.owner_id == world["users"]["agent11"].id))
    client = login_as(world["users"]["head"])
    before = digest(db)
    response = client.post("/admin/customers/delete/", {"id": customer_id}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "không thể xóa" in html.lower() or "cannot be deleted" in html
    assert "INSERT" not in html and "DELETE FROM" not in html and "IntegrityError" not in html
    assert digest(db) == before
