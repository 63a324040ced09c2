"""Orders with their lines, and products.

An order's status is never a form field: it moves only through ``services.orders.transition`` (the
details page's buttons posting to ``/transition/`` and the list's row actions), which checks the
workflow, the user's scope and, on confirmation, the stock of every line.
"""

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.form import InlineModelConverter
from flask_admin.model.form import InlineFormAdmin
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.validators import Optional

from admin.base import ScopedAjaxLoader, SecureModelView, vnd_formatter
from admin.fields import MoneyField
from admin.listing import BigListMixin
from admin.steps import error_messages, run_step
from models import Order, OrderLine, Product, db
from models.choices import ORDER_STATUSES, choices
from services import access, global_search
from services import order_returns as returns
from services import orders as rules
from services import products as product_rules
from services.errors import CSKHError, ValidationError
from services.formatting import format_vnd

TRANSITION_LABELS = {
    "confirmed": _l("Confirm"),
    "shipped": _l("Mark shipped"),
    "delivered": _l("Mark delivered"),
    "cancelled": _l("Cancel the order"),
    "returned": _l("Mark returned"),
    "refunded": _l("Mark refunded"),
}


class OrderLineInline(InlineFormAdmin):
    """A line: the product by AJAX lookup, the quantity, the unit price (blank = the product's price)."""

    form_columns = ["id", "product", "quantity", "unit_price"]
    form_overrides = {"unit_price": MoneyField}
    form_args = {
        "unit_price": {"label": _l("Unit price (blank = list price)"), "validators": [Optional()]},
        "quantity": {"label": _l("Quantity"), "default": 1, "render_kw": {"min": 1}},
        "product": {"label": _l("Product")},
    }
    form_ajax_refs = {
        "product": ScopedAjaxLoader("product", db, Product, fields=["name", "sku"], placeholder=_l("Search products"))
    }


class OrderView(BigListMixin, SecureModelView):
    resource = "order"
    action_permissions = {
        "delete": "delete",
        **{f"to_{s}": "transition" for s in ("confirmed", "shipped", "delivered", "cancelled")},
    }
    details_template = "admin/order_details.html"

    column_list = [
        "id",
        "customer",
        "status",
        "total",
        "invoice_number",
        "carrier",
        "tracking_code",
        "expected_delivery",
    ]
    column_details_list = column_list + ["change_request", "note", "created_at", "updated_at"]
    column_export_list = column_list + ["created_at"]
    column_searchable_list = ["invoice_number", "tracking_code"]

    def search_condition(self, search):
        """Search by code, invoice/tracking number or the customer's name and phone, accent-free."""
        return global_search.order_list_condition(search)

    def search_placeholder(self):
        return _("Code DH-…, invoice, tracking, customer name or phone")

    column_filters = ["status", "created_at", "expected_delivery", "carrier"]
    column_sortable_list = ["id", "status", "total", "expected_delivery", "created_at"]
    column_default_sort = ("id", True)
    column_choices = {"status": choices(ORDER_STATUSES)}
    column_formatters = {"id": lambda v, c, m, n: m.code, "total": vnd_formatter}
    column_formatters_export = {"id": lambda v, c, m, n: m.code, "total": lambda v, c, m, n: m.total}
    column_labels = {
        "id": _l("Code"),
        "customer": _l("Customer"),
        "status": _l("Status"),
        "total": _l("Total"),
        "invoice_number": _l("Invoice number"),
        "carrier": _l("Carrier"),
        "tracking_code": _l("Tracking code"),
        "expected_delivery": _l("Expected delivery"),
        "change_request": _l("Changes requested"),
        "note": _l("Note"),
        "created_at": _l("Created"),
        "updated_at": _l("Updated"),
        "lines": _l("Order lines"),
    }
    form_columns = [
        "customer",
        "invoice_number",
        "carrier",
        "tracking_code",
        "expected_delivery",
        "change_request",
        "note",
    ]
    form_ajax_refs = {"customer": {"fields": ["name", "phone"], "placeholder": _l("Search customers")}}
    inline_models = (OrderLineInline(OrderLine),)
    inline_model_form_converter = InlineModelConverter

    # ---- shown rows ---------------------------------------------------
    def next_statuses(self, order) -> list[tuple[str, str]]:
        """(status, button label) the user may move ``order`` to."""
        if not access.can(current_user, "transition", "order", order):
            return []
        return [(s, TRANSITION_LABELS[s]) for s in rules.allowed_transitions(order.status) if s not in returns.KINDS]

    def return_kinds(self, order) -> list[tuple[str, str]]:
        """(status, label) of the return / refund forms the user may open for ``order``."""
        if not access.can(current_user, "transition", "order", order):
            return []
        return [(s, TRANSITION_LABELS[s]) for s in rules.allowed_transitions(order.status) if s in returns.KINDS]

    @staticmethod
    def money(value) -> str:
        return format_vnd(value)

    def create_form(self, obj=None):
        form = super().create_form(obj)
        customer_id = request.args.get("customer_id", type=int)
        if customer_id and request.method == "GET" and "customer" in form:
            customer = self.form_lookup("customer").get_one(customer_id)
            if customer is not None:
                form.customer.data = customer
        return form

    # ---- the rules ----------------------------------------------------
    def apply_rules(self, form, model, is_created, before):
        if is_created:
            model.status = "new"
        rules.prepare(model)

    # ---- transitions --------------------------------------------------
    def _move(self, ids, to_status: str) -> None:
        done, refused = 0, []
        for order in db.session.scalars(select(Order).where(Order.id.in_([int(i) for i in ids]))):
            try:
                with db.session.begin_nested():
                    rules.transition(order, to_status, current_user)
                done += 1
            except CSKHError as exc:
                refused.append(f"{order.code}: {_messages(exc)}")
        db.session.commit()
        if done:
            flash(_("%(n)d orders updated.", n=done), "success")
        for line in refused:
            flash(line, "error")

    @action("to_confirmed", _l("Confirm"), _l("Confirm the selected orders? Stock is taken for every line."))
    def action_confirm(self, ids):
        self._move(ids, "confirmed")

    @action("to_shipped", _l("Mark shipped"))
    def action_ship(self, ids):
        self._move(ids, "shipped")

    @action("to_delivered", _l("Mark delivered"))
    def action_deliver(self, ids):
        self._move(ids, "delivered")

    @action("to_cancelled", _l("Cancel the order"), _l("Cancel the selected orders?"))
    def action_cancel(self, ids):
        self._move(ids, "cancelled")

    @expose("/transition/", methods=("POST",))
    def transition_view(self):
        """Move one order (``id``) to ``to``; back to its details page with the outcome flashed."""
        if not self._allowed("transition"):
            abort(403)
        to_status = request.form.get("to", "")
        order_id = request.form.get("id", "")
        if to_status not in ORDER_STATUSES or not order_id:
            abort(400)
        if to_status in returns.KINDS:  # a reason, an amount and a confirmation: the return form
            return redirect(url_for(".return_view", id=order_id, kind=to_status)), 303
        self.ensure_in_scope([order_id], "transition")
        order = db.session.get(Order, int(order_id))
        if order is None:
            abort(404)
        back = url_for(".details_view", id=order_id)

        def refused(exc):
            flash(_messages(exc), "error")
            return redirect(back), 303

        return run_step(
            lambda: rules.transition(order, to_status, current_user),
            done=_("Status changed to %(status)s.", status=ORDER_STATUSES[to_status]),
            redirect_to=back,
            already_done_to=back,
            on_error=refused,
        )

    @expose("/return/", methods=("GET", "POST"))
    def return_view(self):
        """Return or refund one order (``id``, ``kind``): reason, amount, confirmation (services.order_returns)."""
        if not self._allowed("transition"):
            abort(403)
        order_id = request.values.get("id", "")
        kind = request.values.get("kind", "")
        if kind not in returns.KINDS or not order_id.isdigit():
            abort(400)
        self.ensure_in_scope([order_id], "transition")
        order = db.session.get(Order, int(order_id))
        if order is None:
            abort(404)
        if request.method == "POST":
            back = url_for(".details_view", id=order_id)
            return run_step(
                lambda: returns.apply(
                    order,
                    kind,
                    current_user,
                    reason=request.form.get("reason"),
                    amount=request.form.get("amount"),
                    confirmed=request.form.get("confirm") == "y",
                ),
                done=_("Status changed to %(status)s.", status=ORDER_STATUSES[kind]),
                redirect_to=back,
                already_done_to=back,
                on_error=lambda exc: self._return_page(db.session.get(Order, int(order_id)), kind, _field_errors(exc)),
            )
        return self._return_page(order, kind, {})

    def _return_page(self, order, kind: str, errors: dict):
        return self.render(
            "admin/order_return.html",
            order=order,
            kind=kind,
            kind_label=TRANSITION_LABELS[kind],
            refundable=format_vnd(returns.refundable(order)),
            errors=errors,
            values=request.form,
        ), (400 if errors else 200)


