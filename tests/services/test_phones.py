"""The one phone rule: every typed form of a Vietnamese number is the same number."""

import pytest

from services import phones
from services.errors import ValidationError


@pytest.mark.parametrize("typed", ["0912 345 678", "+84912345678", "84-912-345-678", "(+84) 912.345.678", "912345678"])
def test_every_typed_form_is_the_national_number(typed):
    assert phones.normalize_phone(typed) == "0912345678"


@pytest.mark.parametrize("typed", ["0112345678", "12345", "0912 345 67x"])
def test_a_number_that_is_not_vietnamese_is_refused_on_its_field(typed):
    with pytest.raises(ValidationError) as exc:
        phones.normalize_phone(typed, "alt_phone")
    assert list(exc.value.errors) == ["alt_phone"]
    assert phones.national_or_none(typed) is None


def test_national_and_international_forms_meet():
    assert phones.stored_forms("0912345678") == {"0912345678", "84912345678"}
    assert phones.national_digits("+84 912 345 678") == "0912345678"
    assert phones.international_digits("0912.345.678") == "84912345678"
    assert phones.international_digits("84912345678") == "84912345678"


def test_search_reads_a_phone_like_word_in_national_digits():
    assert phones.phone_search_digits("+84912") == "0912"
    assert phones.phone_search_digits("0912-345") == "0912345"
    assert phones.phone_search_digits("lan") is None
    assert phones.format_phone("0912345678") == "0912 345 678"
