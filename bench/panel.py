"""A panel over a big external table on PostgreSQL, beside the raw SQL: ``python -m bench.panel``.

``--rows N`` (default 5,000,000): a database ``cskh_bench_panel_<N>`` on ``BENCH_POSTGRES_URL``'s server
holds ``ext_calls`` (a call log someone else designed: integer key, caller, agent, status, duration,
note, a naive timestamp), seeded set-based with ``generate_series`` and indexed on what the pages
sort and filter by; seeded once, reused afterwards. The CSKH side is a SQLite file with one head.
For each page (first, deep by offset, deep by keyset, sorted, filtered, sorted and filtered): p50 and
p95 of ``--repeat`` requests through the full Flask stack (the head logged in), the statements the
request sends to the source re-run alone on a raw connection (p50), and their number.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.database import SERVERS
from bench.run import captured, forget_capped_counts, logged_in, p95, sql_alone

SEED = [
    "CREATE TABLE ext_calls (id INTEGER PRIMARY KEY, caller VARCHAR(20) NOT NULL, agent VARCHAR(60) NOT NULL,"
    " status VARCHAR(12) NOT NULL, duration INTEGER NOT NULL, note VARCHAR(120), called_at TIMESTAMP NOT NULL)",
    "INSERT INTO ext_calls SELECT g, '09' || lpad((g::bigint * 7919 % 100000000)::text, 8, '0'),"
    " 'agent' || (g % 40) || '@shop.vn', (ARRAY['new', 'answered', 'missed', 'callback'])[1 + g % 4],"
    " 20 + g % 600, 'cuộc gọi ' || g, TIMESTAMP '2020-01-01' + (g || ' minutes')::interval"
    " FROM generate_series(1, :rows) AS g",
    "CREATE INDEX ext_calls_called_at ON ext_calls (called_at, id)",
    "CREATE INDEX ext_calls_status ON ext_calls (status, id)",
    "ANALYZE ext_calls",
]
CONFIG = """
[sources.calls]
url = "{url}"

[tables.calls]
source = "calls"
table = "ext_calls"
label_vi = "Nhật ký cuộc gọi"
label_en = "Call log"
column_list = ["id", "caller", "agent", "status", "duration", "called_at"]
searchable = ["caller"]
filterable = ["status", "duration"]
editable = ["status", "note"]
permissions = {{ head = ["view", "edit", "export"] }}
"""


def source_url(rows: int) -> str:
    server = make_url(SERVERS["postgresql"])
    name = f"cskh_bench_panel_{rows}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def seed(url: str, rows: int, log=print) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        found = conn.execute(text("SELECT to_regclass('ext_calls')")).scalar()
        if found is not None and conn.execute(text("SELECT max(id) FROM ext_calls")).scalar() == rows:
            return
        conn.execute(text("DROP TABLE IF EXISTS ext_calls"))
        started = time.perf_counter()
        for statement in SEED:
            conn.execute(text(statement), {"rows": rows} if ":rows" in statement else {})
        log(f"seeded {rows:,} rows in {time.perf_counter() - started:.0f} s")
    engine.dispose()


def build(url: str, workdir: Path):
    from app import create_app
    from config import TestingConfig
    from models import User, db

    config = workdir / "panel.toml"
    config.write_text(CONFIG.format(url=url), encoding="utf-8")
    settings = {k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()}
    settings |= {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'cskh.sqlite3'}",
        "TESTING": False,
        "PANEL_CONFIG": str(config),
    }
    app = create_app(settings)
    with app.app_context():
        db.create_all()
        head = User(email="head@bench.vn", name="Head", role="head", password_hash="x", active=True)
        db.session.add(head)
        db.session.commit()
        token = head.get_id()
    return app, token


def pages(app, rows: int) -> list[tuple[str, str]]:
    view = next(v for v in app.extensions["cskh_admin"]._views if v.endpoint == "panel_calls")
    with app.test_request_context():
        columns = [c for c, _label in view.get_list_columns()]
    status = next(
        k for k, (_i, f) in view._filter_args.items() if type(f).__name__ == "FilterEqual" and f.column.name == "status"
    )
    middle = rows // 2
    sort = columns.index("called_at")
    return [
        ("first page", "/admin/panel/calls/"),
        ("page 400 (offset 8,000)", "/admin/panel/calls/?page=400"),
        (f"page {middle // 20:,} (keyset, middle)", f"/admin/panel/calls/?page={middle // 20}&after={middle}"),
        ("sorted by called_at, page 1", f"/admin/panel/calls/?sort={sort}&desc=1"),
        ("sorted by called_at, page 50", f"/admin/panel/calls/?sort={sort}&desc=1&page=50"),
        ("filtered status=missed", f"/admin/panel/calls/?flt0_{status}=missed"),
        ("filtered status=missed, page 50", f"/admin/panel/calls/?flt0_{status}=missed&page=50"),
        ('search caller "0900"', "/admin/panel/calls/?search=0900"),
        ("details", f"/admin/panel/calls/details/?id={middle}"),
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.panel", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    url = source_url(args.rows)
    seed(url, args.rows)
    with tempfile.TemporaryDirectory() as workdir:
        app, token = build(url, Path(workdir))
        client = logged_in(app, token)
        print(f"PostgreSQL, external table of {args.rows:,} rows, {args.repeat} requests per page\n")
        print("| page | p50 | p95 | raw SQL p50 | statements |")
        print("|---|---|---|---|---|")
        for label, path in pages(app, args.rows):
            for _ in range(2):
                assert client.get(path).status_code == 200, path
            samples = []
            for _ in range(args.repeat):
                forget_capped_counts()
                started = time.perf_counter()
                client.get(path)
                samples.append((time.perf_counter() - started) * 1000)
            engine = app.extensions["cskh_panel"].sources["calls"].engine
            sent = captured(app, client, path, engine)
            raw = sql_alone(app, sent, args.repeat, engine)
            ours = f"{statistics.median(samples):.1f} ms | {p95(samples):.1f} ms"
            print(f"| {label} | {ours} | {raw:.1f} ms | {len(sent)} |")
        app.extensions["cskh_panel"].dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
