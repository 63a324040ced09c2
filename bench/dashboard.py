"""Time the dashboards (head, lead, agent) through the Flask test client, after the nightly KPI snapshots.

    .venv/bin/python -m bench.dashboard --db sqlite|postgresql|mariadb --customers N [--url URL] [--repeat 20]

Uses the list bench's database (``bench.database``: seeded when it holds fewer than N customers)
or ``--url``; creates the KPI tables when missing, takes ``services.kpi.snapshot.take`` for the
last ``--days`` local days (by default back to the start of the quarter that "last quarter" is
compared with), as the nightly job would have: the figures of the six-month trend and of the
compared periods. It then refreshes the running periods' figures (as the ``kpi_refresh``
job does every ten minutes), then prints, per role: p50, p95, the queries one request sends and
the time of those statements alone. The head's page is timed for "this month" (the default) and
"last quarter".
"""

import argparse
import platform
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bench.database import BACKENDS, analyse, database_url, prepare
from bench.run import build_app, captured, logged_in, p95, sql_alone, timed


def snapshot_days(app, days: int | None) -> tuple[int, float]:
    """Take the snapshot of each of the last ``days`` local days (``days_compared`` when None) not taken yet."""
    from models import KpiSnapshotDay, db
    from services.kpi import periods, snapshot

    started = time.perf_counter()
    taken = 0
    with app.app_context():
        db.create_all()
        today = periods.today()
        days = days or days_compared()
        have = set(db.session.scalars(select(KpiSnapshotDay.day)))
        for back in range(days, 0, -1):
            day = today - timedelta(days=back)
            if day not in have:
                snapshot.take(day)
                db.session.commit()
                taken += 1
    return taken, time.perf_counter() - started


def days_compared() -> int:
    """Days back to the start of the quarter before last quarter: with fewer snapshots, the "last quarter"
    page computes its comparison live (seconds a request; the sixth session in docs/performance.md)."""
    from services.kpi import periods

    today = periods.today()
    last = periods.quarter(*periods.quarter_of(today)).previous()
    return (today - last.previous().start).days


def refresh_running(app) -> float:
    """What the ``kpi_refresh`` job does every ten minutes: keep the running periods' figures."""
    from models import db
    from services.kpi import kept, periods
    from services.kpi.scope import every_scope

    started = time.perf_counter()
    with app.app_context():
        for scope in every_scope():
            for period in periods.running(periods.today()):
                kept.refresh(scope, period)
        db.session.commit()
    return time.perf_counter() - started


def first_user(app, role: str) -> str:
    from models import Complaint, User, db

    with app.app_context():
        query = select(User).where(User.role == role)
        if role == "agent":  # an agent with work, like the one a person would look at
            busiest = (
                select(Complaint.assignee_id)
                .where(Complaint.assignee_id.is_not(None))
                .group_by(Complaint.assignee_id)
                .order_by(func.count().desc())
                .limit(1)
            )
            query = query.where(User.id == db.session.scalar(busiest))  # MariaDB has no LIMIT in IN (…)
        return db.session.scalar(query.order_by(User.id).limit(1)).get_id()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=BACKENDS, default="sqlite")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--url", help="use this database instead of the list bench's")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--days",
        type=int,
        help="past days to snapshot before timing (default: back to the start of the quarter "
        "before last quarter, which the 'last quarter' page compares with)",
    )
    args = parser.parse_args(argv)

    url = args.url or database_url(args.db, args.customers)
    app = build_app(url)
    counts = prepare(app, args.customers)
    taken, seconds = snapshot_days(app, args.days)
    refreshed = refresh_running(app)
    with app.app_context():
        from models import db

        analyse(db.engine)
    print(
        f"\n{args.db}, {counts['customers']:,} customers, {counts['interactions']:,} interactions, "
        f"{counts['orders']:,} orders, {counts['complaints']:,} complaints; snapshots: {taken} days taken "
        f"now in {seconds:.1f} s; running periods refreshed in {refreshed:.1f} s (the kpi_refresh job); "
        f"{args.repeat} requests per page; {platform.node()} "
        f"{platform.processor() or platform.machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
    )
    pages = [
        ("head, this month", "head", "/admin/"),
        ("head, last quarter", "head", "/admin/?preset=last_quarter"),
        ("lead, this month", "lead", "/admin/"),
        ("agent, this month", "agent", "/admin/"),
    ]
    clients = {role: logged_in(app, first_user(app, role)) for role in ("head", "lead", "agent")}
    header = ("page", "p50", "p95", "SQL alone p50", "queries")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for label, role, path in pages:
        samples, status = timed(clients[role], path, args.repeat)
        statements = captured(app, clients[role], path)
        alone = sql_alone(app, statements, max(3, args.repeat // 4))
        note = "" if status == 200 else f" ({status})"
        cells = [
            label,
            f"{statistics.median(samples):.1f} ms{note}",
            f"{p95(samples):.1f} ms",
            f"{alone:.1f} ms",
            str(len(statements)),
        ]
        print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
