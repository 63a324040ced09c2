"""Form fields, formatters and messages of the panel pages (tables of other databases).

- REAL / FLOAT / DOUBLE get a number field (Flask-Admin 2.2 converts only ``Numeric``, and
  SQLAlchemy 2.1's ``Float`` is no longer one); numbers say what is wrong in the user's language.
- Times stored without a zone are in the source's ``timezone`` ("local" by default): the list,
  details, export and form all show them in local time, dd/mm/yyyy HH:MM.
- Flask-Admin's own flashes ("Record was successfully created.") read in the product's words.
"""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask import session
from flask_admin.babel import gettext as admin_gettext
from flask_admin.babel import ngettext as admin_ngettext
from flask_admin.model.form import converts
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import fields
from wtforms.validators import Optional
from wtforms.widgets import TextInput

from admin.fields import CSKHModelConverter, _add_range, picker_attrs
from services.datetimes import parse_local_datetime
from services.errors import ValidationError
from services.formatting import format_datetime, local_tz

STOCK_MESSAGES = {
    "Record was successfully created.": _l("The row was created."),
    "Record was successfully saved.": _l("The change was saved."),
    "Record was successfully deleted.": _l("The row was deleted."),
    "Record does not exist.": _l("This row does not exist (any more)."),
    "Failed to create record.": _l("The row was not created: correct the fields marked below."),
    "Failed to update record.": _l("The change was not saved: correct the fields marked below."),
    "Failed to save record.": _l("The change was not saved: correct the fields marked below."),
}


def source_zone(name: str):
    return local_tz() if name in (None, "", "local") else ZoneInfo(name)


def to_screen(value: datetime, zone_name: str) -> datetime:
    """A stored time as the user reads it (local time)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=source_zone(zone_name))
    return value.astimezone(local_tz())


def panel_datetime_formatter(zone_name: str):
    def format_value(view, value, name=None):
        return format_datetime(to_screen(value, zone_name)) if value is not None else ""

    return format_value


class SourceDateTimeField(fields.DateTimeField):
    """A time without a zone, typed and shown in local time, stored in the source's zone."""

    def __init__(self, label=None, validators=None, zone_name: str = "local", **kwargs):
        kwargs.setdefault("widget", TextInput())
        kwargs.setdefault("render_kw", picker_attrs("datetime"))
        super().__init__(label, validators, format="%d/%m/%Y %H:%M", **kwargs)
        self.zone_name = zone_name

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if not isinstance(self.data, datetime):
            return ""
        return to_screen(self.data, self.zone_name).strftime("%d/%m/%Y %H:%M")

    def process_formdata(self, valuelist):
        """What people type or paste, as on every form (services/datetimes.py)."""
        try:
            moment = parse_local_datetime(" ".join(v for v in valuelist or [] if v), self.name, required=False)
        except ValidationError:
            self.data = None
            raise ValueError(_("Not a valid date and time; write it as dd/mm/yyyy hh:mm.")) from None
        self.data = None if moment is None else moment.astimezone(source_zone(self.zone_name)).replace(tzinfo=None)


class _NumberMixin:
    message = _l("Not a valid number.")

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        text = str(valuelist[0]).strip().replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            self.data = self.parse(text)
        except (ValueError, InvalidOperation, OverflowError):
            self.data = None
            raise ValueError(str(self.message)) from None


class PanelFloatField(_NumberMixin, fields.FloatField):
    def parse(self, text):
        value = float(text)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(text)
        return value


class PanelDecimalField(_NumberMixin, fields.DecimalField):
    def parse(self, text):
        value = Decimal(text)
        if not value.is_finite():
            raise ValueError(text)
        return value


class PanelIntegerField(_NumberMixin, fields.IntegerField):
    message = _l("Not a valid whole number.")

    def parse(self, text):
        return int(text)


class SetField(fields.SelectMultipleField):
    """A MariaDB/MySQL SET: any of its values, stored as the set of the chosen ones."""

    def process_data(self, value):
        if isinstance(value, str):
            value = [v for v in value.split(",") if v]
        self.data = sorted(value or [])

    def populate_obj(self, obj, name):
        setattr(obj, name, set(self.data or []))


class PanelModelConverter(CSKHModelConverter):
    """The product's converter plus REAL/FLOAT/DOUBLE, naive times in the source's zone, clear number errors."""

    def _optional(self, column, field_args):
        if column.nullable:
            field_args["validators"] = [Optional()] + [
                v for v in field_args.get("validators", []) if type(v).__name__ != "InputRequired"
            ]

    @converts("Float", "REAL", "DOUBLE", "DOUBLE_PRECISION", "FLOAT")
    def handle_float_types(self, column, field_args, **extra):
        self._optional(column, field_args)
        return PanelFloatField(**field_args)

    @converts("Numeric")
    def handle_decimal_types(self, column, field_args, **extra):
        _add_range(column, field_args)
        self._optional(column, field_args)
        return PanelDecimalField(places=None, **field_args)

    @converts("Integer")
    def handle_integer_types(self, column, field_args, **extra):
        _add_range(column, field_args)
        self._optional(column, field_args)
        return PanelIntegerField(**field_args)

    @converts("SET")
    def convert_set(self, column, field_args, **extra):
        field_args.pop("widget", None)
        field_args["validators"] = [Optional()]
        return SetField(choices=[(v, v) for v in column.type.values], **field_args)

    @converts("DateTime")
    def convert_datetime(self, column, field_args, **extra):
        if getattr(column.type, "timezone", False):
            return super().convert_datetime(column=column, field_args=field_args, **extra)
        field_args.pop("widget", None)
        zone = self.view.panel_table.source.config.timezone
        return SourceDateTimeField(zone_name=zone, **field_args)


def retranslate_flashes(response):
    """Flask-Admin's flashes of this request, in the product's catalogue instead of Flask-Admin's."""
    flashes = session.get("_flashes")
    if not flashes:
        return response
    stock = {admin_gettext(english): text for english, text in STOCK_MESSAGES.items()}
    stock.update({english: text for english, text in STOCK_MESSAGES.items()})
    one_deleted = admin_ngettext(
        "Record was successfully deleted.", "%(count)s records were successfully deleted.", 1, count=1
    )
    stock[one_deleted] = STOCK_MESSAGES["Record was successfully deleted."]
    changed = [(category, str(stock.get(message, message))) for category, message in flashes]
    if changed != list(flashes):
        session["_flashes"] = changed
    return response


__all__ = ["PanelModelConverter", "panel_datetime_formatter", "retranslate_flashes", "UTC", "_"]
