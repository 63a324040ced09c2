"""What the jobs produce, each once: gifts, messages and agent tasks, keyed by their unique columns.

Every effect has a unique key in the schema (Gift: customer/occasion/year/campaign,
OutboxMessage.dedupe_key, Appointment.dedupe_key). A chunk first drops the rows whose key
already exists, then inserts the rest set-based; if another writer slipped in between, the
unique index refuses, the chunk rolls back (budget charge included) and is redone.

``grant`` inserts a chunk's gifts with one INSERT … SELECT and charges its row count. It looks
gifts up per customer through a correlated ``(SELECT … LIMIT 1)`` on the Gift unique key, never
a NOT EXISTS: PostgreSQL plans the latter as an anti-join that, with stale statistics, scanned
every gift of the year once per customer (4 s for one day's birthdays at 1,000,000 customers).
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, case, func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from jobs.registry import Blocked, RunContext, local_tz
from models import Appointment, BudgetLine, Customer, Gift, OutboxMessage, db, utcnow
from services import budgets, schedule
from services.formatting import format_vnd

CHUNK = 2_000
GRANT_CHUNK = 5_000
"""Customers per ``grant`` transaction: a day's birthdays at 1,000,000 customers (about 2,750) fit in one."""
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


# ---- budget ---------------------------------------------------------------
def check_budget(line_id: int | None, cost: int, day: date | None = None) -> None:
    """Stop the run before it spends anything when ``cost`` does not fit the line (of ``day``'s quarter)."""
    if cost <= 0:
        return
    if line_id is None:
        raise Blocked(_("No budget line is set for a gift of %(amount)s.", amount=format_vnd(cost)))
    quarter = budgets.quarter_of(day) if day is not None else None
    left = budgets.left_on_approved(line_id, quarter=quarter)
    if left is None and quarter is not None and budgets.left_on_approved(line_id) is not None:
        raise Blocked(
            _("Budget line %(id)s is not of %(quarter)s, the quarter of this run.", id=line_id, quarter=quarter)
        )
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


def charge(line_id: int, amount: int, day: date | None = None) -> None:
    """Spend ``amount`` on the line inside the caller's transaction (BudgetExceeded when it does not fit);
    with ``day``, only on a line of that day's quarter (WrongQuarter)."""
    if amount <= 0:
        return
    budgets.charge(db.session.get(BudgetLine, line_id), amount, on=day)


# ---- call times -----------------------------------------------------------
def call_time(customer: Customer, after: datetime, agent_id: int | None = None) -> datetime:
    """When an agent may call the customer (their hours, the agent's other appointments)."""
    return schedule.next_allowed_call_time(customer, after, agent_id=agent_id)


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
    return template.format_map(values)


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
    query = select(column).where(column.in_(bindparam("keys", expanding=True)))
    return set(db.session.scalars(query, {"keys": keys}))


# ---- the chunked grant loop ---------------------------------------------
def gift_probe(occasion: str, year: int, campaign_key: int):
    """The customer's id when they already have this gift, else NULL: one index probe per customer.

    ``year + 0`` and ``occasion || ''`` keep the planner off the single-column indexes on year
    and occasion: a year the statistics have not seen yet looks rare, and each probe became a
    scan of all that year's gifts (0.4 s per day's re-run on PostgreSQL). Only the customer's
    own few gifts are read.
    """
    return (
        select(Gift.customer_id)
        .where(
            Gift.customer_id == Customer.id,
            Gift.occasion + "" == occasion,
            Gift.year + 0 == year,
            Gift.campaign_key == campaign_key,
        )
        .correlate(Customer)
        .limit(1)
        .scalar_subquery()
    )


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
    queue_messages: bool = True,
) -> None:
    """Give each customer of ``audience`` (a select of CUSTOMER_FIELDS) one gift and one message, once.

    The whole run's cost is checked against the budget line first; each chunk then
    charges exactly what it inserts, in the same transaction. An audience that fits in
    one chunk (a day's birthdays) is read once: that chunk gives the total and the cost.
    """
    gifts = _Gifts(occasion, year, campaign_id, item, value, budget_line_id, ctx.day) if item else None
    messages = _Messages(subject, template, message_key, channel, campaign_id) if queue_messages else None
    rows = audience if gifts is None else audience.add_columns(gifts.probe.label("gift_of"))
    chunk = _next_chunk(rows, after=0)
    if len(chunk) < GRANT_CHUNK:
        ctx.total = len(chunk)
        need = sum(1 for c in chunk if c.gift_of is None) if gifts else 0
    else:
        ctx.total, need = _counts(audience.whereclause, gifts)
    if gifts is not None and value > 0:
        check_budget(budget_line_id, need * value, ctx.day)
    while chunk:
        for attempt in range(3):
            try:
                created = (gifts.insert(chunk) if gifts else 0) + (messages.insert(chunk) if messages else 0)
                ctx.commit_chunk(processed=len(chunk), created=created)
                break
            except IntegrityError:
                db.session.rollback()
                if attempt == 2:
                    raise
        chunk = _next_chunk(rows, after=chunk[-1].id) if len(chunk) == GRANT_CHUNK else []


