"""What the jobs produce, each once: gifts, messages and agent tasks, keyed by their unique columns.

Every effect has a unique key in the schema (Gift: customer/occasion/year/campaign,
OutboxMessage.dedupe_key, Appointment.dedupe_key). A chunk first drops the rows whose key
already exists, then inserts the rest set-based; if another writer slipped in between, the
unique index refuses, the chunk rolls back (budget charge included) and is redone.
"""

import importlib
import string
from collections.abc import Callable
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from jobs.registry import Blocked, RunContext, local_tz
from models import Appointment, Budget, BudgetLine, Customer, Gift, OutboxMessage, db
from services.errors import BudgetExceeded
from services.formatting import format_vnd

CHUNK = 2_000
CUSTOMER_FIELDS = (
    Customer.id,
    Customer.name,
    Customer.email,
    Customer.phone,
    Customer.province,
    Customer.consent_contact,
    Customer.owner_id,
    Customer.team_id,
)


def _optional(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name, None)
    except ModuleNotFoundError:
        return None


# ---- budget ---------------------------------------------------------------
def remaining(line_id: int) -> int | None:
    """Money left on an approved line, or None when the line is missing or its budget not approved."""
    row = db.session.execute(
        select(BudgetLine.planned, BudgetLine.spent, Budget.status)
        .join(Budget, Budget.id == BudgetLine.budget_id)
        .where(BudgetLine.id == line_id)
    ).first()
    if row is None or row.status != "approved":
        return None
    return (row.planned or 0) - (row.spent or 0)


def check_budget(line_id: int | None, cost: int) -> None:
    """Stop the run before it spends anything when ``cost`` does not fit the line."""
    if cost <= 0:
        return
    if line_id is None:
        raise Blocked(_("No budget line is set for a gift of %(amount)s.", amount=format_vnd(cost)))
    left = remaining(line_id)
    if left is None:
        raise Blocked(_("Budget line %(id)s is missing or its budget is not approved.", id=line_id))
    if cost > left:
        raise Blocked(
            _(
                "This run needs %(need)s but budget line %(id)s has %(left)s left; the head must approve more.",
                need=format_vnd(cost),
                id=line_id,
                left=format_vnd(left),
            )
        )


def charge(line_id: int, amount: int) -> None:
    """Spend ``amount`` on the line inside the caller's transaction (services.budgets.charge when present)."""
    if amount <= 0:
        return
    service = _optional("services.budgets", "charge")
    if service is not None:
        service(db.session.get(BudgetLine, line_id), amount)
        return
    done = db.session.execute(
        update(BudgetLine)
        .where(BudgetLine.id == line_id, BudgetLine.planned - BudgetLine.spent >= amount)
        .values(spent=BudgetLine.spent + amount)
    ).rowcount
    if done != 1:
        raise BudgetExceeded()


# ---- call times -----------------------------------------------------------
def call_time(customer: Customer, after: datetime, agent_id: int | None = None) -> datetime:
    """When an agent may call: services.schedule.next_allowed_call_time, or the next 09:00 in the customer's hours."""
    service = _optional("services.schedule", "next_allowed_call_time")
    if service is not None:
        return service(customer, after, agent_id=agent_id)
    return next_morning_slot(after, customer.contact_from, customer.contact_to)


def next_morning_slot(after: datetime, contact_from: time | None = None, contact_to: time | None = None) -> datetime:
    """The next local 09:00 (or the customer's own start hour, if later) strictly after ``after``."""
    tz = local_tz()
    start = max(time(9, 0), contact_from or time(9, 0))
    if contact_to is not None and start >= contact_to:
        start = contact_from or time(9, 0)
    local = after.astimezone(tz)
    slot = datetime.combine(local.date(), start, tzinfo=tz)
    if slot <= local:
        slot += timedelta(days=1)
    return slot


