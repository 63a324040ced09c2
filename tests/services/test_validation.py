import pytest

from services import validation
from services.errors import ValidationError
from services.text import fold, search_terms


@pytest.mark.parametrize(
    "raw", ["0912 345 678", "+84912345678", "84-912-345-678", "(+84) 912.345.678", "0912345678", "912345678"]
)
def test_phone_formats_are_one_number(raw):
    assert validation.normalize_phone(raw) == "0912345678"


@pytest.mark.parametrize("raw", ["", "12345", "0112345678", "09123456789", "abc0912345678", "+1 202 555 0100"])
def test_bad_phone_is_refused_with_a_field_message(raw):
    with pytest.raises(ValidationError) as exc:
        validation.normalize_phone(raw)
    assert "phone" in exc.value.errors


def test_messages_are_vietnamese_by_default(app):
    with app.test_request_context():
        with pytest.raises(ValidationError) as exc:
            validation.normalize_phone("123")
        assert "số điện thoại" in str(exc.value.errors["phone"][0]).lower()


def test_fold_ignores_diacritics_and_case():
    assert fold("NGUYỄN VĂN ĐẠT") == "nguyen van dat"
    assert fold("  Trần   Thị  Hạnh ") == "tran thi hanh"


def test_search_terms_turn_phones_into_national_digits():
    assert search_terms("Nguyễn 0912.345") == ["nguyen", "0912345"]
    assert search_terms("+84 912") == ["0912"]
    assert search_terms("0912 345 678") == ["0912345678"]
    assert search_terms("+84912345678") == ["0912345678"]


@pytest.mark.parametrize(
    "raw,expected",
    [("1.250.000", 1250000), ("1,250,000", 1250000), ("1250000 ₫", 1250000), (1250000, 1250000), ("0", 0)],
)
def test_amounts(raw, expected):
    assert validation.parse_amount(raw) == expected


@pytest.mark.parametrize("raw", ["-5", "12.5", "abc", "1.25.000"])
def test_bad_amounts(raw):
    with pytest.raises(ValidationError):
        validation.parse_amount(raw)


def test_dates_are_day_first():
    assert str(validation.parse_date("02/09/2026")) == "2026-09-02"
    assert str(validation.parse_date("2026-09-02")) == "2026-09-02"
    with pytest.raises(ValidationError):
        validation.parse_date("31/02/2026")


def test_email():
    assert validation.normalize_email(" An.Nguyen@Example.VN ") == "an.nguyen@example.vn"
    with pytest.raises(ValidationError):
        validation.normalize_email("an@")


def test_collect_reports_every_field():
    with pytest.raises(ValidationError) as exc:
        validation.collect(
            lambda: validation.normalize_phone("1", "phone"),
            lambda: validation.normalize_email("x", "email"),
            lambda: validation.parse_amount("7", "amount"),
        )
    assert set(exc.value.errors) == {"phone", "email"}
