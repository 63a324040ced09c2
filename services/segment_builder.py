"""The campaign audience as a person builds it (type, potential, VIP, province, birthday month, last
contact older than N days, open complaint, tags) turned into the stored segment (``services.segments``).

Empty fields add nothing; a field with a wrong value is refused with a message for that field,
never ignored (an ignored field would widen the audience).
"""

from flask_babel import lazy_gettext as _l

from services import customer_tags, segments
from services.errors import ValidationError

CHOICE_FIELDS = ("kind", "potential", "province")
NUMBER_FIELDS = ("birth_month", "last_contact_older_than_days")
YES_NO_FIELDS = ("is_vip", "has_open_complaint", "has_email", "consent_contact")


def from_form(form) -> dict:
    """The segment for the builder's fields (a dict-like of strings); ValidationError per field."""
    segment, errors = {}, {}
    for name in CHOICE_FIELDS:
        value = (form.get(name) or "").strip()
        if value:
            segment[name] = value
    for name in NUMBER_FIELDS:
        value = (form.get(name) or "").strip()
        if not value:
            continue
        if not value.isdigit():
            errors.setdefault(name, []).append(_l("Enter a whole number."))
            continue
        segment[name] = int(value)
    if (form.get("tags") or "").strip():
        try:
            segment["tags"] = customer_tags.parse(form.get("tags"))
        except ValidationError as exc:
            errors.update(exc.errors)
    for name in YES_NO_FIELDS:
        value = (form.get(name) or "").strip().lower()
        if value in ("yes", "1", "true", "on"):
            segment[name] = True
        elif value in ("no", "0", "false"):
            segment[name] = False
    if errors:
        raise ValidationError(errors)
    segments.parse(segment)  # the same checks as a stored audience (ranges, known fields)
    return segment


def preview(template: str | None, segment: dict, within=None, session=None):
    """(the first matching customer, the message as that customer would read it), or (None, "") when the
    audience is empty; ValidationError when the template has an unknown placeholder."""
    from types import SimpleNamespace

    from sqlalchemy import and_, select

    from models import Customer, db
    from services import campaigns, delivery

    campaigns.check_template(template)
    session = session or db.session
    condition = segments.clause(segment) if within is None else and_(segments.clause(segment), within)
    customer = session.scalar(select(Customer).where(condition).order_by(Customer.id).limit(1))
    if customer is None:
        return None, ""
    return customer, delivery.render(template, delivery._values(SimpleNamespace(params=None), customer))
