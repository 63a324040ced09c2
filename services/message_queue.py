"""Putting messages in the outbox: a campaign's audience in set-based INSERT … SELECT chunks,
or one message (a survey, a staff action) after the rules said yes.

A campaign row carries its first channel, the fallbacks, the templates per channel and the
budget line; the text is rendered when a worker sends it (so a million rows are inserted by the
database from the customers table, without a round trip per customer).
"""

import json
from datetime import datetime

from flask import current_app
from sqlalchemy import String, and_, cast, exists, func, insert, literal, select

from models import Customer, MessageTemplate, OutboxMessage, db, utcnow
from services import message_costs as costs
from services import messaging_rules as rules
from services import segments as audiences
from services.channels import CHANNELS

CHUNK = 250_000
"""Customer ids per INSERT … SELECT: a million customers in four statements, each committed."""


def campaign_templates(campaign) -> dict[str, int]:
    return {c: getattr(campaign, f"{c}_template_id") for c in CHANNELS if getattr(campaign, f"{c}_template_id", None)}


def queue_campaign(campaign, run_key: str, now: datetime | None = None, audience=None) -> tuple[int, int]:
    """Queue one message per reachable customer of ``campaign`` for run ``run_key``, once.

    Returns (customers in the audience, messages queued now); a re-run queues nothing twice
    (``dedupe_key`` = ``campaign:<id>:<run>:<customer>``).
    """
    now = now or utcnow()
    order = costs.channel_order(campaign)
    purpose = campaign.purpose or "care"
    prefix = f"campaign:{campaign.id}:{run_key}:"
    key = literal(prefix, String) + cast(Customer.id, String(20))
    audience = audiences.clause(campaign.audience) if audience is None else audience
    reachable = and_(audience, rules.audience_clause(order, purpose))
    earlier = db.session.scalar(
        select(OutboxMessage.id)
        .where(OutboxMessage.campaign_id == campaign.id, OutboxMessage.dedupe_key.like(prefix + "%"))
        .limit(1)
    )
    # a run queued before (a retry after a crash) skips what it already has; a new run needs no probe
    already = exists().where(OutboxMessage.dedupe_key == key) if earlier else None
    values = {
        "channel": literal(order[0], String),
        "fallback": literal(",".join(order[1:]) or None, String),
        "templates": literal(json.dumps(campaign_templates(campaign)), String),
        "purpose": literal(purpose, String),
        "status": literal("queued", String),
        "body": literal("", String),
        "subject": literal(campaign.message_subject or campaign.name, String),
        "attempts": literal(0),
        "cost": literal(0),
        "campaign_id": literal(campaign.id),
        "budget_line_id": literal(campaign.budget_line_id) if campaign.budget_line_id else literal(None),
        "created_at": literal(now, OutboxMessage.created_at.type),
        "updated_at": literal(now, OutboxMessage.updated_at.type),
    }
    columns = ["customer_id", "dedupe_key", *values]
    low, high = db.session.execute(select(func.min(Customer.id), func.max(Customer.id))).one()
    total = db.session.scalar(select(func.count()).select_from(Customer).where(audience)) or 0
    queued = 0
    start = low or 0
    while high is not None and start <= high:
        rows = select(Customer.id, key, *values.values()).where(
            reachable, Customer.id >= start, Customer.id < start + CHUNK
        )
        if already is not None:
            rows = rows.where(~already)
        result = db.session.execute(
            insert(OutboxMessage.__table__).from_select(columns, rows).execution_options(preserve_rowcount=True)
        )
        queued += max(result.rowcount or 0, 0)
        db.session.commit()
        start += CHUNK
    return total, queued


def default_order() -> list[str]:
    raw = current_app.config.get("CHANNEL_DEFAULT_ORDER", "zns,sms,email")
    return [c.strip() for c in raw.split(",") if c.strip() in CHANNELS]


def queue_message(
    customer: Customer,
    *,
    key: str,
    purpose: str,
    templates: dict[str, MessageTemplate],
    params: dict | None = None,
    budget_line_id: int | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """One message through the channels that have an approved template, in the default order.

    Raises ``MessageRefused`` (nothing written) when the rules leave no channel for it.
    """
    now = now or utcnow()
    order = [c for c in default_order() if templates.get(c) is not None and templates[c].status == "approved"]
    rules.check(customer, order, purpose, now)
    first = templates[order[0]]
    message = OutboxMessage(
        customer_id=customer.id,
        channel=order[0],
        fallback=",".join(order[1:]) or None,
        templates=json.dumps({c: templates[c].id for c in order}),
        params=json.dumps(params or {}, ensure_ascii=False),
        purpose=purpose,
        recipient=customer.email if order[0] == "email" else customer.phone,
        subject=first.subject,
        body="",
        status="queued",
        attempts=0,
        cost=0,
        budget_line_id=budget_line_id,
        dedupe_key=key,
    )
    db.session.add(message)
    db.session.flush()
    return message
