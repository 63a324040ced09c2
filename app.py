"""The application factory: everything the web process, the scheduler and the CLI share."""

import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import Config, select_config
from extensions import babel, csrf, db, login_manager, migrate
from services import clean_writes, locking


def create_app(config: type[Config] | dict | str | None = None) -> Flask:
    """Build the app. ``config`` is a settings class, its name, or a mapping of overrides."""
    app = Flask(__name__, instance_relative_config=True, template_folder="admin/templates")
    settings = config if isinstance(config, type) else select_config(config if isinstance(config, str) else None)
    app.config.from_object(settings)
    if isinstance(config, dict):
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in the environment outside development.")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    _engine_options_for_backend(app)
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    clean_writes.install()
    locking.install()

    from admin import init_admin
    from admin.auth import init_auth
    from admin.i18n import init_i18n
    from admin.input_guard import init_input_guard
    from admin.public import init_public
    from admin.security import init_security
    from cli import init_cli
    from jobs import load_jobs

    init_i18n(app, babel)
    init_security(app)
    init_input_guard(app)
    init_auth(app, login_manager)
    init_admin(app)
    init_public(app)
    init_cli(app)
    load_jobs()  # the jobs declare themselves in services.job_catalogue, which the admin reads
    return app


def _engine_options_for_backend(app: Flask) -> None:
    """MariaDB defaults to REPEATABLE READ; READ COMMITTED makes it behave like PostgreSQL."""
    uri = str(app.config["SQLALCHEMY_DATABASE_URI"])
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith(("mysql", "mariadb")):
        options.setdefault("isolation_level", "READ COMMITTED")
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_write_ahead_log(dbapi_connection, _record) -> None:
    """A SQLite file in WAL mode: the web, the scheduler and a long export read while one of them
    writes (the default rollback journal makes a writer wait for every reader, e.g. a 1M-row export)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not ":memory:"
            cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


_app: Flask | None = None


def __getattr__(name: str) -> Flask:
    """``app`` for ``flask --app app`` and gunicorn, built on first use (tests import the factory only)."""
    global _app
    if name == "app":
        if _app is None:
            _app = create_app()
        return _app
    raise AttributeError(name)
