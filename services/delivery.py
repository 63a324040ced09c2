"""Delivery workers: take due messages, keep the rules, charge the budget, send, record each step.

A worker claims a batch in one short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL and
MariaDB, so N workers never take the same row; SQLite runs one worker): the rows become
``sending`` with a lease (``DELIVERY_LEASE_SECONDS``) and their attempt counted. A worker that
dies leaves its rows ``sending``; when the lease runs out another worker takes them again and
sends with the same idempotency key (``cskh-<id>-<channel>``), which the provider uses to refuse
a second copy (eSMS ``RequestId``; see services.channels for ZNS and email).

Each message's cost is charged to its budget line in the claiming worker's transaction before
the provider is called, recorded on the row, and refunded if that channel does not carry it;
a reclaimed row is not charged twice.
"""

import json
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, insert, select, update

from models import Customer, MessageEvent, MessageTemplate, OutboxMessage, db, utcnow
from services import message_costs as costs
from services import messaging_rules as rules
from services.budgets import quarter_of
from services.channels import ACCEPTED, FAIL, FALLBACK, RETRY, Outcome, Request, email, idempotency_key, sms, zns
from services.channels.http import RateLimiter
from services.channels.sms_text import without_accents
from services.formatting import format_vnd

PROVIDER_CHANNELS = ("zns", "sms", "email")
T = OutboxMessage.__table__
CUSTOMER_COLUMNS = (
    Customer.name,
    Customer.phone,
    Customer.email,
    Customer.province,
    Customer.consent_contact,
    Customer.opted_out_at,
    *(getattr(Customer, rules.consent_attr(c, p)) for c in PROVIDER_CHANNELS for p in rules.PURPOSES),
)


def adapter(channel: str):
    """The module whose ``send(request)`` delivers on ``channel``."""
    return {"zns": zns, "sms": sms, "email": email}[channel]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:60]


def max_attempts() -> int:
    return int(current_app.config.get("OUTBOX_MAX_ATTEMPTS", 3))


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=int(current_app.config.get("OUTBOX_BACKOFF_SECONDS", 60)) * 2 ** (attempts - 1))


# ---- claiming --------------------------------------------------------------
def _locking() -> bool:
    return db.engine.dialect.name in ("postgresql", "mysql", "mariadb")


def claim(worker: str, now: datetime, limit: int) -> list[tuple[int, bool]]:
    """Take up to ``limit`` due messages for ``worker``; (id, reclaimed after a dead worker's lease)."""
    queued = and_(T.c.status == "queued", T.c.channel.in_(PROVIDER_CHANNELS))
    queries = [
        (select(T.c.id).where(queued, T.c.next_attempt_at.is_(None)).order_by(T.c.id), False),
        (select(T.c.id).where(queued, T.c.next_attempt_at <= now).order_by(T.c.next_attempt_at, T.c.id), False),
        (select(T.c.id).where(T.c.status == "sending", T.c.lease_until < now).order_by(T.c.lease_until), True),
    ]
    taken: list[tuple[int, bool]] = []
    for query, reclaimed in queries:
        left = limit - len(taken)
        if left <= 0:
            break
        query = query.limit(left)
        if _locking():
            query = query.with_for_update(skip_locked=True)
        taken += [(i, reclaimed) for i in db.session.scalars(query)]
    if taken:
        db.session.execute(
            update(T)
            .where(T.c.id.in_(bindparam("ids", expanding=True)))
            .values(
                status="sending",
                lease_until=now + timedelta(seconds=int(current_app.config.get("DELIVERY_LEASE_SECONDS", 120))),
                claimed_by=worker,
                attempts=T.c.attempts + 1,
            ),
            {"ids": [i for i, _r in taken]},
        )
    db.session.commit()
    return taken


# ---- one batch -------------------------------------------------------------
TEMPLATE_TTL = 30.0
"""Seconds a worker keeps a template's text: a template disabled in the admin stops within this."""


@dataclass(frozen=True)
class TemplateText:
    """What a worker needs of a MessageTemplate, kept across its sessions (not an ORM row)."""

    body: str
    subject: str | None
    params: str | None
    provider_template_id: str | None


@dataclass
class Item:
    row: object
    customer: object
    reclaimed: bool
    channel: str = ""
    fallback: list | None = None
    request: Request | None = None
    cost: int = 0
    segments: int | None = None
    skipped: str = ""


