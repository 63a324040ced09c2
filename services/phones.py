"""The Vietnamese phone number rule, once: forms, imports, search and the panels' customer links use it.

A number is stored in its national form, ten digits from ``0`` (``0912345678``). The country
code 84 replaces that ``0`` when a number is typed or stored internationally (``+84 912 345 678``,
``84912345678``). Nothing here imports another module of ours, so text and validation both may.
"""

import re

from flask_babel import lazy_gettext as _l

from services.errors import ValidationError

COUNTRY_CODE = "84"
NATIONAL = re.compile(r"^0(3|5|7|8|9|2)\d{8}$")
"""Mobile prefixes after the 2018 renumbering (03x, 05x, 07x, 08x, 09x) and landlines (02x)."""
PUNCTUATION = " .-+()"
"""What people type between the digits of a number."""
_NON_DIGIT = re.compile(r"\D+")
_PUNCTUATION = re.compile(r"[\s\-\.\(\)\+]")


def _digits(text: str) -> str:
    return _NON_DIGIT.sub("", text)


def _from_international(number: str) -> str:
    """``84912345678`` -> ``0912345678``: the country code stands for the leading 0."""
    return "0" + number[len(COUNTRY_CODE) :]


def normalize_phone(raw: str | None, field: str = "phone") -> str:
    """One form for every way a Vietnamese number is typed: ``0912345678``.

    "0912 345 678", "+84912345678", "84-912-345-678" and "(+84) 912.345.678" are equal.
    """
    text = (raw or "").strip()
    if not text:
        raise ValidationError({field: [_l("Phone number is required.")]})
    if re.search(r"[^\d\s\-\.\(\)\+]", text):
        raise ValidationError({field: [_l("A phone number may only contain digits, spaces, dots, dashes and +.")]})
    number = _digits(text)
    if number.startswith(COUNTRY_CODE) and len(number) == 11:
        number = _from_international(number)
    elif len(number) == 9 and not number.startswith("0"):
        number = "0" + number
    if not NATIONAL.match(number):
        raise ValidationError({field: [_l("Not a valid Vietnamese phone number (10 digits, e.g. 0912 345 678).")]})
    return number


def optional_phone(raw: str | None, field: str = "phone") -> str | None:
    return normalize_phone(raw, field) if raw and raw.strip() else None


def national_or_none(raw: str | None) -> str | None:
    """The national form of ``raw``, or None when it is empty or not a Vietnamese number."""
    try:
        return optional_phone(raw)
    except ValidationError:
        return None


def stored_forms(national: str) -> set[str]:
    """The digit strings a number of ours may be stored as elsewhere: national and international."""
    return {national, COUNTRY_CODE + national[1:]}


def national_digits(text: str | None) -> str:
    """The digits of ``text`` in national form, unchecked: what a provider call or a carrier lookup needs."""
    number = _digits(text or "")
    return _from_international(number) if number.startswith(COUNTRY_CODE) else number


def international_digits(text: str | None) -> str:
    """``0912345678`` -> ``84912345678`` (the form Zalo ZNS takes), unchecked."""
    number = _digits(text or "")
    if number.startswith(COUNTRY_CODE):
        return number
    return COUNTRY_CODE + number[1:] if number.startswith("0") else number


def phone_search_digits(word: str) -> str | None:
    """The national-form digits of a search word that looks like (part of) a phone number."""
    number = _digits(word)
    if len(number) < 3 or len(number) != len(_PUNCTUATION.sub("", word)):
        return None
    if word.strip().startswith("+" + COUNTRY_CODE) or (number.startswith(COUNTRY_CODE) and len(number) >= 10):
        number = _from_international(number)
    return number


def format_phone(number: str | None) -> str:
    """Display form ``0912 345 678``."""
    if not number:
        return ""
    if len(number) == 10:
        return f"{number[:4]} {number[4:7]} {number[7:]}"
    return number
