"""Half-up rounding and the way figures are written, in Vietnamese and in English (services.kpi.numbers)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from flask_babel import force_locale

from services.kpi import numbers


@pytest.fixture(scope="module")
def request_context():
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True, "SECRET_KEY": "x"})
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (Fraction(100, 16), 1, 6.3),  # 1/16 = 6.25 % -> 6.3 %, not the half-to-even 6.2
        (6.25, 1, 6.3),
        (Fraction(-100, 16), 1, -6.3),  # half away from zero
        (2.675, 2, 2.68),  # a float is read as the decimal it prints as (binary 2.67499…)
        (Fraction(2, 3) * 100, 1, 66.7),
        (Decimal("0.05"), 1, 0.1),
        (Fraction(5, 2), 0, 3),
        (7, 0, 7),
        (None, 1, None),
    ],
)
def test_round_half_up(value, decimals, expected):
    assert numbers.round_half_up(value, decimals) == expected
    if decimals == 0 and expected is not None:
        assert isinstance(numbers.round_half_up(value, decimals), int)


def test_ratio_is_exact_and_empty_without_a_denominator():
    assert numbers.ratio(1, 16) == Fraction(25, 4)
    assert numbers.ratio(782 * 3600, 4, Fraction(1, 3600)) == Fraction(391, 2)
    assert numbers.ratio(3, 0) is None


def test_vietnamese_numbers(request_context):
    with force_locale("vi"):
        assert numbers.display(numbers.ratio(1, 16), "%", 1) == "6,3 %"
        assert numbers.display(76.24, "h", 1) == "76,2 giờ"
        assert numbers.number(1234) == "1.234"
        assert numbers.number(1234567.891, 2) == "1.234.567,89"
        assert numbers.display(4, signed=True) == "+4"
        assert numbers.display(-3.25, "%", 1, signed=True) == "-3,3 điểm %"  # a change of a % is in points
        assert numbers.display(0, "%", 1, signed=True) == "0,0 điểm %"
        assert numbers.display(1.5, "h", 1, signed=True) == "+1,5 giờ"
        assert numbers.display(None, "%", 1) == "—"


def test_english_numbers(request_context):
    with force_locale("en"):
        assert numbers.display(numbers.ratio(1, 16), "%", 1) == "6.3%"
        assert numbers.display(76.24, "h", 1) == "76.2 h"
        assert numbers.number(1234) == "1,234"
        assert numbers.display(12.5, "%", 1, signed=True) == "+12.5 pp"
        assert numbers.display(None) == "—"


def test_xlsx_values_and_formats(request_context):
    assert numbers.xlsx_value(6.3, "%") == 0.063
    assert numbers.xlsx_value(12.5, "%", signed=True) == 12.5  # a change of a percentage: points
    assert numbers.xlsx_value(76.2, "h") == 76.2 and numbers.xlsx_value(None, "%") is None
    assert numbers.xlsx_format("%", 1) == "0.0%"
    assert numbers.xlsx_format("", 0) == "#,##0"
    assert numbers.xlsx_format("h", 1) == "#,##0.0"
    assert numbers.xlsx_format("", 0, signed=True) == "+#,##0;-#,##0;#,##0"
    with force_locale("vi"):
        assert numbers.xlsx_format("%", 1, signed=True) == '+#,##0.0" điểm %";-#,##0.0" điểm %";#,##0.0" điểm %"'
    with force_locale("en"):
        assert numbers.xlsx_format("%", 1, signed=True) == '+#,##0.0" pp";-#,##0.0" pp";#,##0.0" pp"'