class Worker:
    """One delivery worker: its name, its share of each provider's rate limit, its template cache."""

    def __init__(self, name: str | None = None, share: float = 1.0):
        self.name = name or worker_name()
        config = current_app.config
        self.limiters = {
            c: RateLimiter(float(config.get(f"{c.upper()}_RATE_PER_SECOND", 0)) * share) for c in PROVIDER_CHANNELS
        }
        self.templates: dict[int, tuple[float, TemplateText | None]] = {}
        self.pool: ThreadPoolExecutor | None = None

    def run(self, now: datetime | None = None, limit: int = 5000) -> dict[str, int]:
        """Deliver due messages until none is left or ``limit`` were handled; counts per status."""
        counts: dict[str, int] = {}
        batch = int(current_app.config.get("DELIVERY_BATCH", 200))
        handled = 0
        while handled < limit:
            moment = now or utcnow()
            done = self.batch(moment, min(batch, limit - handled))
            if not done:
                break
            for status, n in done.items():
                counts[status] = counts.get(status, 0) + n
            handled += sum(done.values())
        return counts

    def batch(self, now: datetime, limit: int) -> dict[str, int]:
        taken = claim(self.name, now, limit)
        if not taken:
            return {}
        reclaimed = {i for i, r in taken if r}
        rows = db.session.execute(
            select(T, *CUSTOMER_COLUMNS)
            .outerjoin(Customer, Customer.id == T.c.customer_id)
            .where(T.c.id.in_(bindparam("ids", expanding=True)))
            .order_by(T.c.id),
            {"ids": [i for i, _r in taken]},
        ).all()
        results = _Results(now)
        items = [Item(row, row if row.customer_id is not None else None, row.id in reclaimed) for row in rows]
        ads_counts = self._ads_counts(items, now)
        ready = [item for item in items if self._plan(item, now, ads_counts, results)]
        ready = self._charge(ready, results)
        results.write_charges()
        db.session.commit()  # the charges, before any provider is called
        for item, outcome in zip(ready, self._send_all(ready), strict=True):
            results.outcome(item, outcome)
        results.write()
        return results.counts

    def _send_all(self, items: list[Item]) -> list[Outcome]:
        """Each item through its adapter, ``DELIVERY_THREADS`` at a time (each thread keeps its own
        connection to the provider), within the rate limits; the outcomes in the items' order."""
        threads = max(1, int(current_app.config.get("DELIVERY_THREADS", 8)))
        if threads == 1 or len(items) <= 1:
            return [self._send(item) for item in items]
        app = current_app._get_current_object()

        def send(item: Item) -> Outcome:
            with app.app_context():
                return self._send(item)

        if self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="delivery")
        return list(self.pool.map(send, items))

    def _send(self, item: Item) -> Outcome:
        self.limiters[item.channel].wait()
        return adapter(item.channel).send(item.request)

    # ---- rules, channel, text, cost ----------------------------------------
    def _ads_counts(self, items: list[Item], now: datetime) -> dict:
        """Advertising already sent or in flight per customer, with those customers' rows locked until the
        batch's charges commit: two workers planning ads for one customer take turns, so the second sees
        the first's messages (marked in flight by ``write_charges``) and the daily limit holds."""
        ids = sorted({i.row.customer_id for i in items if i.row.purpose == "advertising" and i.row.customer_id})
        if not ids:
            return {}
        if _locking():
            db.session.execute(
                select(Customer.id).where(Customer.id.in_(bindparam("ids", expanding=True))).order_by(Customer.id)
                .with_for_update(),
                {"ids": ids},
            )  # fmt: skip
        own = [i.row.id for i in items]
        return rules.ads_sent_since(ids, now - timedelta(hours=24), exclude=own)

    def _plan(self, item: Item, now: datetime, ads_counts: dict, results: "_Results") -> bool:
        row, customer = item.row, item.customer
        reason = rules.refusal(customer, row.purpose)
        if reason:
            results.final(item, "skipped" if not customer.consent_contact else "refused", reason)
            return False
        if row.purpose == "advertising" and not rules.in_ads_hours(now):
            results.defer(item, rules.next_ads_opening(now), rules.outside_hours_reason(now))
            return False
        order = [row.channel, *[c for c in (row.fallback or "").split(",") if c]]
        skipped = []
        for position, channel in enumerate(order):
            why = self._unusable(item, channel)
            if why is None and row.purpose == "advertising" and customer is not None:
                key = (row.customer_id, rules.ads_group(channel))
                if ads_counts.get(key, 0) >= rules.ads_limit():
                    why = rules.ads_limit_reason()
                else:
                    ads_counts[key] = ads_counts.get(key, 0) + 1
            if why is None:
                item.channel, item.fallback = channel, order[position + 1 :]
                item.skipped = "; ".join(skipped)
                return True
            skipped.append(f"{rules.channel_name(channel)}: {why}")
        results.final(item, "refused", "; ".join(skipped) or _("No channel may carry this message."))
        return False

    def _unusable(self, item: Item, channel: str) -> str | None:
        """Why ``channel`` cannot carry this message (None: it can); builds the request when it can."""
        row, customer = item.row, item.customer
        why = rules.channel_refusal(customer, channel, row.purpose)
        if why:
            return why
        recipient = (customer.email if channel == "email" else customer.phone) if customer is not None else None
        recipient = recipient or (row.recipient if row.channel == channel else None)
        if not recipient:
            return _("No email address.") if channel == "email" else _("No phone number.")
        values = _values(row, customer)
        template = self._template(row, channel)
        key = idempotency_key(row.id, channel)
        if template is None and row.templates:
            return _("No approved template for this channel.")
        if channel == "zns":
            if template is None or not template.provider_template_id:
                return _("No approved template for this channel.")
            request = Request(key, recipient, render(template.body, values), None, template.provider_template_id,
                              zns_params(template.params, values), row.purpose)  # fmt: skip
        else:
            text = render(template.body, values) if template else row.body
            subject = (render(template.subject or "", values) if template else row.subject) or None
            if channel == "sms" and not current_app.config.get("SMS_UNICODE"):
                text = without_accents(text)
            request = Request(key, recipient, text, subject, None, {}, row.purpose)
        item.request = request
        item.cost, item.segments = costs.price(channel, recipient, request.text)
        return None

    def _template(self, row, channel: str) -> "TemplateText | None":
        """The approved template of ``channel`` for this row, read at most every TEMPLATE_TTL seconds."""
        ids = json.loads(row.templates) if row.templates else {}
        template_id = ids.get(channel)
        if not template_id:
            return None
        cached = self.templates.get(template_id)
        if cached is None or time.monotonic() - cached[0] > TEMPLATE_TTL:
            found = db.session.get(MessageTemplate, template_id)
            text = None
            if found is not None and found.status == "approved":
                text = TemplateText(found.body, found.subject, found.params, found.provider_template_id)
            cached = self.templates[template_id] = (time.monotonic(), text)
        return cached[1]

    def _charge(self, items: list[Item], results: "_Results") -> list[Item]:
        """Charge each line once for the batch if it fits, else message by message; the rest is held.
        A message is charged only to a line of the quarter it was queued in."""
        by_line: dict[tuple[int, str], list[Item]] = {}
        ready = []
        for item in items:
            if item.reclaimed and item.row.cost and item.row.channel == item.channel:
                results.charged(item, item.row.cost)  # charged before the worker stopped: not again
                ready.append(item)
                continue
            if item.reclaimed and item.row.cost:
                results.refund_earlier(item)
            if item.row.budget_line_id is None or item.cost <= 0:
                results.charged(item)
                ready.append(item)
            else:
                key = (item.row.budget_line_id, quarter_of(item.row.created_at or utcnow()))
                by_line.setdefault(key, []).append(item)
        for (line_id, quarter), group in by_line.items():
            if costs.charge(line_id, sum(i.cost for i in group), quarter):
                fits = group
            else:
                fits = []
                for item in group:
                    if costs.charge(line_id, item.cost, quarter):
                        fits.append(item)
                    else:
                        results.final(item, "held", _budget_reason(line_id, item.cost))
            for item in fits:
                results.charged(item)
            ready += fits
        ready.sort(key=lambda i: i.row.id)
        return ready


