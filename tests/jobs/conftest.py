"""Fixtures of the job tests: a fixed clock, a second app on the same database, a real SMTP server."""

import socket
from datetime import UTC, datetime

import pytest

from jobs import load_jobs

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
"""08:30 in Hồ Chí Minh City: after the 07:00 birthday fire time of 23/11/2026."""


@pytest.fixture
def now():
    return NOW


@pytest.fixture(autouse=True)
def _jobs_loaded():
    load_jobs()


@pytest.fixture
def other_app(app):
    """Build more apps on the test database: each has its own engine, like another process."""
    from app import create_app
    from tests.conftest import _testing_overrides

    made = []

    def _make():
        other = create_app(_testing_overrides() | {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
        made.append(other)
        return other

    yield _make
    from models import db

    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """An aiosmtpd handler that keeps what it accepted, or refuses every message with ``refuse``."""

    def __init__(self, refuse: str | None = None):
        self.refuse = refuse
        self.received = []
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.refuse:
            return self.refuse
        self.received.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app):
    """Start a real SMTP server on 127.0.0.1 and point the app's SMTP_* settings at it."""
    from aiosmtpd.controller import Controller

    controllers = []

    def _start(refuse: str | None = None) -> Recorder:
        handler = Recorder(refuse)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_USER="", SMTP_STARTTLS=False)
        return handler

    yield _start
    for controller in controllers:
        controller.stop()
