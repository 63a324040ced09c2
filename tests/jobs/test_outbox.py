"""The outbox sender against a real SMTP server (aiosmtpd on 127.0.0.1), and the non-email channels."""

from datetime import time, timedelta

from sqlalchemy import select

from jobs.outbox import deliver_due
from models import Appointment, OutboxMessage, db
from tests.factories import make_customer, make_user


def queue(customer, channel="email", key="m1", **kw) -> int:
    message = OutboxMessage(
        customer_id=customer.id,
        channel=channel,
        recipient=customer.email if channel == "email" else customer.phone,
        subject="Chúc mừng sinh nhật",
        body="Kính gửi quý khách, chúc mừng sinh nhật!",
        dedupe_key=key,
        attempts=0,
        status="queued",
        **kw,
    )
    db.session.add(message)
    db.session.commit()
    return message.id


def test_email_reaches_a_real_smtp_server(app, now, smtp_server):
    server = smtp_server()
    mid = queue(make_customer("Trần Thị Bình", email="binh@example.vn"))
    assert deliver_due(now) == {"sent": 1}
    db.session.expire_all()
    message = db.session.get(OutboxMessage, mid)
    assert message.status == "sent" and message.attempts == 1 and message.sent_at == now
    assert len(server.received) == 1
    assert server.received[0].rcpt_tos == ["binh@example.vn"]
    assert (
        "Subject: =?utf-8?" in server.received[0].content.decode() or "sinh nh" in server.received[0].content.decode()
    )
    assert deliver_due(now + timedelta(hours=1)) == {}
    assert len(server.received) == 1


def test_refused_delivery_is_retried_with_backoff_then_failed_with_the_reason(app, now, smtp_server):
    app.config.update(OUTBOX_MAX_ATTEMPTS=3, OUTBOX_BACKOFF_SECONDS=60)
    server = smtp_server(refuse="550 5.1.1 Mailbox unavailable")
    mid = queue(make_customer("Lê Văn Cường", email="cuong@example.vn"))
    assert deliver_due(now) == {"queued": 1}
    db.session.expire_all()
    message = db.session.get(OutboxMessage, mid)
    assert message.status == "queued" and message.attempts == 1
    assert message.next_attempt_at == now + timedelta(seconds=60)
    assert "550" in message.last_error and "Mailbox unavailable" in message.last_error
    assert deliver_due(now + timedelta(seconds=30)) == {}, "not before the backoff"
    assert deliver_due(now + timedelta(seconds=60)) == {"queued": 1}
    db.session.expire_all()
    assert db.session.get(OutboxMessage, mid).next_attempt_at == now + timedelta(seconds=60 + 120)
    assert deliver_due(now + timedelta(seconds=180)) == {"failed": 1}
    db.session.expire_all()
    message = db.session.get(OutboxMessage, mid)
    assert message.status == "failed" and message.attempts == 3 and message.sent_at is None
    assert message.last_error.startswith("550")
    assert server.attempts == 3
    assert deliver_due(now + timedelta(days=1)) == {}
    assert server.attempts == 3


def test_phone_message_becomes_a_task_in_the_customers_hours_and_no_consent_is_skipped(app, now):
    agent = make_user("agent")
    late = make_customer("Phạm Minh Đức", owner=agent, contact_from=time(14, 0), contact_to=time(17, 0))
    refused = make_customer("Võ Thị Em", owner=agent, consent_contact=False, email="em@example.vn")
    phone_id = queue(late, channel="phone", key="p1")
    refused_id = queue(refused, key="p2")
    assert deliver_due(now) == {"task": 1, "skipped": 1}
    db.session.expire_all()
    assert db.session.get(OutboxMessage, phone_id).status == "task"
    assert db.session.get(OutboxMessage, refused_id).status == "skipped"
    task = db.session.scalars(select(Appointment)).one()
    assert task.kind == "delivery_task" and task.agent_id == agent.id and task.customer_id == late.id
    local = task.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
    assert time(14, 0) <= local.time() < time(17, 0)
    assert task.starts_at > now
    assert deliver_due(now + timedelta(hours=1)) == {}
    assert len(db.session.scalars(select(Appointment)).all()) == 1


def test_phone_tasks_take_free_slots_within_the_owners_daily_capacity(app, now):
    """A phone message is a call like any other: planned into the owner's free slots, never two at
    once, never more than the day's capacity (the rest spills to the next working day)."""
    from collections import Counter
    from zoneinfo import ZoneInfo

    app.config.update(CALL_DAILY_CAPACITY=3)
    agent = make_user("agent")
    customers = [make_customer(f"Khách {i}", owner=agent, phone=f"09120001{i:02d}") for i in range(5)]
    for i, customer in enumerate(customers):
        queue(customer, channel="phone", key=f"cap{i}")
    assert deliver_due(now) == {"task": 5}
    starts = [a.starts_at for a in db.session.scalars(select(Appointment).where(Appointment.agent_id == agent.id))]
    assert len(set(starts)) == 5, "no two calls of one agent at the same time"
    per_day = Counter(s.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date() for s in starts)
    assert max(per_day.values()) <= 3 and len(per_day) >= 2, per_day
