"""Time the birthday job over N customers, and its re-run (which must add nothing).

    .venv/bin/python -m bench.birthday --customers 1000000 [--db sqlite|postgresql|mariadb] [--url URL] [--no-analyze]

Seeds customers only (set-based executemany, like services.demo_data, without their history)
into its own database (``--db``: instance/bench_birthday.sqlite3 or ``<prefix>_birthday`` on the
bench's PostgreSQL or MariaDB server, bench/database.py; tables created if missing;
gifts, messages and runs are cleared first, so never point it at real data), refreshes the
planner's statistics (docs/deploy.md: after a bulk load), then runs the birthday job for one
date, re-runs it, and catches up a week of missed dates, printing a small table: wall seconds
and this process's CPU seconds (the database server's own CPU is not in it).
"""

import argparse
import json
import random
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, insert, select

from app import create_app
from bench.database import BACKENDS, analyse, database_url
from config import INSTANCE
from jobs import load_jobs
from jobs.registry import JOBS, run_job
from jobs.scheduler import tick
from models import Budget, BudgetLine, Customer, Gift, JobRun, JobSetting, OutboxMessage, db
from services.customers import search_text_for
from services.demo_data import PROVINCES, SURNAMES, phone_for

CHUNK = 10_000


def seed_customers(n: int) -> float:
    have = db.session.scalar(select(func.count()).select_from(Customer)) or 0
    started = time.perf_counter()
    rng = random.Random(7)
    next_id = (db.session.scalar(select(func.max(Customer.id))) or 0) + 1
    now = datetime.now(UTC)
    for start in range(have, n, CHUNK):
        rows = []
        for i in range(start, min(n, start + CHUNK)):
            born = date(rng.randint(1955, 2004), 1, 1) + timedelta(days=rng.randint(0, 364))
            name = f"{rng.choice(SURNAMES)} Văn {i}"
            phone = phone_for(next_id)
            email = f"kh{next_id}@example.vn" if rng.random() < 0.7 else None
            rows.append(
                dict(
                    id=next_id,
                    name=name,
                    phone=phone,
                    email=email,
                    province=rng.choice(PROVINCES),
                    birthday=born,
                    birth_month=born.month,
                    birth_day=born.day,
                    kind="customer",
                    potential="medium",
                    is_vip=rng.random() < 0.08,
                    consent_contact=rng.random() < 0.9,
                    search_text=search_text_for(name, phone, email),
                    created_at=now,
                    updated_at=now,
                )
            )
            next_id += 1
        db.session.execute(insert(Customer), rows)
        db.session.commit()
    return time.perf_counter() - started


def refresh_statistics() -> float:
    """VACUUM (ANALYZE) on PostgreSQL (the cleared tables leave dead rows), ANALYZE TABLE on MariaDB,
    ANALYZE on SQLite (bench.database.analyse)."""
    started = time.perf_counter()
    analyse(db.engine)
    return time.perf_counter() - started


def timed(label, fn, rows):
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    runs = result if isinstance(result, list) else [result]
    runs = [r for r in runs if r is not None and r.job_id == "birthday"]
    processed = sum(r.processed for r in runs)
    created = sum(r.created for r in runs)
    status = ",".join(sorted({r.status for r in runs})) or "skipped (claimed)"
    rows.append((label, len(runs), processed, created, status, seconds, cpu))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--catch-up-days", type=int, default=7)
    parser.add_argument("--db", choices=BACKENDS, default="sqlite")
    parser.add_argument("--url", help="this database instead of --db's")
    parser.add_argument("--no-analyze", action="store_true", help="keep the planner's statistics as they are")
    args = parser.parse_args()
    url = args.url or (
        f"sqlite:///{INSTANCE / 'bench_birthday.sqlite3'}" if args.db == "sqlite" else database_url(args.db, "birthday")
    )
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        load_jobs()
        seconds = seed_customers(args.customers)
        total = db.session.scalar(select(func.count()).select_from(Customer))
        print(f"{db.engine.dialect.name}: {total:,} customers (seeding took {seconds:.1f} s)")
        for model in (OutboxMessage, Gift, JobRun):
            db.session.execute(delete(model))
        ours = select(Budget.id).where(Budget.title == "bench")  # the list bench's budgets stay
        db.session.execute(delete(BudgetLine).where(BudgetLine.budget_id.in_(ours)))
        db.session.execute(delete(Budget).where(Budget.title == "bench"))
        budget = Budget(year=2026, quarter_no=4, quarter="2026-Q4", team_key=999, title="bench", status="approved")
        db.session.add(budget)
        db.session.flush()
        line = BudgetLine(budget_id=budget.id, category="gifts", description="bench", planned=10**13)
        db.session.add(line)
        db.session.flush()
        setting = db.session.get(JobSetting, "birthday") or JobSetting(job_id="birthday", paused=False)
        setting.params = json.dumps(
            {"lead_days": 3, "item": "Hộp quà sinh nhật", "value": 150_000, "budget_line_id": line.id}
        )
        db.session.add(setting)
        for other in JOBS:
            if other != "birthday":  # the tick below times the birthday catch-up alone
                paused = db.session.get(JobSetting, other) or JobSetting(job_id=other)
                paused.paused = True
                db.session.add(paused)
        db.session.commit()
        if not args.no_analyze:
            print(f"statistics refreshed in {refresh_statistics():.1f} s")

        fire = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 07:00 local
        rows: list = []
        timed("run for 23/11/2026", lambda: run_job("birthday", fire, now=fire), rows)
        timed("re-run, same date", lambda: run_job("birthday", fire, now=fire), rows)
        timed("manual re-run, same date", lambda: run_job("birthday", "manual:2026-11-23T08:00:00", now=fire), rows)
        later = fire + timedelta(days=args.catch_up_days, hours=1)
        timed(f"catch-up after {args.catch_up_days} days down", lambda: tick(now=later, holder="bench"), rows)
        timed("tick again (nothing due)", lambda: tick(now=later + timedelta(minutes=1), holder="bench"), rows)
        gifts = db.session.scalar(select(func.count()).select_from(Gift))
        spent = db.session.get(BudgetLine, line.id).spent
        print(f"{'step':34} {'runs':>4} {'processed':>10} {'created':>8} {'status':>18} {'seconds':>8} {'cpu s':>6}")
        for label, n, processed, created, status, secs, cpu in rows:
            print(f"{label:34} {n:>4} {processed:>10,} {created:>8,} {status:>18} {secs:>8.2f} {cpu:>6.2f}")
        print(f"gifts in the database: {gifts:,}; spent on the line: {spent:,} VND")


if __name__ == "__main__":
    main()