def _budget_reason(line_id: int, cost: int) -> str:
    from models import BudgetLine

    line = db.session.get(BudgetLine, line_id)
    left = (line.planned - line.spent) if line is not None else 0
    return _(
        "Budget line %(line)s has %(left)s left; this message costs %(cost)s. Sending stopped at the limit.",
        line=line.description if line is not None else line_id,
        left=format_vnd(left),
        cost=format_vnd(cost),
    )


# ---- rendering ---------------------------------------------------------------
class _Fields(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _values(row, customer) -> dict:
    values = {}
    if customer is not None:
        values.update(name=customer.name, phone=customer.phone or "", email=customer.email or "",
                      province=customer.province or "")  # fmt: skip
    if row.params:
        values.update(json.loads(row.params))
    return values


def render(text: str, values: dict) -> str:
    """``text`` with {name}, {phone}, {email}, {province} and the message's own values filled."""
    try:
        return (text or "").format_map(_Fields(values))
    except (ValueError, IndexError, AttributeError):
        return text or ""


def zns_params(spec: str | None, values: dict) -> dict:
    """ZNS ``template_data`` from ``key=placeholder`` pairs (``key`` alone: the placeholder of that name)."""
    data = {}
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        key, _sep, source = part.partition("=")
        data[key.strip()] = str(values.get((source or key).strip(), ""))
    return data


# ---- what happened -----------------------------------------------------------
class _Results:
    """The batch's row updates, events and refunds, written together at the end."""

    def __init__(self, now: datetime):
        self.now = now
        self.updates: list[dict] = []
        self.events: list[dict] = []
        self.refunds: dict[int, int] = {}
        self.counts: dict[str, int] = {}
        self.cost_of: dict[int, int] = {}
        self.charges: list[dict] = []

    def _event(self, item: Item, status: str, detail: str | None, channel: str | None = None) -> None:
        self.events.append(dict(message_id=item.row.id, at=self.now, status=status,
                                channel=channel or item.channel or item.row.channel, detail=detail))  # fmt: skip

    def _update(self, item: Item, **values) -> None:
        row = item.row
        base = dict(b_id=row.id, status=row.status, channel=item.channel or row.channel, fallback=row.fallback,
                    recipient=row.recipient, body=row.body, subject=row.subject, attempts=row.attempts,
                    next_attempt_at=row.next_attempt_at, sent_at=row.sent_at, last_error=row.last_error,
                    cost=row.cost, provider_id=row.provider_id, segments=row.segments, lease_until=None,
                    claimed_by=None, updated_at=self.now)  # fmt: skip
        base.update(values)
        self.updates.append(base)
        self.counts[base["status"]] = self.counts.get(base["status"], 0) + 1

    def charged(self, item: Item, cost: int | None = None) -> None:
        self.cost_of[item.row.id] = item.cost if cost is None else cost
        self.charges.append({"b_id": item.row.id, "cost": self.cost_of[item.row.id], "channel": item.channel})
        if item.reclaimed:
            self._event(item, "reclaimed", _("Taken again after a worker stopped while sending."))
        if item.skipped:
            self._event(item, "skipped", item.skipped)

    def write_charges(self) -> None:
        """Each taken message's cost and channel, so a worker that takes it again knows it was charged, and
        the time it leaves (``sent_at``), so the advertising limit counts it while it is in flight."""
        if self.charges:
            db.session.execute(
                update(T)
                .where(T.c.id == bindparam("b_id"))
                .values(cost=bindparam("cost"), channel=bindparam("channel"), sent_at=self.now),
                self.charges,
            )
        self.charges = []

    def refund_earlier(self, item: Item) -> None:
        if item.row.budget_line_id:
            self.refunds[item.row.budget_line_id] = self.refunds.get(item.row.budget_line_id, 0) + item.row.cost

    def _refund(self, item: Item) -> None:
        cost = self.cost_of.get(item.row.id, item.row.cost or 0)
        if cost and item.row.budget_line_id:
            self.refunds[item.row.budget_line_id] = self.refunds.get(item.row.budget_line_id, 0) + cost

    def final(self, item: Item, status: str, reason: str) -> None:
        self._refund(item)
        self._update(item, status=status, last_error=reason[:2000], cost=0)
        self._event(item, status, reason)

    def defer(self, item: Item, when: datetime, reason: str) -> None:
        self._refund(item)
        self._update(item, status="queued", next_attempt_at=when, attempts=item.row.attempts - 1, last_error=reason,
                     cost=0)  # fmt: skip
        self._event(item, "deferred", reason)

    def outcome(self, item: Item, outcome: Outcome) -> None:
        row, request = item.row, item.request
        common = dict(channel=item.channel, recipient=request.recipient, body=request.text,
                      subject=request.subject, segments=item.segments)  # fmt: skip
        kind = outcome.kind
        if kind == RETRY and row.attempts >= max_attempts():
            kind = FALLBACK
        if kind == ACCEPTED:
            self._update(item, **common, status="sent", sent_at=self.now, last_error=None,
                         provider_id=outcome.provider_id, cost=self.cost_of.get(row.id, item.cost))  # fmt: skip
            self._event(item, "sent", outcome.reason or None)
            return
        self._refund(item)
        if kind == RETRY:
            self._update(item, **common, status="queued", next_attempt_at=self.now + backoff(row.attempts),
                         last_error=outcome.reason, cost=0)  # fmt: skip
            self._event(item, "retry", outcome.reason)
        elif kind == FALLBACK and item.fallback:
            nxt, rest = item.fallback[0], item.fallback[1:]
            self._update(item, **{**common, "channel": nxt}, fallback=",".join(rest) or None, status="queued",
                         attempts=0, next_attempt_at=None, last_error=outcome.reason, cost=0)  # fmt: skip
            self._event(item, "fallback", outcome.reason)
        else:
            assert kind in (FALLBACK, FAIL)
            self._update(item, **common, status="failed", last_error=outcome.reason, cost=0)
            self._event(item, "failed", outcome.reason)

    def write(self) -> None:
        if self.updates:
            columns = [k for k in self.updates[0] if k != "b_id"]
            db.session.execute(
                update(T).where(T.c.id == bindparam("b_id")).values({c: bindparam(c) for c in columns}),
                self.updates,
            )
        if self.events:
            db.session.execute(insert(MessageEvent.__table__), self.events)
        for line_id, amount in self.refunds.items():
            costs.refund(line_id, amount)
        db.session.commit()
