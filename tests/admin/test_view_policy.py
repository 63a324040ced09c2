"""SecureModelView asks only its policy (services/view_policy.py); the matrix policy answers as the matrix."""

from types import SimpleNamespace

import pytest
from sqlalchemy import false, select, true

from admin.views.customers import CustomerView
from models import Customer
from services import access
from services.view_policy import MatrixPolicy, ViewPolicy
from tests.admin.test_permissions import digest
from tests.world import build_world


def _user(role):
    return SimpleNamespace(is_authenticated=True, is_active=True, role=role, id=1, team_id=1)


def test_the_matrix_policy_answers_as_the_matrix():
    actions = {a for by_role in access.MATRIX.values() for acts in by_role.values() for a in acts}
    for resource in access.MODELS:
        policy = MatrixPolicy(resource)
        for role in access.ROLES:
            user = _user(role)
            for action in actions:
                assert policy.allowed(user, action) == access.allowed(user, resource, action)
                assert policy.unrestricted(user, action) == (access.scope_name(user, resource, action) == "all")


class _Rows(ViewPolicy):
    """Every action allowed, on the rows of ``condition`` only."""

    def __init__(self, condition):
        self.condition = condition

    def allowed(self, user, action):
        return True

    def clause(self, user, action):
        return self.condition

    def permits(self, user, action, obj):
        return False

    def covers(self, model):
        return True


class _Nothing(_Rows):
    def allowed(self, user, action):
        return False


@pytest.fixture
def head(db, login_as):
    world = build_world()
    return world, login_as(world["users"]["head"])


def test_a_policy_that_refuses_closes_every_endpoint(app, db, head, monkeypatch):
    _, client = head
    monkeypatch.setattr(CustomerView, "policy", property(lambda self: _Nothing(true())))
    customer_id = db.session.scalar(select(Customer.id))
    before = digest(db)
    for path in ("", "new/", f"details/?id={customer_id}", f"edit/?id={customer_id}", "export/csv/"):
        assert client.get(f"/admin/customers/{path}").status_code == 403, path
    assert client.post("/admin/customers/delete/", {"id": customer_id}).status_code == 403
    assert digest(db) == before


def test_rows_come_through_the_policy_clause(app, db, head, monkeypatch):
    """The head sees every customer; a policy whose clause holds no row leaves a list without rows,
    and a row read by id that exists outside the clause answers 403, one that does not exist is not found."""
    _, client = head
    customer_id = db.session.scalar(select(Customer.id))
    assert client.get(f"/admin/customers/details/?id={customer_id}").status_code == 200
    monkeypatch.setattr(CustomerView, "policy", property(lambda self: _Rows(false())))
    html = client.get("/admin/customers/").get_data(as_text=True)
    assert f"id={customer_id}" not in html
    assert client.get(f"/admin/customers/details/?id={customer_id}").status_code == 403
    assert client.get("/admin/customers/details/?id=987654").status_code in (302, 404)
