"""The navbar's one search box: a phone, a name without accents, or any code, within the user's scope.

What a query can be, tried together:

- a request code ``KN-000433`` (``kn433``, ``KN 433``) or an order code ``DH-0003966``: by id;
- an invoice number (``HD00001234``, ``HD-0001``) or a tracking code: exact, case-insensitive;
- otherwise words: customers by name, phone (any format) or email, folded, through the customer
  search index (``services.search_index``).

``matches`` are the records the query names; with exactly one the view opens it. Otherwise the
view groups the matches with the requests and orders of the matching customers.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select

from models import Complaint, Customer, Order, db
from services import access
from services.search_index import search_condition
from services.text import fold, search_terms

LIMIT = 10
_COMPLAINT_CODE = re.compile(r"^\s*kn[\s\-_]*0*(\d{1,12})\s*$", re.IGNORECASE)
_ORDER_CODE = re.compile(r"^\s*dh[\s\-_]*0*(\d{1,12})\s*$", re.IGNORECASE)
_CODE_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_./]{3,59}$")


@dataclass
class Results:
    customers: list[Customer] = field(default_factory=list)
    complaints: list[Complaint] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    matches: list[tuple[str, int]] = field(default_factory=list)
    """(kind, id) of what the query itself names: the records a single match opens."""

    @property
    def single(self) -> tuple[str, int] | None:
        return self.matches[0] if len(self.matches) == 1 else None

    @property
    def empty(self) -> bool:
        return not (self.customers or self.complaints or self.orders)


def complaint_id(query: str) -> int | None:
    match = _COMPLAINT_CODE.match(query or "")
    return int(match.group(1)) if match else None


def order_id(query: str) -> int | None:
    match = _ORDER_CODE.match(query or "")
    return int(match.group(1)) if match else None


def order_code_condition(query: str):
    """Orders a code-like query names: its ``DH-`` code, invoice number or tracking code (None if not code-like)."""
    raw = (query or "").strip()
    conditions = []
    if (oid := order_id(raw)) is not None:
        conditions.append(Order.id == oid)
    if _CODE_LIKE.match(raw):
        upper = raw.upper()
        conditions += [Order.invoice_number.in_({raw, upper}), Order.tracking_code.in_({raw, upper})]
    return or_(*conditions) if conditions else None


def customer_condition(query: str):
    """Customers by name, phone or email, accents and phone formats ignored (None for an empty query)."""
    terms = search_terms(query)
    return search_condition(Customer, terms, db.engine) if terms else None


def search(user, query: str, limit: int = LIMIT) -> Results:
    """What ``query`` finds in ``user``'s scope (each group at most ``limit``)."""
    results = Results()
    raw = (query or "").strip()[:100]
    if not fold(raw):
        return results
    cid = complaint_id(raw)
    if cid is not None and access.allowed(user, "complaint", "view"):
        results.complaints = _scoped(user, "complaint", select(Complaint).where(Complaint.id == cid), 1)
        results.matches += [("complaint", c.id) for c in results.complaints]
    orders_by_code = order_code_condition(raw)
    if orders_by_code is not None and access.allowed(user, "order", "view"):
        results.orders = _scoped(user, "order", select(Order).where(orders_by_code).order_by(Order.id), limit)
        results.matches += [("order", o.id) for o in results.orders]
    if results.matches:
        return results
    condition = customer_condition(raw)
    if condition is None or not access.allowed(user, "customer", "view"):
        return results
    results.customers = _scoped(user, "customer", select(Customer).where(condition).order_by(Customer.id), limit)
    results.matches = [("customer", c.id) for c in results.customers]
    ids = [c.id for c in results.customers]
    if len(ids) > 1:
        if access.allowed(user, "complaint", "view"):
            query_c = select(Complaint).where(Complaint.customer_id.in_(ids)).order_by(Complaint.opened_at.desc())
            results.complaints = _scoped(user, "complaint", query_c, limit)
        if access.allowed(user, "order", "view"):
            query_o = select(Order).where(Order.customer_id.in_(ids)).order_by(Order.id.desc())
            results.orders = _scoped(user, "order", query_o, limit)
    return results


def _scoped(user, resource: str, query, limit: int) -> list:
    return list(db.session.scalars(query.where(access.scope_clause(user, resource, "view")).limit(limit)))


def complaint_list_condition(query: str):
    """The complaint list's search: the code, every word in the subject, or the customer's name/phone
    (all accent-free)."""
    raw = (query or "").strip()
    if (cid := complaint_id(raw)) is not None:
        return Complaint.id == cid
    words = fold(raw).split()
    if not words:
        return None
    conditions = [and_(*(Complaint.subject_folded.contains(word, autoescape=True) for word in words))]
    customers = customer_condition(raw)
    if customers is not None:
        conditions.append(Complaint.customer_id.in_(select(Customer.id).where(customers)))
    return or_(*conditions)


def order_list_condition(query: str):
    """The order list's search: the code, invoice or tracking number, or the customer's name/phone."""
    raw = (query or "").strip()
    by_code = order_code_condition(raw)
    if order_id(raw) is not None:
        return by_code
    conditions = [by_code] if by_code is not None else []
    customers = customer_condition(raw)
    if customers is not None:
        conditions.append(Order.customer_id.in_(select(Customer.id).where(customers)))
    return or_(*conditions) if conditions else None
