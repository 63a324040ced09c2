"""The customer 360 page: everything about one customer on one screen, and quick entries.

Mixed into ``CustomerView``: it replaces ``/details/`` (so every details link leads here) and adds
the POST endpoint of its one call-logging form (services/call_log.py) and the canned replies it
loads on demand. The customer comes from ``SecureModelView.get_one`` (403 outside the user's
scope); each section is one query filtered by the customer and by the user's own scope on that
section's resource, all sections in one statement (services/customer_history.py): the page costs
three statements (the user, the customer, the history), four for a scoped role (its check of the
customer's row).
"""

from datetime import UTC, datetime

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_admin.helpers import get_redirect_target
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from admin.steps import run_step
from models import Order, db
from models.choices import (
    APPOINTMENT_KINDS,
    CHANNEL_DIRECTIONS,
    CHANNELS,
    COMPLAINT_CATEGORIES,
    COMPLAINT_STATUSES,
    CUSTOMER_TYPES,
    GIFT_STATUSES,
    INTERACTION_OUTCOMES,
    MOOD_SCORES,
    MOODS,
    OCCASIONS,
    ORDER_STATUSES,
    POTENTIAL_LEVELS,
    PRIORITIES,
    REQUEST_KINDS,
)
from services import access, call_log, canned_replies, panel
from services import complaints as complaint_rules
from services import interactions as interaction_rules
from services.customer_history import customer_history
from services.errors import ValidationError
from services.formatting import format_date, format_datetime, format_duration, format_time, format_vnd
from services.validation import format_phone

TIMELINE_LIMIT = 50
SECTION_LIMIT = 20
SECTION_LIMITS = {
    "interaction": TIMELINE_LIMIT + 1,
    "emotion": SECTION_LIMIT,
    "complaint": 100,
    "order": SECTION_LIMIT,
    "gift": SECTION_LIMIT,
    "survey": SECTION_LIMIT,
    "appointment": SECTION_LIMIT,
}
"""Rows per section (one more interaction than shown: "All interactions" appears when there are more)."""

_labels: dict[str, dict[str, dict[str, str]]] = {}


def _translated(**mappings) -> dict[str, dict[str, str]]:
    """Every label translated once per language and process: a lazy label would be translated again
    in each row of the timeline (51 rows × 4 labels) and each option of the quick forms."""
    locale = str(get_locale())
    if locale not in _labels:
        _labels[locale] = {name: {v: str(label) for v, label in mapping.items()} for name, mapping in mappings.items()}
    return _labels[locale]


def _channel_directions() -> list[tuple[str, str, str]]:
    """(channel, direction, label) of every direction that fits a channel, for the form's select."""
    return [(c, d, str(label)) for c, mapping in CHANNEL_DIRECTIONS.items() for d, label in mapping.items()]