def _messages(exc: CSKHError) -> str:
    return " ".join(error_messages(exc))


def _field_errors(exc: CSKHError) -> dict[str, list[str]]:
    """The return form's errors: per field, or the rule's one message under ``kind``."""
    if isinstance(exc, ValidationError):
        return {k: [str(m) for m in v] for k, v in exc.errors.items()}
    return {"kind": [str(exc.message)]}


class ProductView(SecureModelView):
    resource = "product"
    column_list = ["sku", "name", "price", "stock", "warranty_months", "active"]
    column_details_list = ["sku", "name", "description", "price", "stock", "warranty_months", "active", "created_at"]
    column_export_list = ["sku", "name", "price", "stock", "warranty_months", "active"]
    column_searchable_list = ["search_text"]
    column_filters = ["active", "price", "stock", "warranty_months"]
    column_sortable_list = ["sku", "name", "price", "stock", "warranty_months"]
    column_default_sort = ("name", False)
    column_formatters = {"price": vnd_formatter}
    column_formatters_export = {"price": lambda v, c, m, n: m.price}
    column_labels = {
        "sku": _l("SKU"),
        "name": _l("Name"),
        "description": _l("Description"),
        "price": _l("Price"),
        "stock": _l("Stock"),
        "warranty_months": _l("Warranty (months)"),
        "active": _l("Active"),
        "created_at": _l("Created"),
    }
    form_columns = ["sku", "name", "description", "price", "stock", "warranty_months", "active"]
    form_overrides = {"price": MoneyField}
    form_args = {
        "stock": {"render_kw": {"min": 0}, "validators": [Optional()]},
        "warranty_months": {"render_kw": {"min": 0}, "validators": [Optional()]},
        "price": {"validators": [Optional()]},
    }

    def apply_rules(self, form, model, is_created, before):
        product_rules.prepare(model)


def register(admin):
    category = _l("Sales")
    admin.add_view(OrderView(Order, db, name=_l("Orders"), endpoint="orders", category=category))
    admin.add_view(ProductView(Product, db, name=_l("Products"), endpoint="products", category=category))
