"""The campaign schedule builder: what it stores, reading a stored schedule back, words, and refusals."""

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from services import schedule_builder
from services.errors import ValidationError

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 08:30 on Monday 23/11/2026 in Hồ Chí Minh City

BUILT = [
    ({"kind": "once", "date": "15/12/2026", "time": "09:30"}, ("30 9 15 12 * 2026", None)),
    ({"kind": "daily", "time": "07:05"}, ("5 7 * * *", None)),
    ({"kind": "weekly", "weekday": "mon", "time": "09:00"}, ("0 9 * * mon", None)),
    ({"kind": "monthly", "day": "5", "time": "18:45"}, ("45 18 5 * *", None)),
    ({"kind": "occasion", "occasion": "birthday"}, (None, "birthday")),
    ({"kind": "occasion", "occasion": "tet"}, (None, "tet")),
    ({"kind": "occasion", "occasion": "reunification"}, (None, "reunification")),
    ({"kind": "occasion", "occasion": "national_day"}, (None, "national_day")),
]


@pytest.mark.parametrize(("fields", "stored"), BUILT)
def test_the_builder_renders_the_stored_form_and_reads_it_back(app, fields, stored):
    assert schedule_builder.to_stored(fields, now=NOW) == stored
    assert schedule_builder.from_stored(*stored) == fields


def test_unused_fields_of_another_kind_do_not_change_the_schedule(app):
    fields = {"kind": "daily", "time": "9:00", "weekday": "sun", "day": "31", "date": "x", "occasion": "tet"}
    assert schedule_builder.to_stored(fields, now=NOW) == ("0 9 * * *", None)


@pytest.mark.parametrize("cron", ["*/15 * * * *", "0 9 * * 1-5", "0 9 31 * *", "0 9 1,15 * *", "61 9 * * *"])
def test_a_schedule_the_builder_cannot_show_reads_back_as_none(app, cron):
    assert schedule_builder.from_stored(cron, None) is None
    assert schedule_builder.from_stored(None, "campaign") is None


def test_the_schedule_in_plain_words_in_vietnamese_and_english(app):
    cases = [
        (("0 9 * * mon", None), "Hằng tuần, thứ Hai lúc 09:00", "Every week, on Monday at 09:00"),
        (("5 7 * * *", None), "Hằng ngày lúc 07:05", "Every day at 07:05"),
        (("45 18 5 * *", None), "Hằng tháng, ngày 5 lúc 18:45", "Every month, on day 5 at 18:45"),
        (("30 9 15 12 * 2026", None), "Một lần, ngày 15/12/2026 lúc 09:30", "Once, on 15/12/2026 at 09:30"),
        ((None, "birthday"), "Vào sinh nhật của khách hàng, lúc 08:00", "On the customer's birthday, at 08:00"),
        ((None, "tet"), "7 ngày trước Tết Nguyên Đán, lúc 08:00", "7 days before Tết (Lunar New Year), at 08:00"),
        (("*/15 * * * *", None), "Lịch tùy chỉnh (cron): */15 * * * *", "Custom schedule (cron): */15 * * * *"),
    ]
    for stored, vietnamese, english in cases:
        with force_locale("vi"):
            assert schedule_builder.describe(*stored) == vietnamese
        with force_locale("en"):
            assert schedule_builder.describe(*stored) == english


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "kind"),
        ({"kind": "hourly", "time": "09:00"}, "kind"),
        ({"kind": "daily", "time": "9h"}, "time"),
        ({"kind": "daily", "time": "24:00"}, "time"),
        ({"kind": "daily"}, "time"),
        ({"kind": "weekly", "weekday": "monday", "time": "09:00"}, "weekday"),
        ({"kind": "monthly", "day": "31", "time": "09:00"}, "day"),
        ({"kind": "monthly", "day": "0", "time": "09:00"}, "day"),
        ({"kind": "once", "date": "31/02/2027", "time": "09:00"}, "date"),
        ({"kind": "once", "date": "2027-01-05", "time": "09:00"}, "date"),
        ({"kind": "once", "date": "23/11/2026", "time": "08:00"}, "date"),  # already past at NOW (08:30)
        ({"kind": "occasion", "occasion": "anniversary"}, "occasion"),
    ],
)
def test_invalid_input_is_an_error_on_its_field(app, fields, field):
    with pytest.raises(ValidationError) as refused:
        schedule_builder.to_stored(fields, now=NOW)
    assert field in refused.value.errors


def test_the_next_runs_are_local_times(app):
    assert schedule_builder.next_runs("0 9 * * mon", n=2, now=NOW) == ["23/11/2026 09:00", "30/11/2026 09:00"]
    assert schedule_builder.next_runs("30 9 15 12 * 2026", n=3, now=NOW) == ["15/12/2026 09:30"]
    assert schedule_builder.next_runs(None) == []
