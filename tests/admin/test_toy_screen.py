"""docs/architecture.md's "add a screen" recipe is true: four declarations, and the permission walk covers it.

The toy screen is declared the way a real one is, each block standing for one file of the recipe:
the model (models/<aggregate>.py), its rules (services/access.py: MATRIX, MODELS, ROW_RULES), the
view with ``register`` (admin/views/<area>.py) and its line in ``admin.VIEW_MODULES``. Then the
role × view × endpoint walk of tests/admin/test_permissions.py runs unchanged and finds it.
"""

from types import SimpleNamespace

import pytest
from sqlalchemy import String, false, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import admin as admin_package
from admin.base import SecureModelView
from models import Base, db
from services import access
from tests.admin import test_permissions as walk
from tests.conftest import FreshContextClient, _testing_overrides
from tests.world import build_world


# ---- 1. the model (models/<aggregate>.py; its own metadata here, so no other test sees the table) -------
class ToyBase(DeclarativeBase):
    pass


class ToyNote(ToyBase):
    __tablename__ = "toy_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    owner_id: Mapped[int | None] = mapped_column()
    team_id: Mapped[int | None] = mapped_column()


# ---- 2. who may do what to which rows (services/access.py) ---------------------------------------------
TOY_MATRIX = {
    "agent": {"view": "team", "create": "own", "edit": "own"},
    "lead": {"view": "team", "create": "team", "edit": "team", "delete": "team", "export": "team"},
    "head": {"view": "all", "create": "all", "edit": "all", "delete": "all", "export": "all"},
    "admin": {"view": "all"},
}
TOY_ROW_RULES = {
    "own": lambda u: ToyNote.owner_id == u.id,
    "team": lambda u: ToyNote.team_id == u.team_id if u.team_id is not None else false(),
}


# ---- 3. the view (admin/views/<area>.py) ----------------------------------------------------------------
class ToyNoteView(SecureModelView):
    resource = "toy_note"
    column_list = ["title", "owner_id", "team_id"]
    form_columns = ["title", "owner_id", "team_id"]


def register(admin):
    admin.add_view(ToyNoteView(ToyNote, db, name="Toy notes", endpoint="toy_notes"))


# ---- 4. its line in admin.VIEW_MODULES (monkeypatched below) ---------------------------------------------
@pytest.fixture
def app(database_url, monkeypatch):
    """The conftest's app, built with the toy screen declared."""
    from app import create_app

    monkeypatch.setattr(admin_package, "VIEW_MODULES", [*admin_package.VIEW_MODULES, __name__])
    monkeypatch.setitem(access.MATRIX, "toy_note", TOY_MATRIX)
    monkeypatch.setitem(access.MODELS, "toy_note", ToyNote)
    monkeypatch.setitem(access.ROW_RULES, "toy_note", TOY_ROW_RULES)
    monkeypatch.setitem(access.RESOURCE_OF_MODEL, ToyNote, "toy_note")  # derived from MODELS at import
    application = create_app(_testing_overrides() | {"SQLALCHEMY_DATABASE_URI": database_url})
    application.test_client_class = FreshContextClient
    ctx = application.app_context()
    ctx.push()
    ToyBase.metadata.create_all(db.engine)
    yield application
    db.session.remove()
    ToyBase.metadata.drop_all(db.engine)
    from tests import databases

    databases.wipe(db.engine, Base.metadata)
    db.engine.dispose()
    ctx.pop()


def _world_with_toy_notes():
    world = build_world()
    for user in world["users"].values():
        for n in (1, 2, 3):
            db.session.add(ToyNote(title=f"note {n} of {user.email}", owner_id=user.id, team_id=user.team_id))
    db.session.add(ToyNote(title="nobody's"))
    db.session.commit()
    return world


def test_the_walk_finds_the_toy_screen(app):
    assert [v.endpoint for v in walk.secure_views(app) if v.resource == "toy_note"] == ["toy_notes"]


@pytest.mark.parametrize("who", walk.ROLES)
def test_the_walk_covers_the_toy_screen_unchanged(app, db, login_as, who, monkeypatch):
    """The walk itself, narrowed to the toy view to save time, its toy rows in the fingerprint."""
    toy_views = [v for v in walk.secure_views(app) if v.resource == "toy_note"]
    tables = [*Base.metadata.sorted_tables, ToyNote.__table__]
    monkeypatch.setattr(walk, "secure_views", lambda app: toy_views)
    monkeypatch.setattr(walk, "build_world", _world_with_toy_notes)
    monkeypatch.setattr(walk, "Base", SimpleNamespace(metadata=SimpleNamespace(sorted_tables=tables)))
    walk.test_permission_matrix(app, db, login_as, who)


def test_a_toy_row_outside_the_scope_is_refused_and_unchanged(app, db, login_as):
    world = _world_with_toy_notes()
    lead2 = world["users"]["lead2"]
    other_team = db.session.scalars(select(ToyNote).where(ToyNote.owner_id == lead2.id)).first()
    client = login_as(world["users"]["agent11"])
    assert client.get(f"/admin/toy_notes/details/?id={other_team.id}").status_code == 403
    assert client.post(f"/admin/toy_notes/edit/?id={other_team.id}", {"title": "x"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(ToyNote, other_team.id).title == f"note 1 of {lead2.email}"
