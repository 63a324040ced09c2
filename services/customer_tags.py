"""Customer tags: labels people put on customers ("Đại lý", "Khách sỉ") and campaign audiences select by.

A tag is matched by its folded form (``services.text.fold``: "dai ly" finds "Đại lý"), so the three
databases agree whatever their collation, and a customer has a tag once whatever its spelling.
"""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists

from models import Customer, CustomerTag
from services import audit
from services.errors import ValidationError
from services.text import fold, nfc

MAX_LENGTH = 40
MAX_TAGS = 20
_SEPARATORS = re.compile(r"[,;\n]")


def parse(text: str | None) -> list[str]:
    """The tags written in ``text`` (separated by commas), cleaned and without repeats; ValidationError
    on ``tags`` for one too long or too many."""
    found: dict[str, str] = {}
    for part in _SEPARATORS.split(nfc(text or "")):
        tag = " ".join(part.split())
        if not tag:
            continue
        if len(tag) > MAX_LENGTH:
            raise ValidationError({"tags": [_l("A tag has at most %(n)s characters.", n=MAX_LENGTH)]})
        found.setdefault(fold(tag), tag)
    if len(found) > MAX_TAGS:
        raise ValidationError({"tags": [_l("At most %(n)s tags.", n=MAX_TAGS)]})
    return list(found.values())


def names(customer: Customer) -> list[str]:
    return [row.tag for row in customer.tags]


def set_tags(customer: Customer, tags: list[str]) -> None:
    """Give ``customer`` exactly ``tags`` (rows kept when only the spelling changes); audited when they change."""
    before = names(customer)
    wanted = {fold(tag): tag for tag in tags}
    kept = [row for row in customer.tags if row.tag_key in wanted]
    for row in kept:
        row.tag = wanted[row.tag_key]
    have = {row.tag_key for row in kept}
    customer.tags = kept + [CustomerTag(tag_key=key, tag=tag) for key, tag in wanted.items() if key not in have]
    after = list(wanted.values())
    if customer.id is not None and sorted(before) != sorted(after):
        audit.record("update", customer, changes={"tags": (", ".join(before), ", ".join(after))})


def clause(tags: list[str]) -> ColumnElement[bool]:
    """SQL on Customer: the customers that have every one of ``tags``."""
    return and_(
        *(exists().where(CustomerTag.customer_id == Customer.id, CustomerTag.tag_key == fold(tag)) for tag in tags)
    )
