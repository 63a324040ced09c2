"""The outbox sender: ZNS, SMS and email through services.delivery; other channels become agent tasks.

Messages on a provider channel are delivered by ``services.delivery.Worker`` (claimed with a
lease, the rules of services.messaging_rules, the budget, retries with backoff, the fallback
order). This job runs one worker every minute inside the scheduler; ``flask outbox work
--workers N`` runs N more for a large campaign. Phone and in-person messages become a
"delivery_task" for the customer's owner at a time inside the customer's contact hours; a
customer who refused contact gets nothing (``skipped``).
"""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from jobs.effects import add_tasks, call_time, next_morning_slot
from jobs.registry import RunContext, cron, job
from models import Customer, OutboxMessage, db, utcnow
from services.call_plan import CallPlanner
from services.delivery import PROVIDER_CHANNELS, Worker

CHUNK = 200


def _claim(message: OutboxMessage, now: datetime) -> bool:
    """Take this hand-over (attempts + 1) unless another sender already did."""
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


def hand_over(message: OutboxMessage, now: datetime, planner: CallPlanner | None = None) -> str:
    """A claimed message on a channel without a gateway becomes an agent's task; returns its status.
    A phone call takes a free slot of the owner's day like every other generated call (``planner``)."""
    customer: Customer | None = message.customer
    if customer is not None and not customer.consent_contact:
        _finish(message.id, status="skipped", last_error=_("The customer does not consent to be contacted."))
        return "skipped"
    if customer is None:
        _finish(message.id, status="failed", last_error=_("No gateway for %(channel)s.", channel=message.channel))
        return "failed"
    if message.channel == "phone":
        planned = (planner or CallPlanner()).place(customer, now, customer.owner_id)
        starts = planned or call_time(customer, now, customer.owner_id)
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


def hand_over_due(now: datetime, counts: dict[str, int], limit: int) -> None:
    last_id, handled = 0, 0
    planner = CallPlanner()
    while handled < limit:
        batch = db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == "queued",
                OutboxMessage.channel.not_in(PROVIDER_CHANNELS),
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
            status = hand_over(message, now, planner)
            counts[status] = counts.get(status, 0) + 1
        handled += len(batch)
        last_id = batch[-1].id


def deliver_due(now: datetime | None = None, ctx: RunContext | None = None, limit: int = 5000) -> dict[str, int]:
    """Work through the queued messages that are due; returns how many ended in each status."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    hand_over_due(now, counts, limit)
    for status, n in Worker().run(now, limit).items():
        counts[status] = counts.get(status, 0) + n
    if ctx is not None:
        ctx.commit_chunk(processed=sum(counts.values()), created=counts.get("sent", 0) + counts.get("task", 0))
    return counts


@job("outbox", trigger=cron(minute="*"), catch_up=False, title=_l("Outbox sender"))
def send_outbox(ctx: RunContext) -> None:
    deliver_due(ctx.now, ctx)