# ---- messages -------------------------------------------------------------
class _Fields(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def render(template: str, customer) -> str:
    """``template`` with {name}, {email}, {phone}, {province}; unknown fields stay as written."""
    values = _Fields(
        name=customer.name,
        email=customer.email or "",
        phone=customer.phone or "",
        province=customer.province or "",
    )
    return string.Formatter().vformat(template, (), values)


def message_row(customer, *, key: str, subject: str, body: str, channel: str | None = None, campaign_id=None) -> dict:
    """An outbox row; email when the customer has an address (unless a channel is given), else phone."""
    channel = channel or ("email" if customer.email else "phone")
    recipient = customer.email if channel == "email" else customer.phone
    if channel == "email" and not customer.email:
        channel, recipient = "phone", customer.phone
    return dict(
        customer_id=customer.id,
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        status="queued",
        attempts=0,
        campaign_id=campaign_id,
        dedupe_key=key,
    )


def existing_keys(model, column, keys: list) -> set:
    if not keys:
        return set()
    return set(db.session.scalars(select(column).where(column.in_(keys))))


# ---- the chunked grant loop ---------------------------------------------
def grant(
    ctx: RunContext,
    audience: Select,
    *,
    occasion: str,
    year: int,
    item: str | None,
    value: int,
    budget_line_id: int | None,
    subject: str,
    template: str,
    message_key: Callable[[int], str],
    campaign_id: int | None = None,
    channel: str | None = None,
) -> None:
    """Give each customer of ``audience`` (a select of CUSTOMER_FIELDS) one gift and one message, once.

    The whole run's cost is checked against the budget line first; each chunk then
    charges exactly what it inserts, in the same transaction.
    """
    campaign_key = campaign_id or 0
    gives = bool(item)
    condition = audience.whereclause
    ctx.total = db.session.scalar(select(func.count()).select_from(Customer).where(condition))
    if gives and value > 0:
        no_gift = ~exists().where(
            and_(
                Gift.customer_id == Customer.id,
                Gift.occasion == occasion,
                Gift.year == year,
                Gift.campaign_key == campaign_key,
            )
        )
        missing = db.session.scalar(select(func.count()).select_from(Customer).where(condition, no_gift)) or 0
        check_budget(budget_line_id, missing * value)
    last_id = 0
    while True:
        chunk = db.session.execute(audience.where(Customer.id > last_id).order_by(Customer.id).limit(CHUNK)).all()
        if not chunk:
            break
        for attempt in range(3):
            try:
                created = _grant_chunk(
                    chunk, occasion, year, campaign_key, campaign_id, item if gives else None, value,
                    budget_line_id, subject, template, message_key, channel,
                )  # fmt: skip
                ctx.commit_chunk(processed=len(chunk), created=created)
                break
            except IntegrityError:
                db.session.rollback()
                if attempt == 2:
                    raise
        last_id = chunk[-1].id


def _grant_chunk(
    chunk, occasion, year, campaign_key, campaign_id, item, value, line_id, subject, template, message_key, channel
) -> int:
    ids = [c.id for c in chunk]
    created = 0
    if item:
        have = set(
            db.session.scalars(
                select(Gift.customer_id).where(
                    Gift.customer_id.in_(ids),
                    Gift.occasion == occasion,
                    Gift.year == year,
                    Gift.campaign_key == campaign_key,
                )
            )
        )
        gifts = [
            dict(
                customer_id=c.id,
                occasion=occasion,
                year=year,
                campaign_key=campaign_key,
                campaign_id=campaign_id,
                item=item,
                value=value,
                budget_line_id=line_id,
                status="planned",
            )
            for c in chunk
            if c.id not in have
        ]
        if gifts:
            if value > 0:
                charge(line_id, value * len(gifts))
            db.session.execute(insert(Gift), gifts)
            created += len(gifts)
    consenting = [c for c in chunk if c.consent_contact]
    keys = {c.id: message_key(c.id) for c in consenting}
    sent = existing_keys(OutboxMessage, OutboxMessage.dedupe_key, list(keys.values()))
    messages = [
        message_row(
            c,
            key=keys[c.id],
            subject=render(subject, c),
            body=render(template, c),
            channel=channel,
            campaign_id=campaign_id,
        )
        for c in consenting
        if keys[c.id] not in sent
    ]
    if messages:
        db.session.execute(insert(OutboxMessage), messages)
        created += len(messages)
    return created


def add_tasks(rows: list[dict]) -> int:
    """Insert Appointment rows whose dedupe_key is new; returns how many were added."""
    have = existing_keys(Appointment, Appointment.dedupe_key, [r["dedupe_key"] for r in rows])
    fresh = [r for r in rows if r["dedupe_key"] not in have]
    if fresh:
        db.session.execute(insert(Appointment), fresh)
    return len(fresh)
