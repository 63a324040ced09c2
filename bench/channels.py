"""A Tết campaign through ZNS → SMS: queue N messages, deliver them with W worker processes.

    .venv/bin/python -m bench.channels --url postgresql+psycopg://postgres@127.0.0.1:5432/channels_bench \\
        --customers 1000000 --workers 4 [--rate 0]

Seeds customers (bench.birthday's seeding; never point it at real data: outbox, events,
campaigns and templates are cleared), queues the campaign with services.message_queue (set-based
INSERT … SELECT), starts a local sink speaking Zalo's and eSMS's shapes (tests/fake_providers.py,
in its own process; phones ending in 7 answer ZNS -118, so one in ten falls back to SMS) and W
``jobs.delivery_worker`` processes, and prints a table: the queueing time, messages/s, the
outcome per status and channel, the sink's duplicates (a key delivered twice; must be 0) and
the budget charged against the sum of the messages' costs.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import delete, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from bench.birthday import seed_customers
from config import INSTANCE
from models import Budget, BudgetLine, Campaign, Customer, MessageEvent, MessageTemplate, OutboxMessage, db
from services.message_queue import queue_campaign

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    from sqlalchemy import create_engine

    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}):
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    engine.dispose()


def prepare() -> Campaign:
    db.session.execute(delete(MessageEvent))
    db.session.execute(delete(OutboxMessage))
    db.session.execute(delete(Campaign))
    db.session.execute(delete(MessageTemplate))
    db.session.execute(delete(BudgetLine).where(BudgetLine.description == "bench channels"))
    db.session.execute(delete(Budget).where(Budget.title == "bench channels"))
    budget = Budget(year=2027, quarter_no=1, quarter="2027-Q1", team_key=998, title="bench channels", status="approved")
    db.session.add(budget)
    db.session.flush()
    line = BudgetLine(budget_id=budget.id, category="campaigns", description="bench channels", planned=10**13)
    zns = MessageTemplate(channel="zns", name="Tết ZNS", purpose="care", status="approved",
                          body="Chúc mừng năm mới {name}", provider_template_id="231677",
                          params="customer_name=name")  # fmt: skip
    sms = MessageTemplate(channel="sms", name="Tết SMS", purpose="care", status="approved",
                          body="CSKH: Chuc mung nam moi {name}! Cam on quy khach da dong hanh.")  # fmt: skip
    db.session.add_all([line, zns, sms])
    db.session.flush()
    campaign = Campaign(name="Tết bench", audience="", channel="email", message_template="Chúc mừng năm mới {name}",
                        channel_order="zns,sms", zns_template_id=zns.id, sms_template_id=sms.id,
                        budget_line_id=line.id, status="approved")  # fmt: skip
    db.session.add(campaign)
    db.session.commit()
    return campaign


def analyze() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE) outbox_messages"))
            conn.execute(text("ANALYZE customers"))


def deliver(url: str, workers: int, rate: float, sink: str) -> float:
    env = dict(os.environ)
    env.update(
        CSKH_CONFIG="development",
        DATABASE_URL=url,
        ZNS_API_URL=f"{sink}/zns/message/template",
        SMS_API_URL=f"{sink}/esms/SendMultipleMessage_V4_post_json/",
        ZALO_APP_ID="app-1",
        ZNS_ACCESS_TOKEN="token-1",
        SMS_API_KEY="k",
        SMS_SECRET_KEY="s",
        SMS_BRANDNAME="CSKH",
        ZNS_RATE_PER_SECOND=str(rate),
        SMS_RATE_PER_SECOND=str(rate),
        DELIVERY_BATCH="500",
    )
    command = [sys.executable, "-m", "jobs.delivery_worker", "--until-empty", "--share", f"{1 / workers:.4f}"]
    started = time.perf_counter()
    processes = [subprocess.Popen(command, cwd=ROOT, env=env) for _ in range(workers)]
    codes = [p.wait() for p in processes]
    if any(codes):
        raise SystemExit(f"a worker failed: {codes}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rate", type=float, default=0, help="messages/s per provider for all workers (0: no limit)")
    parser.add_argument("--url", default=f"sqlite:///{INSTANCE / 'bench_channels.sqlite3'}")
    args = parser.parse_args()
    ensure_database(args.url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url})
    with app.app_context():
        db.create_all()
        seconds = seed_customers(args.customers)
        total = db.session.scalar(select(func.count()).select_from(Customer))
        workers = 1 if db.engine.dialect.name == "sqlite" else args.workers
        print(f"{db.engine.dialect.name}: {total:,} customers (seeding took {seconds:.1f} s), {workers} workers")
        campaign = prepare()
        started = time.perf_counter()
        audience, queued = queue_campaign(campaign, "2027-02-10T08:00")
        queue_seconds = time.perf_counter() - started
        analyze()
        port = free_port()
        sink = subprocess.Popen([sys.executable, "-m", "tests.fake_providers", str(port), "7"], cwd=ROOT)
        time.sleep(1.0)
        try:
            wall = deliver(args.url, workers, args.rate, f"http://127.0.0.1:{port}")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=30) as r:
                stats = json.loads(r.read())
        finally:
            sink.terminate()
            sink.wait(10)
        db.session.expire_all()
        rows = db.session.execute(
            select(
                OutboxMessage.status,
                OutboxMessage.channel,
                func.count(),
                func.coalesce(func.sum(OutboxMessage.cost), 0),
            )
            .group_by(OutboxMessage.status, OutboxMessage.channel)
            .order_by(OutboxMessage.status, OutboxMessage.channel)
        ).all()
        spent = db.session.scalar(select(BudgetLine.spent).where(BudgetLine.id == campaign.budget_line_id))
        cost = sum(int(r[3]) for r in rows)
        print()
        print("| step | figure |")
        print("|---|---|")
        print(f"| audience / messages queued | {audience:,} / {queued:,} |")
        print(f"| queueing (INSERT … SELECT) | {queue_seconds:.1f} s |")
        print(f"| delivery, {workers} workers | {wall:.1f} s, {queued / wall:,.0f} messages/s |")
        print(f"| provider requests (ZNS + SMS) | {stats['requests']:,} |")
        for status, channel, n, c in rows:
            print(f"| {status} via {channel} | {n:,} messages, {int(c):,} ₫ |")
        print(f"| keys delivered twice (duplicates) | {stats['duplicates']} |")
        print(f"| keys sent again after a retry | {stats['resent']} |")
        print(f"| budget charged / sum of costs | {spent:,} ₫ / {cost:,} ₫ |")


if __name__ == "__main__":
    main()
