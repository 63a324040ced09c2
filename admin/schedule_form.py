"""The campaign form's schedule builder: once / daily / weekly / monthly at a time, or on an occasion,
instead of a cron string.

The fields (``sch_*``) are turned into ``schedule_cron`` / ``occasion`` by ``services.schedule_builder``;
when no kind is chosen the cron box is kept as typed. static/js/schedule_builder.js shows only the fields
of the chosen kind and the schedule in words from ``/admin/campaign-audience/schedule/``.
"""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField

from models import utcnow
from services import schedule_builder
from services.errors import ValidationError

ANY = [("", "—")]
# Choices are checked by services.schedule_builder (with a message per field), not by WTForms.
FIELDS = {
    "sch_kind": SelectField(_l("Schedule"), choices=[*ANY, *schedule_builder.KINDS.items()], validate_choice=False),
    "sch_date": StringField(_l("Schedule: date (dd/mm/yyyy)")),
    "sch_time": StringField(_l("Schedule: time (HH:MM)")),
    "sch_weekday": SelectField(
        _l("Schedule: weekday"), choices=[*ANY, *schedule_builder.WEEKDAYS.items()], validate_choice=False
    ),
    "sch_day": SelectField(
        _l("Schedule: day of the month"),
        choices=[*ANY, *((str(d), str(d)) for d in schedule_builder.MONTH_DAYS)],
        validate_choice=False,
    ),
    "sch_occasion": SelectField(
        _l("Schedule: occasion"), choices=[*ANY, *schedule_builder.OCCASIONS.items()], validate_choice=False
    ),
}
NAMES = list(FIELDS)


def apply(form, model) -> None:
    """Write the builder's schedule on ``model`` (nothing when no kind is chosen); ValidationError keyed
    by the form's field names."""
    if "sch_kind" not in form or not (form["sch_kind"].data or "").strip():
        return
    values = {name.removeprefix("sch_"): form[name].data or "" for name in NAMES if name in form}
    try:
        cron, occasion = schedule_builder.to_stored(values, now=utcnow())
    except ValidationError as exc:
        raise ValidationError({f"sch_{key}": messages for key, messages in exc.errors.items()}) from exc
    model.schedule_cron = cron
    if occasion is not None:
        model.occasion = occasion


def prefill(form, cron: str | None, occasion: str | None) -> None:
    """Show a stored schedule in the builder (a cron it cannot show stays in the cron box only)."""
    for key, value in (schedule_builder.from_stored(cron, occasion) or {}).items():
        if f"sch_{key}" in form:
            form[f"sch_{key}"].data = value
