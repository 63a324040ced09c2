"""Shared fixtures: ``app`` (parametrised over SQLite, PostgreSQL and MariaDB), ``db``,
``client``, ``login_as(role)`` and the data factories in ``tests.factories``.

On CI (CI=true) an unreachable database fails the run; elsewhere its tests are
skipped with the reason, and the summary at the end names the skipped databases.
"""

import os
import re

import pytest
from flask.testing import FlaskClient

from tests import databases

os.environ.setdefault("CSKH_CONFIG", "testing")
_UNREACHABLE: dict[str, str] = {}


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        names = [b for b in databases.wanted() if marker is None or b in marker.args]
        metafunc.parametrize("backend", names, scope="session")


def pytest_configure(config):
    config.addinivalue_line("markers", "backends(*names): run only on these databases")
    config.addinivalue_line("markers", "browser: drives headless Chromium")


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    """An empty database on ``backend`` with the schema, for this pytest process."""
    from sqlalchemy import create_engine

    from models import Base

    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")
    name = f"cskh_t_{os.getpid()}_{worker}"
    try:
        url = databases.create_database(backend, name, str(tmp_path_factory.getbasetemp()))
    except Exception as exc:  # noqa: BLE001 - any connection error means the same here
        reason = f"{backend} unreachable: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        if databases.on_ci():
            pytest.fail(reason + " (CI=true: a missing database is a failure)")
        _UNREACHABLE[backend] = reason
        pytest.skip(reason)
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url
    databases.drop_database(backend, name)


class FreshContextClient(FlaskClient):
    """Each request runs in an app context of its own, as in production: ``g`` (the
    logged-in user, the CSP nonce) and the database session never leak from the test."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url):
    from app import create_app
    from models import Base
    from models import db as _db

    application = create_app(_testing_overrides() | {"SQLALCHEMY_DATABASE_URI": database_url})
    application.test_client_class = FreshContextClient
    ctx = application.app_context()
    ctx.push()
    yield application
    _db.session.remove()
    databases.wipe(_db.engine, Base.metadata)
    _db.engine.dispose()
    ctx.pop()


def _testing_overrides() -> dict:
    from config import TestingConfig

    return {k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()} | {
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}
    }


@pytest.fixture
def db(app):
    from models import db as _db

    return _db


@pytest.fixture
def client(app):
    return app.test_client()


_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/admin/") -> str:
    """A valid CSRF token for ``client``'s session, read from a page's form."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, f"no CSRF token on {path}: {html[:1500]}"
    return match.group(1)


class LoggedIn:
    """A test client logged in as ``user``; ``post`` adds the CSRF token unless told not to."""

    def __init__(self, client, user):
        self.client, self.user = client, user
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        self._token = None

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = csrf_token(self.client, "/admin/")
        return self._token

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, url, data=None, csrf: bool = True, **kwargs):
        data = dict(data or {}) if not isinstance(data, list) else data
        if csrf and isinstance(data, dict):
            data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def login_as(app, db):
    """``login_as("agent")`` or ``login_as(user)``: a logged-in client (a new user per role name)."""
    from tests import factories

    def _login(who, **kwargs):
        user = who if not isinstance(who, str) else factories.make_user(role=who, **kwargs)
        db.session.commit()
        return LoggedIn(app.test_client(), user)

    return _login


def pytest_terminal_summary(terminalreporter):
    if _UNREACHABLE:
        terminalreporter.write_line("")
        for backend, reason in _UNREACHABLE.items():
            terminalreporter.write_line(f"SKIPPED DATABASE {backend}: {reason}", yellow=True)


@pytest.fixture
def providers(app):
    """Fake Zalo (ZNS, OAuth) and eSMS in a thread (tests/fake_providers.py); the app points at it."""
    from tests.fake_providers import FakeProviders

    fake = FakeProviders().start()
    app.config.update(fake.settings, ZNS_RATE_PER_SECOND=0, SMS_RATE_PER_SECOND=0, EMAIL_RATE_PER_SECOND=0)
    yield fake
    fake.stop()


@pytest.fixture
def live_server(app):
    """The app served by werkzeug on 127.0.0.1 and a free port, in a thread, for this test."""
    from tests.live import serving

    with serving(app) as base:
        yield base
