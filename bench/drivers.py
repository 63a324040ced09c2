"""Compare MariaDB drivers on the statements of real pages: ``python -m bench.drivers --customers N``.

For each driver URL it replays what a customers list page and an interactions list page send (captured
from the app once, with PyMySQL), ``--repeat`` times through SQLAlchemy, and prints the client's CPU per
page (``time.process_time``: the driver's work, which a loaded machine inflates far less than the
wall clock) and the wall-clock p50. A driver that is not installed is reported as such.
"""

import argparse
import statistics
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.database import SERVERS, database_url

DRIVERS = {
    "PyMySQL (pure Python)": "mysql+pymysql",
    "mysqlclient (C, libmariadb)": "mysql+mysqldb",
    "MySQL Connector/Python (C extension)": "mysql+mysqlconnector",
    "MariaDB Connector/Python": "mariadb+mariadbconnector",
}
PAGES = ("/admin/customers/", "/admin/interactions/", "/admin/orders/?page=400")


def page_statements(customers: int) -> list[list[tuple[str, dict]]]:
    """The statements (with their parameters) of ``PAGES``, as the app sends them on PyMySQL."""
    from sqlalchemy import select

    from bench.run import build_app, captured, logged_in
    from models import User, db

    app = build_app(database_url("mariadb", customers))
    with app.app_context():
        head = db.session.scalar(select(User).where(User.role == "head").limit(1)).get_id()
    client = logged_in(app, head)
    found = []
    for path in PAGES:
        client.get(path)
        found.append([(s, p) for s, p in captured(app, client, path)])
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.drivers", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    pages = page_statements(args.customers)
    database = make_url(database_url("mariadb", args.customers)).database
    print("| driver | client CPU per page (3 pages) | wall p50 per page | rows per page |")
    print("|---|---|---|---|")
    for label, scheme in DRIVERS.items():
        url = make_url(SERVERS["mariadb"]).set(drivername=scheme, database=database)
        if scheme.startswith("mariadb"):  # its connect() takes no charset (utf8mb4 is its default)
            url = url.difference_update_query(["charset"])
        try:
            engine = create_engine(url)
            conn = engine.connect()
        except Exception as exc:  # noqa: BLE001 - a driver that is not installed
            print(f"| {label} | not available: {type(exc).__name__}: {str(exc).splitlines()[0][:80]} | | |")
            continue
        # the app's statements use the pyformat placeholders of PyMySQL and mysqlclient
        statements = [[(text(_named(s)), p) for s, p in page] for page in pages]
        cpu, wall, rows = [], [], 0
        for round_ in range(args.repeat + 5):
            started, started_cpu = time.perf_counter(), time.process_time()
            rows = 0
            for page in statements:
                for statement, params in page:
                    rows += len(conn.execute(statement, _params(params)).all())
            if round_ >= 5:
                wall.append((time.perf_counter() - started) * 1000 / len(statements))
                cpu.append((time.process_time() - started_cpu) * 1000 / len(statements))
        conn.close()
        engine.dispose()
        cells = (f"{statistics.median(cpu):.2f} ms", f"{statistics.median(wall):.2f} ms", f"{rows / len(pages):.0f}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    return 0


def _named(statement: str) -> str:
    """``%(name)s`` -> ``:name`` so that ``text()`` binds the same values on every driver."""
    import re

    return re.sub(r"%\((\w+)\)s", r":\1", statement).replace("%%", "%")


def _params(params) -> dict:
    return dict(params) if isinstance(params, dict) else {}


if __name__ == "__main__":
    raise SystemExit(main())