class Customer360Mixin:
    """The 360 page and its quick forms for ``CustomerView``."""

    customer_360_template = "admin/customer_360.html"

    def customer_360_context(self, customer) -> dict:
        user = current_user
        cid = customer.id
        history = customer_history(cid, user, SECTION_LIMITS, datetime.now(UTC))
        timeline, emotions, complaints = history["interaction"], history["emotion"], history["complaint"]
        orders, gifts, surveys, appointments = (
            history["order"],
            history["gift"],
            history["survey"],
            history["appointment"],
        )
        more_interactions = timeline is not None and len(timeline) > TIMELINE_LIMIT
        return {
            "customer": customer,
            "timeline": (timeline or [])[:TIMELINE_LIMIT] if timeline is not None else None,
            "more_interactions": more_interactions,
            "emotions": emotions,
            "mood_trend": list(reversed(emotions or [])),
            "open_complaints": None if complaints is None else [c for c in complaints if complaint_rules.is_open(c)],
            "past_complaints": None
            if complaints is None
            else [c for c in complaints if not complaint_rules.is_open(c)],
            "orders": orders,
            "orders_total": sum(o.total or 0 for o in orders or []),
            "order_choices": {
                str(o.id): f"{o.code} · {format_date(o.created_at)} · {format_vnd(o.total)}" for o in orders or []
            },
            "gifts": gifts,
            "surveys": surveys,
            "appointments": appointments,
            "is_overdue": complaint_rules.is_overdue,
            "can_log": access.allowed(user, "interaction", "create"),
            "call_token": call_log.new_form_token(),
            "can_emotion": access.allowed(user, "emotion", "create"),
            "can_complain": access.allowed(user, "complaint", "create"),
            "can_schedule": access.allowed(user, "appointment", "create"),
            "callback_url": self._callback_url(cid),
            "fmt": {
                "phone": format_phone,
                "date": format_date,
                "datetime": format_datetime,
                "vnd": format_vnd,
                "duration": format_duration,
                "time": format_time,
            },
            "labels": _translated(
                channel=CHANNELS,
                outcome=INTERACTION_OUTCOMES,
                mood=MOODS,
                status=COMPLAINT_STATUSES,
                priority=PRIORITIES,
                kind=REQUEST_KINDS,
                category=COMPLAINT_CATEGORIES,
                order_status=ORDER_STATUSES,
                occasion=OCCASIONS,
                gift_status=GIFT_STATUSES,
                appointment_kind=APPOINTMENT_KINDS,
                customer_type=CUSTOMER_TYPES,
                potential=POTENTIAL_LEVELS,
            ),
            "channel_directions": _channel_directions(),
            "direction_of": interaction_rules.direction_label,
            "mood_scores": MOOD_SCORES,
            "panel_linked": panel.linked_rows(customer, user),
        }

    @staticmethod
    def _callback_url(customer_id: int) -> str | None:
        try:
            return url_for("appointments.create_view", customer_id=customer_id, kind="call_back")
        except Exception:  # noqa: BLE001 - the appointments view may not be registered
            return None

    def render_360(self, customer, *, errors=None, form_name=None, status=200):
        context = self.customer_360_context(customer)
        return_url = get_redirect_target() or self.get_url(".index_view")
        values = request.form if request.method == "POST" else {}
        return (
            self.render(
                self.customer_360_template,
                model=customer,
                return_url=return_url,
                errors=errors or {},
                form_name=form_name,
                values=values,
                **context,
            ),
            status,
        )

    def _customer_or_404(self):
        raw = request.values.get("id")
        if not raw:
            abort(400)
        customer = self.get_one(raw)  # 403 outside the user's scope
        if customer is None:
            abort(404)
        return customer

    @expose("/details/")
    def details_view(self):
        return self.render_360(self._customer_or_404())

    @expose("/360/log/", methods=("POST",))
    def log_interaction_view(self):
        """The one call-logging form: interaction, mood and, ticked, a request, all written or none."""
        form = request.form
        customer = self._customer_or_404()
        back = url_for(".details_view", id=customer.id)

        def refused(exc):
            if isinstance(exc, ValidationError):
                return self.render_360(self._customer_or_404(), errors=exc.errors, form_name="log", status=400)
            flash(str(exc.message), "error")
            return redirect(back)

        def logged(call) -> str:
            if call.complaint is not None:
                return _("The call was logged and request %(code)s was opened.", code=call.complaint.code)
            return _("The interaction was logged.")

        return run_step(
            lambda: call_log.log_call(current_user._get_current_object(), customer, form),
            done=logged,
            redirect_to=url_for(".details_view", id=form.get("id")) + "#timeline",
            already_done_to=url_for(".details_view", id=customer.id) + "#timeline",
            on_error=refused,
        )

    @expose("/360/replies/")
    def canned_replies_view(self):
        """The canned replies for this customer, placeholders filled (the customer, the order chosen in the
        form if it is theirs, the agent), as JSON: loaded when the agent opens the search box, so the
        page itself stays within its statements."""
        customer = self._customer_or_404()
        order = None
        order_id = request.args.get("order", type=int)
        if order_id and complaint_rules.is_customers_order(order_id, customer.id):
            order = db.session.get(Order, order_id)
        replies = canned_replies.for_record(canned_replies.active(), customer=customer, order=order, agent=current_user)
        return jsonify([{"id": r.id, "title": r.title, "body": r.body, "folded": r.folded} for r in replies])