def _next_chunk(rows: Select, after: int) -> list:
    return db.session.execute(rows.where(Customer.id > after).order_by(Customer.id).limit(GRANT_CHUNK)).all()


def _counts(condition, gifts: "_Gifts | None") -> tuple[int, int]:
    """(customers in the audience, of them without the gift yet) in one pass; the second is 0 for free gifts."""
    if gifts is None or gifts.value <= 0:
        return db.session.scalar(select(func.count()).select_from(Customer).where(condition)) or 0, 0
    missing = func.sum(case((gifts.probe.is_(None), 1), else_=0))
    total, need = db.session.execute(select(func.count(), missing).select_from(Customer).where(condition)).one()
    return total or 0, need or 0


class _Gifts:
    """One gift per customer for (occasion, year, campaign), inserted by the database from the customer ids."""

    def __init__(self, occasion, year, campaign_id, item, value, line_id, day=None):
        self.value, self.line_id, self.day = value, line_id, day
        self.probe = gift_probe(occasion, year, campaign_id or 0)
        table = Gift.__table__
        fields = dict(
            occasion=occasion,
            year=year,
            campaign_key=campaign_id or 0,
            campaign_id=campaign_id,
            item=item,
            value=value,
            budget_line_id=line_id,
            status="approved",  # paid for at insert from an approved line: nothing left to approve or charge
        )
        now = bindparam("now", type_=table.c.created_at.type)
        rows = select(Customer.id, *(literal(v, table.c[k].type) for k, v in fields.items()), now, now).where(
            Customer.id.in_(bindparam("ids", expanding=True)), self.probe.is_(None)
        )
        columns = ["customer_id", *fields, "created_at", "updated_at"]
        self.statement = insert(table).from_select(columns, rows).execution_options(preserve_rowcount=True)

    def insert(self, chunk) -> int:
        """Insert the chunk's missing gifts in one INSERT … SELECT (probing again), charge them; how many."""
        ids = [c.id for c in chunk if c.gift_of is None]
        if not ids:
            return 0
        added = db.session.execute(self.statement, {"ids": ids, "now": utcnow()}).rowcount
        if added < 0:
            raise RuntimeError("the database driver did not say how many gifts it inserted")
        if added and self.value > 0:
            charge(self.line_id, self.value * added, self.day)
        return added


class _Messages:
    """One greeting per consenting customer, keyed by ``key(customer_id)``."""

    def __init__(self, subject, template, key, channel, campaign_id):
        self.subject, self.template, self.key = subject, template, key
        self.channel, self.campaign_id = channel, campaign_id

    def insert(self, chunk) -> int:
        """Queue the chunk's new greetings with one executemany on the table (no ORM bookkeeping per row)."""
        consenting = [c for c in chunk if c.consent_contact]
        keys = [self.key(c.id) for c in consenting]
        sent = existing_keys(OutboxMessage, OutboxMessage.dedupe_key, keys)
        now = utcnow()
        rows = [
            message_row(
                c,
                key=key,
                subject=render(self.subject, c),
                body=render(self.template, c),
                channel=self.channel,
                campaign_id=self.campaign_id,
            )
            | {"created_at": now, "updated_at": now}
            for c, key in zip(consenting, keys, strict=True)
            if key not in sent
        ]
        if rows:
            db.session.execute(insert(OutboxMessage.__table__), rows)
        return len(rows)


def add_tasks(rows: list[dict]) -> int:
    """Insert Appointment rows whose dedupe_key is new; returns how many were added."""
    have = existing_keys(Appointment, Appointment.dedupe_key, [r["dedupe_key"] for r in rows])
    fresh = [r for r in rows if r["dedupe_key"] not in have]
    if fresh:
        db.session.execute(insert(Appointment), fresh)
    return len(fresh)
