"""Dates and times as people type or paste them: dd/mm/yyyy HH:MM in Hồ Chí Minh City, never a silent guess."""

from datetime import UTC, date, datetime

import pytest

from services.datetimes import parse_local_date, parse_local_datetime
from services.errors import ValidationError

NINE = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 02/12/2026 09:00 in Hồ Chí Minh City


@pytest.mark.parametrize(
    "text",
    [
        "02/12/2026 09:00",
        "  02/12/2026 09:00  ",  # pasted with spaces
        "2/12/2026 9:00",  # typed without leading zeros
        "02-12-2026 09:00",
        "02.12.2026 09h00",
        "02/12/2026 09:00:00",
        "2026-12-02T09:00",  # a browser's own picker
        "2026-12-02 09:00",
        "2026-12-02T09:00:00",  # ISO with seconds
        "2026-12-2 9:00",
        "02/12/2026\t09:00",  # pasted from a spreadsheet cell
    ],
)
def test_typed_and_pasted_forms_mean_the_same_moment(app, text):
    assert parse_local_datetime(text) == NINE


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2026 09:00",  # no such day
        "02/13/2026 09:00",  # month 13: not read as mm/dd
        "02/12/2026 25:00",
        "02/11/2026 00:00/12/2026 09:00",  # what the old picker produced from keystrokes
        "hôm nay",
        "02/12/2026",  # the time is missing
    ],
)
def test_invalid_text_is_a_field_error_never_today(app, text):
    with pytest.raises(ValidationError) as caught:
        parse_local_datetime(text, "starts_at")
    assert "starts_at" in caught.value.errors


def test_empty_is_required_unless_optional(app):
    with pytest.raises(ValidationError):
        parse_local_datetime("  ")
    assert parse_local_datetime("", required=False) is None


def test_the_admin_form_field_accepts_the_same_forms(app):
    from werkzeug.datastructures import MultiDict
    from wtforms import Form

    from admin.fields import LocalDateTimeField

    class F(Form):
        when = LocalDateTimeField()

    for text in ("2/12/2026 9:00", "02.12.2026 09h00"):
        form = F(MultiDict({"when": text}))
        assert form.when.data == NINE, text
    bad = F(MultiDict({"when": "31/02/2026 09:00"}))
    assert bad.when.data is None and not bad.validate()


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("31/12/2026 23:59", datetime(2026, 12, 31, 16, 59, tzinfo=UTC)),
        ("01/01/2027 00:00", datetime(2026, 12, 31, 17, 0, tzinfo=UTC)),  # the local new year is still 2026 in UTC
        ("29/02/2028 09:00", datetime(2028, 2, 29, 2, 0, tzinfo=UTC)),  # a leap day
    ],
)
def test_edge_dates_are_local_moments(app, text, utc):
    assert parse_local_datetime(text) == utc


def test_an_impossible_day_names_what_was_typed(app):
    with pytest.raises(ValidationError) as caught:
        parse_local_datetime("29/02/2027 09:00", "starts_at")
    assert "29/02/2027 09:00" in str(caught.value.errors["starts_at"][0])


@pytest.mark.parametrize(
    "text", ["02/12/2026", "2/12/2026", " 2/12/2026 ", "02.12.2026", "02-12-2026", "2026-12-02", "2026-12-2"]
)
def test_a_date_typed_or_pasted(app, text):
    assert parse_local_date(text) == date(2026, 12, 2)


@pytest.mark.parametrize(
    "text", ["31/02/2026", "29/02/2027", "02/13/2026", "0/12/2026", "2/12/26", "02/12/2026 09:00", "hôm qua"]
)
def test_a_date_that_is_no_date_is_a_field_error(app, text):
    with pytest.raises(ValidationError) as caught:
        parse_local_date(text, "birthday")
    assert list(caught.value.errors) == ["birthday"]


def test_an_empty_date_is_required_unless_optional(app):
    with pytest.raises(ValidationError):
        parse_local_date(" ")
    assert parse_local_date("", required=False) is None


def test_the_form_fields_keep_the_typed_text_when_they_refuse_it(app):
    from werkzeug.datastructures import MultiDict
    from wtforms import Form

    from admin.fields import LocalDateTimeField, VNDateField

    class F(Form):
        when = LocalDateTimeField()
        day = VNDateField()

    form = F(MultiDict({"when": "31/02/2026 09:00", "day": "31/02/2026"}))
    assert not form.validate()
    assert form.when.data is None and form.day.data is None
    assert 'value="31/02/2026 09:00"' in form.when() and 'value="31/02/2026"' in form.day()
    assert "31/02/2026 09:00" in form.when.errors[0] and "31/02/2026" in form.day.errors[0]
    assert 'data-picker="datetime"' in form.when() and 'data-picker="date"' in form.day()
    good = F(MultiDict({"when": "2/12/2026 9:00", "day": "2/12/2026"}))
    assert good.validate()
    assert good.when.data == NINE and good.day.data == date(2026, 12, 2)
    assert 'value="2/12/2026 9:00"' in good.when()  # what was typed is shown back, never rewritten
    assert 'value="02/12/2026 09:00"' in F(data={"when": NINE}).when()


def test_the_list_filters_take_what_the_forms_take(app):
    from admin.fields import LocalBetween, LocalEqual

    equal = LocalEqual(None, "Time")
    assert equal.data_type == "typed-datetime"  # no Flask-Admin daterangepicker on the filter's input
    assert equal.validate("2/12/2026 9:00") and equal.validate("2026-12-02 09:00:00")
    assert equal.clean("02/12/2026 09:00") == NINE
    assert not equal.validate("31/02/2026 09:00")
    between = LocalBetween(None, "Time")
    assert between.validate("01/12/2026 00:00 to 02/12/2026 09:00")
    assert not between.validate("01/12/2026 00:00")
