"""Orders: the status workflow, stock at confirmation, totals and what a form must fill in.

The workflow is data (``TRANSITIONS``); ``transition`` is the one function the row actions, the
details page and any job call to move an order, and it asks ``services.access`` first. Confirming
takes every line's quantity from stock or nothing at all; cancelling a confirmed order puts it back.
"""

from collections import defaultdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select, update

from models import Order, Product, db
from services import access, audit, locking
from services.errors import InvalidTransition, NotAllowed, ValidationError

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("confirmed", "cancelled"),
    "confirmed": ("shipped", "cancelled"),
    "shipped": ("delivered",),
    "delivered": ("returned", "refunded"),
    "returned": ("refunded",),
    "cancelled": (),
    "refunded": (),
}
"""Status -> the statuses an order may move to."""

STOCK_HELD = ("confirmed", "shipped", "delivered")
"""Statuses in which the order's quantities have left stock."""


def allowed_transitions(status: str | None) -> tuple[str, ...]:
    return TRANSITIONS.get(status or "new", ())


def from_statuses(to_status: str) -> tuple[str, ...]:
    """The statuses an order may move to ``to_status`` from."""
    return tuple(status for status, targets in TRANSITIONS.items() if to_status in targets)


def recompute_total(order: Order) -> int:
    """The order's total = the sum of its lines (quantity × unit price), stored on the order."""
    order.total = sum((line.quantity or 0) * (line.unit_price or 0) for line in order.lines)
    return order.total


def _quantities(order: Order) -> dict[int, int]:
    needed: dict[int, int] = defaultdict(int)
    for line in order.lines:
        product_id = line.product_id if line.product_id is not None else getattr(line.product, "id", None)
        needed[product_id] += line.quantity or 0
    return dict(needed)


def reserve_stock(order: Order, session=None) -> None:
    """Take every line's quantity from stock, or raise ValidationError naming the short products
    before anything is changed. Rows are locked (FOR UPDATE where the database has it)."""
    session = session or db.session
    needed = _quantities(order)
    if not needed:
        raise ValidationError({"lines": [_l("An order needs at least one line before it is confirmed.")]})
    products = {
        p.id: p
        for p in session.scalars(select(Product).where(Product.id.in_(needed)).order_by(Product.id).with_for_update())
    }
    short = [
        _l(
            "Not enough stock of %(product)s: %(stock)d left, %(needed)d ordered.",
            product=str(products[pid]),
            stock=products[pid].stock or 0,
            needed=qty,
        )
        for pid, qty in sorted(needed.items())
        if pid in products and (products[pid].stock or 0) < qty
    ]
    if short:
        raise ValidationError({"lines": short})
    for pid, qty in sorted(needed.items()):
        done = session.execute(
            update(Product)
            .where(Product.id == pid, Product.stock >= qty)
            .values(stock=Product.stock - qty)
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:  # someone took the stock between the check and now: the caller rolls back
            raise ValidationError({"lines": [_l("Not enough stock of %(product)s.", product=str(products[pid]))]})
    for product in products.values():
        session.expire(product, ["stock"])


def release_stock(order: Order, session=None) -> None:
    """Put every line's quantity back into stock (a confirmed order was cancelled)."""
    session = session or db.session
    for pid, qty in sorted(_quantities(order).items()):
        session.execute(
            update(Product)
            .where(Product.id == pid)
            .values(stock=Product.stock + qty)
            .execution_options(synchronize_session=False)
        )
        product = session.get(Product, pid)
        if product is not None:
            session.expire(product, ["stock"])


def transition(order: Order, to_status: str, user, *, session=None) -> Order:
    """Move ``order`` to ``to_status`` if the workflow and the user's scope allow it; audited.

    Raises AlreadyDone (another request just moved it), InvalidTransition, NotAllowed, or
    ValidationError("lines") when confirming without enough stock; the caller rolls back then.
    The order's row is locked and its status compare-and-set before any stock moves, so
    parallel requests move stock once.
    """
    session = session or db.session
    sources = from_statuses(to_status)
    if not sources:
        raise InvalidTransition()
    before = locking.expect(order, sources, to_status, session=session)
    if not access.can(user, "transition", "order", order, session=session):
        raise NotAllowed()
    if to_status == "confirmed":
        reserve_stock(order, session)
    elif to_status == "cancelled" and before in STOCK_HELD:
        release_stock(order, session)
    locking.compare_and_set(order, before, to_status, session=session)
    audit.record("transition", order, changes={"status": (before, to_status)}, user=user, session=session)
    session.flush()
    return order


def _lines_changed(order: Order) -> bool:
    """Did the form add, remove or alter a line of this (already saved) order?"""
    state = inspect(order)
    if state.transient or state.pending:
        return False
    history = state.attrs.lines.history
    if history.added or history.deleted:
        return True
    for line in order.lines:
        line_state = inspect(line)
        if line_state.transient or line_state.pending:
            return True
        if any(line_state.attrs[a].history.has_changes() for a in ("quantity", "unit_price", "product_id", "product")):
            return True
    return False


def prepare(order: Order, session=None) -> Order:
    """Validate and complete an order from a form: every line has a product and a quantity above
    zero, a missing unit price is the product's price, blank codes are NULL, the total is recomputed.
    Lines are fixed once the order has left "new" (its stock is already taken)."""
    session = session or db.session
    errors: dict[str, list] = {}
    if order.customer_id is None and getattr(order, "customer", None) is None:
        errors["customer"] = [_l("This field is required.")]
    for line in [line for line in order.lines if line in session.deleted]:
        order.lines.remove(line)
    for number, line in enumerate(order.lines, start=1):
        product = line.product or (session.get(Product, line.product_id) if line.product_id else None)
        if product is None:
            errors.setdefault("lines", []).append(_l("Line %(n)d: choose a product.", n=number))
            continue
        if line.product_id != product.id:
            line.product_id = product.id
        if line.quantity is None or line.quantity <= 0:
            errors.setdefault("lines", []).append(_l("Line %(n)d: the quantity must be above zero.", n=number))
        if line.unit_price is None:
            line.unit_price = product.price or 0
        elif line.unit_price < 0:
            errors.setdefault("lines", []).append(_l("Line %(n)d: the price cannot be negative.", n=number))
    if (order.status or "new") != "new" and _lines_changed(order):
        errors.setdefault("lines", []).append(_l("The lines of an order can only be changed while it is new."))
    for name in ("invoice_number", "carrier", "tracking_code"):
        setattr(order, name, (getattr(order, name) or "").strip() or None)
    if order.invoice_number:
        clash = select(Order.id).where(Order.invoice_number == order.invoice_number)
        if order.id:
            clash = clash.where(Order.id != order.id)
        if session.scalar(clash) is not None:
            errors.setdefault("invoice_number", []).append(_l("Another order already has this invoice number."))
    if errors:
        raise ValidationError(errors)
    if getattr(order, "customer", None) is not None:
        order.customer_id = order.customer.id
    order.status = order.status or "new"
    recompute_total(order)
    return order
