"""Form fields and converters for our column types: local time, dd/mm/yyyy, VND."""

from datetime import UTC, datetime

from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.model import filters as model_filters
from flask_admin.model.form import converts
from wtforms import fields
from wtforms.validators import NumberRange
from wtforms.widgets import TextInput

from admin.input_guard import STRING_FILTERS
from services.datetimes import parse_local_date, parse_local_datetime
from services.errors import ValidationError
from services.formatting import local_tz
from services.input_rules import int_range, out_of_range_message
from services.validation import parse_amount


def picker_attrs(kind: str) -> dict:
    """The attributes static/js/date_picker.js looks for: a text field people type into, with a calendar button."""
    placeholder = "dd/mm/yyyy hh:mm" if kind == "datetime" else "dd/mm/yyyy"
    return {"data-picker": kind, "placeholder": placeholder, "autocomplete": "off", "spellcheck": "false"}


class VNDateField(fields.DateField):
    """dd/mm/yyyy on screen (d/m/yyyy and ISO accepted); the typed text is kept when it is refused."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("widget", TextInput())
        kwargs.setdefault("render_kw", picker_attrs("date"))
        super().__init__(label, validators, format="%d/%m/%Y", **kwargs)

    def process_formdata(self, valuelist):
        try:
            self.data = parse_local_date(" ".join(valuelist or []), self.name, required=False)
        except ValidationError as exc:
            self.data = None
            raise ValueError(str(next(iter(exc.errors.values()))[0])) from None


class LocalDateTimeField(fields.DateTimeField):
    """A UTC datetime shown and typed in the company's time zone, as dd/mm/yyyy HH:MM (services/datetimes.py)."""

    display_format = "%d/%m/%Y %H:%M"

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("widget", TextInput())
        kwargs.setdefault("render_kw", picker_attrs("datetime"))
        super().__init__(label, validators, format=self.display_format, **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if self.data is None:
            return ""
        value = self.data if self.data.tzinfo else self.data.replace(tzinfo=UTC)
        return value.astimezone(local_tz()).strftime(self.display_format)

    def process_formdata(self, valuelist):
        try:
            self.data = parse_local_datetime(" ".join(valuelist or []), self.name, required=False)
        except ValidationError as exc:
            self.data = None
            raise ValueError(str(next(iter(exc.errors.values()))[0])) from None


class MoneyField(fields.StringField):
    """Whole VND; "1.250.000", "1,250,000" and "1250000 ₫" are equal."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,}".replace(",", ".") if isinstance(self.data, int) else ""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_amount(valuelist[0], self.name)
        except ValidationError as exc:
            self.data = None
            raise ValueError(str(exc.errors[self.name][0])) from None


class CSKHModelConverter(AdminModelConverter):
    @converts("Integer")
    def handle_integer_types(self, column, field_args, **extra):
        _add_range(column, field_args)
        return super().handle_integer_types(column=column, field_args=field_args, **extra)

    @converts("Numeric")
    def handle_decimal_types(self, column, field_args, **extra):
        _add_range(column, field_args)
        return super().handle_decimal_types(column=column, field_args=field_args, **extra)

    @converts("UTCDateTime")
    def convert_utc_datetime(self, field_args, **extra):
        return LocalDateTimeField(**field_args)

    @converts("Date")
    def convert_date(self, field_args, **extra):
        field_args.pop("widget", None)
        return VNDateField(**field_args)


def _add_range(column, field_args) -> None:
    """A number field refuses what its column cannot hold (a 30-digit stock) before the database sees it."""
    bounds = int_range(column.type)
    if bounds is not None:
        message = out_of_range_message(*bounds)
        field_args.setdefault("validators", []).append(NumberRange(min=bounds[0], max=bounds[1], message=message))


def _local_clean(value: str) -> datetime:
    try:
        return parse_local_datetime(value, "filter")
    except ValidationError:
        raise ValueError(value) from None


class _LocalMixin:
    """Typed like the forms (dd/mm/yyyy HH:MM, ISO too): no Flask-Admin daterangepicker on the filter's input,
    which rewrote typed text (``data_type`` is one Flask-Admin's filters.js does not style)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_type = "typed-datetime"

    def clean(self, value):
        return _local_clean(value)

    def validate(self, value):
        try:
            self.clean(value)
            return True
        except ValueError:
            return False


class LocalEqual(_LocalMixin, sqla_filters.DateTimeEqualFilter):
    pass


class LocalGreater(_LocalMixin, sqla_filters.DateTimeGreaterFilter):
    pass


class LocalSmaller(_LocalMixin, sqla_filters.DateTimeSmallerFilter):
    pass


class LocalBetween(sqla_filters.DateTimeBetweenFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_type = "typed-datetime-range"

    def clean(self, value):
        return [_local_clean(part) for part in value.split(" to ")]

    def validate(self, value):
        try:
            return len(self.clean(value)) == 2
        except ValueError:
            return False


def _date_clean(value: str):
    try:
        return parse_local_date(value, "filter")
    except ValidationError:
        raise ValueError(value) from None


class _LocalDateMixin(_LocalMixin):
    """A date filter typed dd/mm/yyyy (d/m/yyyy, ISO) with the forms' calendar, not Flask-Admin's ISO-only one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_type = "typed-date"

    def clean(self, value):
        return _date_clean(value)


class LocalDateEqual(_LocalDateMixin, sqla_filters.DateEqualFilter):
    pass


class LocalDateNotEqual(_LocalDateMixin, sqla_filters.DateNotEqualFilter):
    pass


class LocalDateGreater(_LocalDateMixin, sqla_filters.DateGreaterFilter):
    pass


class LocalDateSmaller(_LocalDateMixin, sqla_filters.DateSmallerFilter):
    pass


class _LocalDateRangeMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_type = "typed-date-range"

    def clean(self, value):
        return [_date_clean(part) for part in value.split(" to ")]

    def validate(self, value):
        try:
            days = self.clean(value)
        except ValueError:
            return False
        return len(days) == 2 and days[0] <= days[1]


class LocalDateBetween(_LocalDateRangeMixin, sqla_filters.DateBetweenFilter):
    pass


class LocalDateNotBetween(_LocalDateRangeMixin, sqla_filters.DateNotBetweenFilter):
    pass


class CSKHFilterConverter(sqla_filters.FilterConverter):
    strings = STRING_FILTERS
    local_datetime_filters = (LocalEqual, LocalGreater, LocalSmaller, LocalBetween, sqla_filters.FilterEmpty)

    local_date_filters = (
        LocalDateEqual,
        LocalDateNotEqual,
        LocalDateGreater,
        LocalDateSmaller,
        LocalDateBetween,
        LocalDateNotBetween,
        sqla_filters.FilterEmpty,
    )

    @model_filters.convert("date")
    def conv_date(self, column, name, **kwargs):
        return [f(column, name, **kwargs) for f in self.local_date_filters]

    @model_filters.convert("utcdatetime")
    def conv_utc_datetime(self, column, name, **kwargs):
        return [f(column, name, **kwargs) for f in self.local_datetime_filters]
