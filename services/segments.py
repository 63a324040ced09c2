"""Saved customer filters (a campaign's audience): JSON in, an SQL condition out.

A segment is a JSON object whose keys are the fields below, all ANDed, e.g.
``{"is_vip": true, "province": "Hà Nội", "kind": "customer", "team_id": 2, "birth_month": 11}``;
``"tags": ["Đại lý", "Khách sỉ"]`` selects the customers with every one of them (services.customer_tags).
Unknown keys or wrong types are refused with a ValidationError, so a typo never silently
widens an audience to every customer.
"""

import json
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true

from models import Complaint, Customer, db, utcnow
from services import customer_tags
from services.errors import ValidationError

FIELDS: dict[str, type] = {
    "is_vip": bool,
    "province": str,
    "kind": str,
    "potential": str,
    "team_id": int,
    "owner_id": int,
    "birth_month": int,
    "consent_contact": bool,
    "has_email": bool,
    "last_contact_older_than_days": int,
    "has_open_complaint": bool,
    "tags": list,
}
OPEN_COMPLAINT = ("resolved", "closed")
"""Complaint statuses that are no longer open."""


def parse(raw) -> dict:
    """The segment as a dict, checked; ``raw`` is JSON text, a dict or empty (everyone)."""
    if raw in (None, "", {}):
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ValidationError({"audience": [_l("The audience is not valid JSON.")]}) from exc
    if not isinstance(raw, dict):
        raise ValidationError({"audience": [_l("The audience must be a JSON object.")]})
    errors = []
    for key, value in raw.items():
        kind = FIELDS.get(key)
        if kind is None:
            errors.append(_l("Unknown audience field: %(field)s", field=key))
        elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            errors.append(_l("Wrong value for the audience field %(field)s", field=key))
        elif key == "birth_month" and not 1 <= value <= 12:
            errors.append(_l("Wrong value for the audience field %(field)s", field=key))
        elif key == "last_contact_older_than_days" and not 0 <= value <= 3650:
            errors.append(_l("Wrong value for the audience field %(field)s", field=key))
        elif key == "tags" and not (value and all(isinstance(t, str) and t.strip() for t in value)):
            errors.append(_l("Wrong value for the audience field %(field)s", field=key))
    if errors:
        raise ValidationError({"audience": errors})
    return raw


def clause(segment) -> ColumnElement[bool]:
    """The SQL condition on Customer for ``segment`` (JSON text or dict)."""
    segment = parse(segment)
    parts = []
    for key, value in segment.items():
        if key == "has_email":
            parts.append(Customer.email.is_not(None) if value else Customer.email.is_(None))
        elif key == "last_contact_older_than_days":  # never contacted counts as long ago
            since = utcnow() - timedelta(days=value)
            parts.append(or_(Customer.last_contact_at.is_(None), Customer.last_contact_at < since))
        elif key == "tags":
            parts.append(customer_tags.clause(value))
        elif key == "has_open_complaint":
            open_one = exists().where(Complaint.customer_id == Customer.id, Complaint.status.notin_(OPEN_COMPLAINT))
            parts.append(open_one if value else ~open_one)
        else:
            parts.append(getattr(Customer, key) == value)
    return and_(*parts) if parts else true()


def count(segment, within=None) -> int:
    """How many customers the segment selects now (the campaign form's preview); ``within`` is an
    extra condition (the reader's customer scope)."""
    condition = clause(segment) if within is None else and_(clause(segment), within)
    return db.session.scalar(select(func.count()).select_from(Customer).where(condition)) or 0
