"""Returns and refunds: a reason, an amount (a refund never more than what was paid and not yet given
back; partial allowed), an explicit confirmation, and the return window of the return policy in force.

The window counts from the day the order was delivered (its "delivered" transition in the audit log;
the expected delivery date or the order's last change when the log has none) and lasts the
``return_days`` of the published return policy in force that day (``RETURN_WINDOW_DAYS`` when none
says). The status moves through ``services.orders.transition`` (workflow, scope, audit); the reason and
amount are audited with it. Nothing is written when it raises.
"""

import json
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from models import AuditLog, Order, Policy, db
from services import audit
from services import orders as order_rules
from services.errors import ValidationError
from services.formatting import format_date, format_vnd, local_tz
from services.validation import parse_amount

KINDS = ("returned", "refunded")


def delivered_on(order: Order) -> date:
    """The local day the order reached the customer."""
    rows = db.session.execute(
        select(AuditLog.at, AuditLog.changes)
        .where(AuditLog.object_type == "Order", AuditLog.object_id == str(order.id), AuditLog.action == "transition")
        .order_by(AuditLog.at.desc())
    ).all()
    for at, changes in rows:
        try:
            if json.loads(changes or "{}").get("status", [None, None])[1] == "delivered":
                return _local_day(at)
        except (ValueError, AttributeError, IndexError):
            continue
    if order.expected_delivery is not None:
        return order.expected_delivery
    return _local_day(order.updated_at or order.created_at)


def _local_day(value: datetime) -> date:
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(local_tz()).date()


def return_days(on: date) -> int:
    """Days a delivered order may be returned: the published return policy in force on ``on``."""
    days = db.session.scalar(
        select(Policy.return_days)
        .where(
            Policy.kind == "return",
            Policy.status == "published",
            Policy.return_days.is_not(None),
            or_(Policy.effective_from.is_(None), Policy.effective_from <= on),
            or_(Policy.effective_to.is_(None), Policy.effective_to >= on),
        )
        .order_by(Policy.effective_from.desc(), Policy.id.desc())
        .limit(1)
    )
    return int(days if days is not None else current_app.config.get("RETURN_WINDOW_DAYS", 7))


def refundable(order: Order) -> int:
    """What may still be refunded: the amount paid (the order's total) less what was already given back."""
    return max((order.total or 0) - (order.refunded_amount or 0), 0)


def apply(order: Order, kind: str, user, *, reason, amount, confirmed: bool, today: date | None = None) -> Order:
    """Return or refund ``order`` (``kind`` in KINDS) with ``reason`` and ``amount``; ValidationError per field."""
    if kind not in KINDS:
        raise ValidationError({"kind": [_l("Choose return or refund.")]})
    today = today or datetime.now(UTC).astimezone(local_tz()).date()
    errors: dict[str, list] = {}
    text = (reason or "").strip()
    if len(text) < 5:
        errors.setdefault("reason", []).append(_l("Write the reason (at least 5 characters)."))
    value = None
    try:
        value = parse_amount(amount, "amount")
    except ValidationError as exc:
        errors.update(exc.errors)
    if value is not None:
        left = refundable(order)
        if value <= 0:
            errors.setdefault("amount", []).append(_l("The amount must be more than 0 ₫."))
        elif value > left:
            errors.setdefault("amount", []).append(
                _l("At most %(left)s can be refunded (paid less already refunded).", left=format_vnd(left))
            )
    if order.status == "delivered":
        since = delivered_on(order)
        days = return_days(since)
        if today > since + timedelta(days=days):
            errors.setdefault("kind", []).append(
                _l(
                    "The return window of %(days)d days from delivery (%(date)s) has passed.",
                    days=days,
                    date=format_date(since),
                )
            )
    if not confirmed:
        errors.setdefault("confirm", []).append(_l("Tick the box to confirm."))
    if errors:
        raise ValidationError(errors)
    before_amount, before_reason = order.refunded_amount or 0, order.return_reason
    order_rules.transition(order, kind, user)
    order.return_reason = text
    changes = {"return_reason": (before_reason, text)}
    if kind == "refunded":
        order.refunded_amount = before_amount + value
        changes["refunded_amount"] = (before_amount, order.refunded_amount)
    else:
        changes["return_amount"] = (None, value)
    audit.record("update", order, changes=changes, user=user, detail=kind)
    db.session.flush()
    return order
