"""The bench's own database: created once per backend and size, seeded set-based, indexed, analysed."""

import os
import time

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from config import INSTANCE

BACKENDS = ("sqlite", "postgresql", "mariadb")
SERVERS = {
    "postgresql": os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mariadb": os.environ.get("BENCH_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"),
}
PREFIX = os.environ.get("BENCH_DB_PREFIX", "cskh_bench")
"""Server databases are ``<prefix>_<customers>``; the SQLite file is ``instance/bench_<customers>.sqlite3``."""


def database_url(backend: str, customers: int | str) -> str:
    """The bench database's URL; a server's database is created when missing (``cskh_bench_<N>``).

    ``BENCH_MARIADB_URL`` picks the MariaDB driver too: ``mysql+mysqldb://`` for mysqlclient
    (docs/performance.md, "MariaDB drivers"). ``customers`` may be a name (``birthday``)."""
    if backend == "sqlite":
        INSTANCE.mkdir(exist_ok=True)
        return f"sqlite:///{INSTANCE / f'bench_{customers}.sqlite3'}"
    if backend not in SERVERS:
        raise SystemExit(f"--db {backend}: choose one of {', '.join(BACKENDS)}")
    server = make_url(SERVERS[backend])
    name = f"{PREFIX}_{customers}"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if backend == "postgresql":
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        else:
            conn.execute(
                text(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            )
    engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def analyse(engine) -> None:
    """Planner statistics; on PostgreSQL also VACUUM, so index-only scans skip the heap (the visibility
    map is set only by a vacuum, and a server with autovacuum off never runs one on its own);
    MariaDB's is ``ANALYZE TABLE`` per table."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE)"))
    elif engine.dialect.name in ("mysql", "mariadb"):
        with engine.connect() as conn:
            names = [row[0] for row in conn.execute(text("SHOW TABLES"))]
            for start in range(0, len(names), 20):
                conn.execute(text("ANALYZE TABLE " + ", ".join(f"`{n}`" for n in names[start : start + 20]))).all()
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def add_missing_columns(engine, metadata, log=print) -> None:
    """Nullable columns added to the models after the database was seeded (a bench database is
    made by ``create_all``, not migrated): ``ALTER TABLE … ADD COLUMN``, instant on the three
    databases for a nullable column without a default."""
    from sqlalchemy import inspect

    live = inspect(engine)
    names = set(live.get_table_names())
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            if table.name not in names:
                continue
            have = {c["name"] for c in live.get_columns(table.name)}
            for column in table.columns:
                if column.name in have or not column.nullable:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))
                log(f"  column added: {table.name}.{column.name} {kind}")


def prepare(app, customers: int, log=print) -> dict:
    """Schema, data (only when the database holds fewer customers), search index and statistics."""
    from models import Complaint, Customer, Interaction, Order, db
    from services import bulk_data
    from services.search_index import ensure_search_indexes

    with app.app_context():
        db.create_all()
        have = db.session.scalar(select(func.count()).select_from(Customer))
        if have < customers:
            started = time.perf_counter()
            done = [have]

            def progress(n):
                done[0] += n
                log(f"  seeded {done[0]:,} customers ({time.perf_counter() - started:.0f} s)")

            log(f"Seeding {customers - have:,} customers (and their history) ...")
            bulk_data.seed(customers - have, progress=progress, log=log)
            log(f"  seeded in {time.perf_counter() - started:.0f} s")
        add_missing_columns(db.engine, db.metadata, log)
        with db.engine.begin() as conn:  # indexes added to the models after the database was seeded
            for table in db.metadata.sorted_tables:
                for index in table.indexes:
                    index.create(conn, checkfirst=True)
        statements = ensure_search_indexes(db.engine)
        for statement in statements:
            log(f"  index: {statement.splitlines()[0]}")
        analyse(db.engine)
        return {
            "customers": db.session.scalar(select(func.count()).select_from(Customer)),
            "interactions": db.session.scalar(select(func.count()).select_from(Interaction)),
            "orders": db.session.scalar(select(func.count()).select_from(Order)),
            "complaints": db.session.scalar(select(func.count()).select_from(Complaint)),
        }
