"""Validation of bad input, in one place for forms, imports and the CLI.

Each function returns the clean value or raises ``ValidationError`` with a
translatable message for the field.
"""

import re
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from services.errors import ValidationError
from services.phones import format_phone, normalize_phone, optional_phone, phone_search_digits

__all__ = ["format_phone", "normalize_phone", "optional_phone", "phone_search_digits"]
"""The phone rule lives in services.phones; forms and imports find it here with the other fields."""


def normalize_email(raw: str | None, field: str = "email", required: bool = False) -> str | None:
    text = (raw or "").strip()
    if not text:
        if required:
            raise ValidationError({field: [_l("Email is required.")]})
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationError({field: [_l("Not a valid email address.")]}) from None


_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y")


def parse_date(raw, field: str = "date", required: bool = False) -> date | None:
    """dd/mm/yyyy first (how people here write dates), ISO accepted too."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = (str(raw) if raw is not None else "").strip()
    if not text:
        if required:
            raise ValidationError({field: [_l("Date is required.")]})
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError({field: [_l("Not a valid date; write it as dd/mm/yyyy.")]})


def parse_birthday(raw, field: str = "birthday") -> date | None:
    value = parse_date(raw, field)
    if value is not None and not (date(1900, 1, 1) <= value <= date.today()):
        raise ValidationError({field: [_l("A birthday must be between 1900 and today.")]})
    return value


def parse_amount(raw, field: str = "amount", required: bool = True) -> int | None:
    """VND as a whole number: "1.250.000", "1,250,000", "1250000 đ" and 1250000 are equal."""
    if isinstance(raw, bool):
        raise ValidationError({field: [_l("Not a valid amount of money.")]})
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    else:
        text = (str(raw) if raw is not None else "").strip()
        text = re.sub(r"\s*(₫|đ|vnd|vnđ|VND|VNĐ)$", "", text).strip()
        if not text:
            if required:
                raise ValidationError({field: [_l("Amount is required.")]})
            return None
        if not re.fullmatch(r"-?\d{1,3}([.,]\d{3})*|-?\d+", text):
            raise ValidationError({field: [_l("Not a valid amount of money; write whole dong, e.g. 1.250.000.")]})
        value = int(re.sub(r"[.,]", "", text))
    if value < 0:
        raise ValidationError({field: [_l("An amount cannot be negative.")]})
    return value


def require_text(raw, field: str, max_length: int = 200) -> str:
    text = (raw or "").strip() if isinstance(raw, str) or raw is None else str(raw).strip()
    if not text:
        raise ValidationError({field: [_l("This field is required.")]})
    if len(text) > max_length:
        raise ValidationError({field: [_l("At most %(n)d characters.", n=max_length)]})
    return text


def one_of(raw, mapping: dict, field: str) -> str:
    value = (raw or "").strip() if isinstance(raw, str) else raw
    if value not in mapping:
        raise ValidationError({field: [_l("Choose one of the listed values.")]})
    return value


def collect(*checks):
    """Run several ``lambda: ...`` checks; raise one ValidationError with every field's errors."""
    errors: dict[str, list] = {}
    values = []
    for check in checks:
        try:
            values.append(check())
        except ValidationError as exc:
            for name, messages in exc.errors.items():
                errors.setdefault(name, []).extend(messages)
            values.append(None)
    if errors:
        raise ValidationError(errors)
    return values
