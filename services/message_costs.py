"""What messages cost and who pays: prices per channel, a campaign's projection, charging its line.

Prices are settings (``PRICE_ZNS``, ``PRICE_SMS_<CARRIER>`` per SMS part, ``PRICE_EMAIL``). A
message is charged to its budget line when a worker takes it for a channel, with the same
conditional UPDATE as every charge (``spent + cost <= planned`` on an approved budget, one row
locked by the UPDATE itself on PostgreSQL and MariaDB), and refunded when that channel does not
carry it. So parallel workers never overspend a line: the one whose charge does not fit holds
the message instead of sending it.
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import and_, case, func, literal, select, update

from models import Budget, BudgetLine, Customer, MessageTemplate, OutboxMessage, db
from services import messaging_rules as rules
from services import segments as audiences
from services.channels.sms_text import CARRIER_PREFIXES, carrier, segments

CARRIERS = (*CARRIER_PREFIXES, "other")


def sms_price(carrier_name: str) -> int:
    config = current_app.config
    return int(config.get(f"PRICE_SMS_{carrier_name.upper()}", config.get("PRICE_SMS_OTHER", 800)))


def price(channel: str, phone: str | None, text: str) -> tuple[int, int | None]:
    """(VND, SMS parts or None) to send ``text`` on ``channel`` to ``phone``."""
    config = current_app.config
    if channel == "zns":
        return int(config.get("PRICE_ZNS", 250)), None
    if channel == "sms":
        parts = segments(text)[1]
        return sms_price(carrier(phone)) * parts, parts
    return int(config.get("PRICE_EMAIL", 0)), None


def charge(line_id: int, amount: int, quarter: str | None = None) -> bool:
    """Spend ``amount`` on an approved line (of ``quarter``, e.g. "2026-Q4", when given) if it fits;
    False (and nothing changed) if not."""
    if amount <= 0:
        return True
    approved = select(Budget.id).where(Budget.status == "approved")
    if quarter is not None:
        approved = approved.where(Budget.quarter == quarter)
    done = db.session.execute(
        update(BudgetLine)
        .where(
            BudgetLine.id == line_id,
            BudgetLine.budget_id.in_(approved),
            BudgetLine.spent + amount <= BudgetLine.planned,
        )
        .values(spent=BudgetLine.spent + amount)
        .execution_options(synchronize_session=False)
    ).rowcount
    return done == 1


def refund(line_id: int, amount: int) -> None:
    if amount > 0:
        db.session.execute(
            update(BudgetLine)
            .where(BudgetLine.id == line_id)
            .values(spent=BudgetLine.spent - amount)
            .execution_options(synchronize_session=False)
        )


# ---- a campaign's projection, before approval ----------------------------
def _carrier_case():
    prefix = func.substr(Customer.phone, 1, 3)
    whens = [(prefix.in_(prefixes), literal(name)) for name, prefixes in CARRIER_PREFIXES.items()]
    return case(*whens, else_=literal("other"))


def projection(campaign, within=None) -> dict:
    """Messages and VND per channel if every customer of the audience is reached on the first
    channel of the campaign's order that they consent to (a fallback later costs more: shown apart);
    ``within`` limits the audience further (the reader's customer scope)."""
    order = channel_order(campaign)
    templates = {c: getattr(campaign, f"{c}_template", None) for c in order}
    purpose = campaign.purpose or "care"
    first = []
    for channel in order:
        consent = getattr(Customer, rules.consent_attr(channel, purpose)).is_(True)
        usable = templates.get(channel) is not None and templates[channel].status == "approved"
        if channel == "email":
            consent = and_(consent, Customer.email.is_not(None))
        if usable:
            first.append((consent, literal(channel)))
    pick = case(*first, else_=literal("")) if first else literal("")
    where = and_(audiences.clause(campaign.audience), rules.audience_clause(order, purpose))
    if within is not None:
        where = and_(where, within)
    # Grouped over a subquery: PostgreSQL does not treat two renderings of a CASE with bound
    # literals as the same expression, so the grouping names the subquery's columns instead.
    picked = select(pick.label("channel"), _carrier_case().label("carrier")).where(where).subquery()
    rows = db.session.execute(
        select(picked.c.channel, picked.c.carrier, func.count()).group_by(picked.c.channel, picked.c.carrier)
    ).all()
    per: dict[str, dict] = {c: {"channel": c, "messages": 0, "cost": 0} for c in order}
    unreachable = 0
    for channel, carrier_name, n in rows:
        if not channel:
            unreachable += n
            continue
        template = templates[channel]
        if channel == "sms":
            unit = sms_price(carrier_name) * segments(template.body)[1]
        else:
            unit = price(channel, None, template.body)[0]
        per[channel]["messages"] += n
        per[channel]["cost"] += unit * n
    channels = list(per.values())
    total = sum(c["cost"] for c in channels)
    sms = templates.get("sms")
    worst = total
    if "zns" in per and sms is not None and sms.status == "approved":
        worst += per["zns"]["messages"] * (sms_price("viettel") * segments(sms.body)[1] - price("zns", None, "")[0])
    return {"channels": channels, "total": total, "if_all_fall_back": worst, "unreachable": unreachable}


def channel_order(campaign) -> list[str]:
    raw = campaign.channel_order or ""
    order = [c.strip() for c in raw.split(",") if c.strip()]
    return order or [campaign.channel or "email"]


def spend_by_channel(start: datetime, end: datetime) -> list[dict]:
    """Messages sent and VND charged per channel between ``start`` and ``end`` (the head's panel)."""
    rows = db.session.execute(
        select(OutboxMessage.channel, func.count(), func.coalesce(func.sum(OutboxMessage.cost), 0))
        .where(
            OutboxMessage.sent_at >= start,
            OutboxMessage.sent_at < end,
            OutboxMessage.status.in_(("sent", "delivered")),
        )
        .group_by(OutboxMessage.channel)
        .order_by(OutboxMessage.channel)
    ).all()
    return [{"channel": c, "messages": n, "cost": int(cost or 0)} for c, n, cost in rows]


def approved_template(template_id: int | None) -> MessageTemplate | None:
    template = db.session.get(MessageTemplate, template_id) if template_id else None
    return template if template is not None and template.status == "approved" else None
