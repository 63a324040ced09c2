"""Dates and times as people type or paste them: dd/mm/yyyy HH:MM in Hồ Chí Minh City, never a silent guess."""

from datetime import UTC, datetime

import pytest

from services.datetimes import parse_local_datetime
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
