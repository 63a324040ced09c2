"""The campaign form's audience builder: a field per criterion instead of JSON.

The fields (``aud_*``) are turned into the stored segment by ``services.segment_builder``; when
none is filled the "Audience (JSON)" box is kept as typed (for criteria the builder lacks, such
as a team). static/js/audience_count.js shows the live count from ``/admin/campaign-audience/``.
"""

import json

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField

from models.choices import CUSTOMER_TYPES, POTENTIAL_LEVELS, choices
from services import segment_builder

ANY = [("", _l("Any"))]
YES_NO = [*ANY, ("yes", _l("Yes")), ("no", _l("No"))]
# Choices are checked by services.segment_builder (with a message per field), not by WTForms.
FIELDS = {
    "aud_kind": SelectField(_l("Audience: type"), choices=[*ANY, *choices(CUSTOMER_TYPES)], validate_choice=False),
    "aud_potential": SelectField(
        _l("Audience: potential"), choices=[*ANY, *choices(POTENTIAL_LEVELS)], validate_choice=False
    ),
    "aud_is_vip": SelectField(_l("Audience: VIP"), choices=YES_NO, validate_choice=False),
    "aud_province": StringField(_l("Audience: province")),
    "aud_birth_month": SelectField(
        _l("Audience: birthday month"), choices=[*ANY, *((str(m), str(m)) for m in range(1, 13))], validate_choice=False
    ),
    "aud_last_contact_older_than_days": StringField(_l("Audience: last contact more than … days ago")),
    "aud_has_open_complaint": SelectField(_l("Audience: has an open complaint"), choices=YES_NO, validate_choice=False),
    "aud_tags": StringField(
        _l("Audience: tags"), description=_l("Separated by commas; customers with every one of them.")
    ),
}
NAMES = list(FIELDS)


def segment_from(form) -> dict | None:
    """The segment the builder's fields describe, or None when none is filled."""
    values = {name.removeprefix("aud_"): (form[name].data or "") for name in NAMES if name in form}
    if not any(str(v).strip() for v in values.values()):
        return None
    return segment_builder.from_form(values)


def prefill(form, audience: str | None) -> None:
    """Show a stored audience in the builder's fields (what the builder cannot show stays in the JSON box)."""
    try:
        segment = json.loads(audience or "{}")
    except ValueError:
        return
    if not isinstance(segment, dict):
        return
    for key, value in segment.items():
        name = f"aud_{key}"
        if name in form:
            if isinstance(value, list):
                form[name].data = ", ".join(str(v) for v in value)
            else:
                form[name].data = ("yes" if value else "no") if isinstance(value, bool) else str(value)
