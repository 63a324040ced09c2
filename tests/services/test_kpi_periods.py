"""Reporting periods: calendar months, quarters and years compare with the previous one, a custom range with
the same length just before (services.kpi.periods)."""

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from services.kpi import periods
from services.kpi.periods import Period


@pytest.fixture(scope="module")
def request_context():
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True, "SECRET_KEY": "x"})
    with app.test_request_context():
        yield


def _range(period: Period) -> tuple[date, date, str]:
    return period.start, period.last, period.kind


@pytest.mark.parametrize(
    ("start", "end", "previous"),
    [
        # a month: the previous calendar month, whatever its length
        (date(2025, 10, 1), date(2025, 11, 1), (date(2025, 9, 1), date(2025, 9, 30), "month")),
        (date(2025, 3, 1), date(2025, 4, 1), (date(2025, 2, 1), date(2025, 2, 28), "month")),
        (date(2024, 3, 1), date(2024, 4, 1), (date(2024, 2, 1), date(2024, 2, 29), "month")),
        (date(2026, 1, 1), date(2026, 2, 1), (date(2025, 12, 1), date(2025, 12, 31), "month")),  # across the year
        # a quarter: the previous quarter
        (date(2025, 7, 1), date(2025, 10, 1), (date(2025, 4, 1), date(2025, 6, 30), "quarter")),
        (date(2025, 1, 1), date(2025, 4, 1), (date(2024, 10, 1), date(2024, 12, 31), "quarter")),
        # a year: the previous year
        (date(2025, 1, 1), date(2026, 1, 1), (date(2024, 1, 1), date(2024, 12, 31), "year")),
        # a custom range: the same number of days just before
        (date(2025, 10, 10), date(2025, 10, 20), (date(2025, 9, 30), date(2025, 10, 9), "custom")),
        (date(2025, 10, 2), date(2025, 11, 1), (date(2025, 9, 2), date(2025, 10, 1), "custom")),
        (date(2025, 12, 20), date(2026, 1, 10), (date(2025, 11, 29), date(2025, 12, 19), "custom")),
        (date(2025, 7, 1), date(2025, 9, 1), (date(2025, 4, 30), date(2025, 6, 30), "custom")),  # 62 days
    ],
)
def test_previous_period(start, end, previous):
    period = Period.of(start, end)
    assert _range(period.previous()) == previous
    if period.kind == "custom":
        assert period.previous().days == period.days and period.previous().end == period.start


def test_a_range_that_is_a_calendar_period_is_one():
    assert Period.of(date(2025, 10, 1), date(2025, 11, 1)) == periods.month_of(date(2025, 10, 17))
    assert Period.of(date(2025, 10, 1), date(2026, 1, 1)) == periods.quarter(2025, 4)
    assert Period.of(date(2025, 1, 1), date(2026, 1, 1)) == periods.year(2025)
    assert Period.of(date(2025, 2, 1), date(2025, 5, 1)).kind == "custom"  # three months, not a quarter


def test_codes_and_labels(request_context):
    assert periods.parse_code("2025-10") == periods.month_of(date(2025, 10, 1))
    assert periods.parse_code("2025-q4") == periods.quarter(2025, 4)
    assert periods.parse_code("2025") == periods.year(2025)
    for bad in ("2025-13", "2025-Q5", "2025-Q0", "1999", "20x5", "", None, "2025-1"):
        assert periods.parse_code(bad) is None, bad
    assert [periods.parse_code(p).code for p in ("2025-10", "2025-Q4", "2025")] == ["2025-10", "2025-Q4", "2025"]
    assert periods.quarter(2025, 4).label == "Quý 4/2025"
    assert periods.month_of(date(2025, 9, 1)).label == "Tháng 9/2025"
    assert periods.year(2025).label == "Năm 2025"
    custom = Period.of(date(2025, 10, 10), date(2025, 10, 20))
    assert custom.label == custom.dates == "10/10/2025 – 19/10/2025" and custom.code is None


def test_the_period_a_page_asks_for(request_context):
    today = date(2025, 11, 15)

    def ask(**args):
        return periods.from_args(MultiDict(args), today)

    assert ask() == (periods.month_of(today), "this_month", [])
    assert ask(preset="last_quarter")[0] == periods.quarter(2025, 3)
    assert ask(preset="this_year")[0] == periods.year(2025)
    assert ask(period="2025-Q2")[0] == periods.quarter(2025, 2)
    assert ask(start="01/10/2025", end="31/10/2025")[0] == periods.month_of(date(2025, 10, 1))
    assert ask(start="10/10/2025", end="19/10/2025")[0] == Period(date(2025, 10, 10), date(2025, 10, 20))
    period, preset, errors = ask(start="31/12/2025", end="01/12/2025")
    assert (period, preset) == (periods.month_of(today), "this_month") and errors == [
        "Ngày kết thúc đứng trước ngày bắt đầu."
    ]
    assert ask(start="01/01/2020", end="31/12/2024")[2] == ["Hãy chọn khoảng thời gian tối đa ba năm."]
    assert ask(period="Q9")[2] and ask(period="Q9")[0] == periods.month_of(today)
    assert periods.from_args(MultiDict(), today, default="this_quarter")[0] == periods.quarter(2025, 4)


def test_the_picker_lists_recent_quarters_months_and_years(request_context):
    (q_label, quarters), (m_label, months), (y_label, years) = periods.choices(date(2025, 11, 15))
    assert quarters[:2] == [("2025-Q4", "Quý 4/2025"), ("2025-Q3", "Quý 3/2025")] and len(quarters) == 8
    assert months[0] == ("2025-11", "Tháng 11/2025") and months[-1][0] == "2023-12" and len(months) == 24
    assert [code for code, _label in years] == ["2025", "2024", "2023"]
