"""The outbox sender: email over SMTP with retries and backoff; other channels become agent tasks.

Each attempt is claimed with a conditional UPDATE on ``attempts`` (so two senders never send
one message twice), then the message ends ``sent``, back in the queue with ``next_attempt_at``
(1, 2, 4 … minutes later) and the reason, or ``failed`` with the reason after
``OUTBOX_MAX_ATTEMPTS``. Phone and in-person messages become a "delivery_task" for the
customer's owner at a time inside the customer's contact hours; a customer who refused
contact gets nothing (``skipped``).
"""

import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from jobs.effects import add_tasks, call_time, next_morning_slot
from jobs.registry import RunContext, cron, job
from models import Customer, OutboxMessage, db, utcnow

CHUNK = 200
GATEWAYS = {"email"}


def max_attempts() -> int:
    return int(current_app.config.get("OUTBOX_MAX_ATTEMPTS", 3))


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=int(current_app.config.get("OUTBOX_BACKOFF_SECONDS", 60)) * 2 ** (attempts - 1))


def send_email(message: OutboxMessage) -> None:
    """Hand one email to the SMTP server of app.config (SMTP_*); raises on refusal or network error."""
    config = current_app.config
    mail = EmailMessage()
    mail["From"] = config.get("MAIL_FROM", "cskh@example.vn")
    mail["To"] = message.recipient
    mail["Subject"] = message.subject or ""
    mail.set_content(message.body)
    with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=config.get("SMTP_TIMEOUT", 10)) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
        smtp.send_message(mail)


def reason(exc: Exception) -> str:
    """A short, readable reason: the server's code and text when it gave one."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                 for code, text in exc.recipients.values()]  # fmt: skip
        return "; ".join(parts)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}"


def _claim(message: OutboxMessage, now: datetime) -> bool:
    """Take this attempt (attempts + 1) unless another sender already did."""
    return (
        db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message.id,
                OutboxMessage.status == "queued",
                OutboxMessage.attempts == message.attempts,
            )
            .values(attempts=message.attempts + 1, next_attempt_at=now + timedelta(minutes=10))
        ).rowcount
        == 1
    )


def _finish(message_id: int, **values) -> None:
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))
    db.session.commit()


def deliver(message: OutboxMessage, now: datetime) -> str:
    """Deliver or hand over one claimed message (``attempts`` already counts this try); returns its status."""
    customer: Customer | None = message.customer
    if customer is not None and not customer.consent_contact:
        _finish(message.id, status="skipped", last_error=_("The customer does not consent to be contacted."))
        return "skipped"
    if message.channel not in GATEWAYS:
        if customer is None:
            _finish(message.id, status="failed", last_error=_("No gateway for %(channel)s.", channel=message.channel))
            return "failed"
        if message.channel == "phone":
            starts = call_time(customer, now, customer.owner_id)
        else:
            starts = next_morning_slot(now)
        add_tasks(
            [
                dict(
                    customer_id=customer.id,
                    agent_id=customer.owner_id,
                    kind="delivery_task",
                    purpose=(message.subject or message.body)[:255],
                    starts_at=starts,
                    status="planned",
                    outcome=None,
                    dedupe_key=f"outbox:{message.id}",
                )
            ]
        )
        _finish(message.id, status="task", sent_at=now, last_error=None)
        return "task"
    try:
        send_email(message)
    except (smtplib.SMTPException, OSError) as exc:
        attempts = message.attempts
        if attempts >= max_attempts():
            _finish(message.id, status="failed", last_error=reason(exc)[:2000])
            return "failed"
        _finish(message.id, next_attempt_at=now + backoff(attempts), last_error=reason(exc)[:2000])
        return "queued"
    _finish(message.id, status="sent", sent_at=now, last_error=None)
    return "sent"


def deliver_due(now: datetime | None = None, ctx: RunContext | None = None, limit: int = 5000) -> dict[str, int]:
    """Work through the queued messages that are due; returns how many ended in each status."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    last_id, handled = 0, 0
    while handled < limit:
        batch = db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == "queued",
                or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
                OutboxMessage.id > last_id,
            )
            .order_by(OutboxMessage.id)
            .limit(CHUNK)
        ).all()
        if not batch:
            break
        for message in batch:
            if not _claim(message, now):
                db.session.rollback()
                continue
            db.session.commit()
            status = deliver(message, now)
            counts[status] = counts.get(status, 0) + 1
            if ctx is not None:
                ctx.commit_chunk(processed=1, created=1 if status in ("sent", "task") else 0)
        handled += len(batch)
        last_id = batch[-1].id
    return counts


@job("outbox", trigger=cron(minute="*"), catch_up=False, title=_l("Outbox sender"))
def send_outbox(ctx: RunContext) -> None:
    deliver_due(ctx.now, ctx)
