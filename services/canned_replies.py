"""Canned replies with placeholders filled from the record at hand.

``{ten_khach}`` the customer's name, ``{ma_don}`` the order code, ``{ma_yeu_cau}`` the request code,
``{nhan_vien}`` the agent writing. A placeholder with nothing to fill stays as written, so the agent
sees what is missing rather than a blank.
"""

import re
from collections import namedtuple

from sqlalchemy import select

from models import CannedReply, db
from services.text import fold

PLACEHOLDERS = ("ten_khach", "ma_don", "ma_yeu_cau", "nhan_vien")
_FIELD = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
Filled = namedtuple("Filled", "id title body folded")


def active(session=None):
    """The active canned replies (id, title, body) by title: one statement."""
    session = session or db.session
    return session.execute(
        select(CannedReply.id, CannedReply.title, CannedReply.body)
        .where(CannedReply.active.is_(True))
        .order_by(CannedReply.title)
        .limit(200)
    ).all()


def values_for(customer=None, complaint=None, order=None, agent=None) -> dict[str, str]:
    customer = customer or getattr(complaint, "customer", None) or getattr(order, "customer", None)
    order = order or getattr(complaint, "order", None)
    values = {
        "ten_khach": getattr(customer, "name", None),
        "ma_don": getattr(order, "code", None),
        "ma_yeu_cau": getattr(complaint, "code", None),
        "nhan_vien": getattr(agent, "name", None),
    }
    return {k: v for k, v in values.items() if v}


def fill(body: str, values: dict[str, str]) -> str:
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), body or "")


def for_record(replies, **record) -> list[Filled]:
    """``replies`` (rows with id, title, body) with their placeholders filled from ``record``."""
    values = values_for(**record)
    return [Filled(r.id, r.title, fill(r.body, values), fold(f"{r.title} {r.body}")) for r in replies]
