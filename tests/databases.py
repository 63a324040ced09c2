"""The three databases the suite runs on, each test session in a database of its own.

PostgreSQL and MariaDB are the machine's servers (DEVELOPERS.md); every pytest
process (and xdist worker) creates ``cskh_t_<pid>`` there and drops it at the end,
so parallel runs never see each other's rows.
"""

import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SERVER_URLS = {
    "postgresql": os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mariadb": os.environ.get("TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"),
}
ALL = ("sqlite", "postgresql", "mariadb")


def wanted() -> list[str]:
    names = os.environ.get("TEST_DATABASES", ",".join(ALL))
    return [n.strip() for n in names.split(",") if n.strip()]


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def create_database(backend: str, name: str, tmp_dir: str) -> str:
    """Create an empty database ``name`` on ``backend``; return its URL. Raises when unreachable."""
    if backend == "sqlite":
        path = os.path.join(tmp_dir, f"{name}.sqlite3")
        if os.path.exists(path):
            os.remove(path)
        return f"sqlite:///{path}"
    server = make_url(SERVER_URLS[backend])
    engine = create_engine(server, isolation_level="AUTOCOMMIT", connect_args=_timeout(backend))
    try:
        with engine.connect() as conn:
            if backend == "postgresql":
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
                conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    finally:
        engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def drop_database(backend: str, name: str) -> None:
    if backend == "sqlite":
        return
    engine = create_engine(SERVER_URLS[backend], isolation_level="AUTOCOMMIT", connect_args=_timeout(backend))
    try:
        with engine.connect() as conn:
            if backend == "postgresql":
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    finally:
        engine.dispose()


def _timeout(backend: str) -> dict:
    return {"connect_timeout": 5}


def wipe(engine, metadata) -> None:
    """Delete every row of every table, fast, ignoring foreign-key order."""
    tables = list(reversed(metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        if engine.dialect.name in ("mysql", "mariadb"):
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
        for table in tables:
            conn.execute(table.delete())
        if engine.dialect.name in ("mysql", "mariadb"):
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
