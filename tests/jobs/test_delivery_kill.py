"""A delivery worker killed with SIGKILL mid-batch: its messages are taken again after the lease,
and the idempotency key keeps the provider from delivering any of them twice."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from models import BudgetLine, MessageEvent, OutboxMessage, db
from tests.factories import make_budget_line, make_customer, make_message, make_templates

ROOT = Path(__file__).resolve().parents[2]


def _worker(app, providers, name: str) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        CSKH_CONFIG="testing",
        TEST_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SMS_API_URL=providers.settings["SMS_API_URL"],
        SMS_API_KEY="k",
        SMS_SECRET_KEY="s",
        SMS_BRANDNAME="CSKH",
        SMS_RATE_PER_SECOND="0",
        DELIVERY_BATCH="20",
        DELIVERY_LEASE_SECONDS="2",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "jobs.delivery_worker", "--until-empty", "--name", name],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_no_double_send_after_a_worker_is_killed_mid_batch(app, providers):
    line = make_budget_line(1_000_000, category="campaigns")
    templates = make_templates()
    ids = [
        make_message(make_customer(phone=f"09140000{i:02d}"), templates, order=("sms",), budget_line_id=line.id).id
        for i in range(60)
    ]
    db.session.commit()
    providers.state.all_delay = 0.05
    first = _worker(app, providers, "killed")
    deadline = time.monotonic() + 60
    while sum(providers.state.accepted.values()) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    db.session.expire_all()
    in_flight = db.session.scalar(select(func.count()).where(OutboxMessage.status == "sending")) or 0
    assert in_flight > 0, "the worker was killed with messages in its hands"
    accepted_before = sum(providers.state.accepted.values())

    time.sleep(2.5)  # the killed worker's lease runs out
    second = _worker(app, providers, "second")
    output = second.communicate(timeout=120)[0].decode()
    assert second.returncode == 0, output

    db.session.expire_all()
    messages = [db.session.get(OutboxMessage, i) for i in ids]
    assert [m.status for m in messages] == ["sent"] * 60
    assert providers.state.duplicates() == 0, "no key was delivered twice"
    assert all(providers.state.accepted[f"cskh-{i}-sms"] == 1 for i in ids)
    assert accepted_before >= 5
    reclaimed = db.session.scalar(select(func.count()).where(MessageEvent.status == "reclaimed")) or 0
    assert reclaimed >= 1
    resent = [k for k, n in providers.state.received.items() if n > 1]
    assert all(providers.state.accepted[k] == 1 for k in resent)
    price = app.config["PRICE_SMS_VINAPHONE"]  # 091…
    assert sum(m.cost for m in messages) == 60 * price
    assert db.session.get(BudgetLine, line.id).spent == 60 * price, "nothing charged twice"
