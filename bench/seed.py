"""Seed (or top up) a bench database without timing anything: ``python -m bench.seed --db D --customers N``.

The same database ``python -m bench`` uses; prints the time of each step and the database's size.
"""

import argparse
import time

from bench.database import BACKENDS, database_url, prepare
from bench.run import build_app


def database_size(engine) -> str:
    """The database's size on disk as the server reports it."""
    from sqlalchemy import text

    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            size = conn.scalar(text("SELECT pg_database_size(current_database())"))
        elif engine.dialect.name in ("mysql", "mariadb"):
            size = conn.scalar(
                text(
                    "SELECT SUM(data_length + index_length) FROM information_schema.tables "
                    "WHERE table_schema = DATABASE()"
                )
            )
        else:
            size = conn.scalar(text("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"))
    return f"{int(size or 0) / 2**30:.2f} GiB"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=BACKENDS, default="sqlite")
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    app = build_app(database_url(args.db, args.customers))
    counts = prepare(app, args.customers)
    from models import db

    with app.app_context():
        size = database_size(db.engine)
    print(", ".join(f"{k}: {v:,}" for k, v in counts.items()), f"; {size}; {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
