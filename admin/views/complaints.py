"""Complaints, support and warranty requests: list, form, row actions and the status workflow.

The status is never a form field: it moves only through ``services.complaints.transition`` (the
details page's buttons, the ``/transition/`` page) and the row actions, each asking ``access``.
"""

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from admin.base import SecureModelView
from admin.listing import BigListMixin
from admin.steps import error_messages, run_step
from models import Complaint, User, db
from models.choices import (
    CHANNELS,
    COMPLAINT_CATEGORIES,
    COMPLAINT_STATUSES,
    PRIORITIES,
    REQUEST_KINDS,
    choices,
)
from services import access, canned_replies, global_search
from services import complaints as rules
from services.errors import AlreadyDone, CSKHError
from services.formatting import format_datetime

TRANSITION_LABELS = {
    "in_progress": _l("Start work"),
    "waiting": _l("Wait for customer"),
    "resolved": _l("Resolve"),
    "closed": _l("Close"),
}
REOPEN_LABEL = _l("Reopen")


def _due_formatter(view, context, model, name):
    text = format_datetime(model.due_at)
    if rules.is_overdue(model):
        return Markup('{} <span class="badge badge-danger overdue-badge">{}</span>').format(text, _("Overdue"))
    return text


class ComplaintView(BigListMixin, SecureModelView):
    resource = "complaint"
    action_permissions = {
        "delete": "delete",
        "assign_me": "assign",
        "escalate": "escalate",
        "resolve": "transition",
        "close": "transition",
        "reopen": "transition",
    }
    list_template = "admin/complaints_list.html"
    details_template = "admin/complaint_details.html"
    edit_template = "admin/complaint_edit.html"

    column_list = ["id", "subject", "customer", "kind", "category", "priority", "status", "assignee", "due_at"]
    column_details_list = [
        "id",
        "customer",
        "kind",
        "subject",
        "description",
        "category",
        "priority",
        "status",
        "channel",
        "resolution_plan",
        "assignee",
        "team",
        "due_at",
        "escalated_to",
        "escalated_at",
        "escalation_reason",
        "resolution",
        "first_contact_resolved",
        "opened_at",
        "resolved_at",
        "closed_at",
        "reopened_count",
        "satisfaction",
        "order",
        "product",
    ]
    column_export_list = column_details_list
    column_searchable_list = ["subject"]

    def search_condition(self, search):
        """Search by code, subject or the customer's name and phone, accent-free."""
        return global_search.complaint_list_condition(search)

    def search_placeholder(self):
        return _("Code KN-…, subject, customer name or phone")

    column_filters = ["status", "priority", "category", "kind", "assignee", "team", "due_at", "opened_at"]
    column_sortable_list = ["id", "subject", "priority", "status", "due_at", "opened_at"]
    column_default_sort = ("id", True)
    column_choices = {
        "status": choices(COMPLAINT_STATUSES),
        "priority": choices(PRIORITIES),
        "category": choices(COMPLAINT_CATEGORIES),
        "kind": choices(REQUEST_KINDS),
        "channel": choices(CHANNELS),
    }
    column_formatters = {
        "id": lambda v, c, m, n: m.code,
        "due_at": _due_formatter,
        "channel": lambda v, c, m, n: CHANNELS.get(m.channel, m.channel) if m.channel else "—",
    }
    column_labels = {
        "id": _l("Code"),
        "customer": _l("Customer"),
        "kind": _l("Request kind"),
        "subject": _l("Subject"),
        "description": _l("Description"),
        "category": _l("Issue category"),
        "priority": _l("Priority"),
        "status": _l("Status"),
        "channel": _l("Channel"),
        "resolution_plan": _l("Resolution plan"),
        "assignee": _l("Assignee"),
        "team": _l("Team"),
        "due_at": _l("Due"),
        "escalated_to": _l("Escalated to"),
        "escalated_at": _l("Escalated at"),
        "escalation_reason": _l("Reason for escalating"),
        "resolution": _l("Resolution"),
        "first_contact_resolved": _l("Resolved at first contact"),
        "opened_at": _l("Opened"),
        "resolved_at": _l("Resolved at"),
        "closed_at": _l("Closed at"),
        "reopened_count": _l("Times reopened"),
        "satisfaction": _l("Satisfaction (1–5)"),
        "order": _l("Order"),
        "product": _l("Product"),
    }
    form_columns = [
        "customer",
        "kind",
        "subject",
        "description",
        "category",
        "priority",
        "channel",
        "resolution_plan",
        "assignee",
        "order",
        "product",
        "resolution",
        "first_contact_resolved",
        "satisfaction",
    ]
    form_choices = {
        "kind": choices(REQUEST_KINDS),
        "category": choices(COMPLAINT_CATEGORIES),
        "priority": choices(PRIORITIES),
        "channel": [("", "—")] + choices(CHANNELS),
    }
    form_args = {"satisfaction": {"render_kw": {"min": 1, "max": 5}}}
    form_ajax_refs = {
        "customer": {"fields": ["name", "phone"], "placeholder": _l("Search customers")},
        "assignee": {"fields": ["name", "email"], "placeholder": _l("Search staff")},
        "order": {"fields": ["invoice_number", "tracking_code"]},
        "product": {"fields": ["name", "sku"]},
    }

    # ---- shown rows ---------------------------------------------------
    def row_class(self, row) -> str:
        return "row-overdue" if rules.is_overdue(row) else ""

    def next_statuses(self, complaint) -> list[tuple[str, str]]:
        """(status, button label) the user may move ``complaint`` to."""
        if not access.can(current_user, "transition", "complaint", complaint):
            return []
        return [
            (s, REOPEN_LABEL if s == "in_progress" and complaint.status in rules.REOPEN_FROM else TRANSITION_LABELS[s])
            for s in rules.allowed_transitions(complaint.status)
        ]

    def canned_replies(self, complaint=None):
        """The active canned replies, their placeholders filled from ``complaint`` and the current user."""
        return canned_replies.for_record(canned_replies.active(), complaint=complaint, agent=current_user)

    def create_form(self, obj=None):
        form = super().create_form(obj)
        customer_id = request.args.get("customer_id", type=int)
        if customer_id and request.method == "GET" and "customer" in form:
            loader = self.form_lookup("customer")
            customer = loader.get_one(customer_id) if loader else None
            if customer is not None:
                form.customer.data = customer
        return form

    # ---- the rules (services.complaints) -------------------------------
    def apply_rules(self, form, model, is_created, before):
        rules.apply_form(model, current_user, is_created, before)

    # ---- row actions --------------------------------------------------
    def _each(self, ids, fn) -> None:
        done, refused = 0, []
        for complaint in db.session.scalars(select(Complaint).where(Complaint.id.in_([int(i) for i in ids]))):
            try:
                with db.session.begin_nested():
                    fn(complaint)
                done += 1
            except CSKHError as exc:
                category = "info" if isinstance(exc, AlreadyDone) else "error"
                refused.append((f"{complaint.code}: {exc.message}", category))
        db.session.commit()
        if done:
            flash(_("%(n)d requests updated.", n=done), "success")
        for line, category in refused:
            flash(line, category)

    @action("assign_me", _l("Assign to me"))
    def action_assign_me(self, ids):
        me = db.session.get(User, current_user.id)
        self._each(ids, lambda c: rules.assign(c, me, current_user))

    @action("escalate", _l("Escalate…"))
    def action_escalate(self, ids):
        return redirect(url_for(".escalate_view", step="escalate", id=list(ids)))

    @action("resolve", _l("Resolve…"))
    def action_resolve(self, ids):
        return redirect(url_for(".transition_view", to="resolved", id=list(ids)))

    @action("close", _l("Close"), _l("Close the selected requests?"))
    def action_close(self, ids):
        self._each(ids, lambda c: rules.transition(c, "closed", current_user))

    @action("reopen", _l("Reopen"))
    def action_reopen(self, ids):
        self._each(ids, lambda c: rules.reopen(c, current_user))

    def _after_transition(self, complaints) -> str:
        if len(complaints) == 1:
            return url_for(".details_view", id=complaints[0].id)
        return url_for(".index_view")

    # ---- escalation with a reason ---------------------------------------
    @expose("/escalate/", methods=("GET", "POST"))
    def escalate_view(self):
        """GET: who the chosen requests go to and a required reason; POST: escalate them all, or none."""
        _step, complaints = self.step_rows("escalate", "step", ("escalate",))
        user = current_user._get_current_object()
        reason = request.form.get("reason", "")

        def page(errors: list[str]):
            return self.render(
                "admin/complaint_escalate.html",
                complaints=complaints,
                target=rules.escalation_target(complaints[0], user) if complaints else None,
                errors=errors,
                reason=reason,
            ), (400 if errors else 200)

        if request.method != "POST":
            return page([])

        def escalate_all() -> int:
            """The number escalated; AlreadyDone when a parallel submit escalated every one of them."""
            skipped = 0
            for complaint in complaints:
                try:
                    with db.session.begin_nested():
                        rules.escalate(complaint, user, reason)
                except AlreadyDone:
                    skipped += 1
            if complaints and skipped == len(complaints):
                raise AlreadyDone()
            return len(complaints) - skipped

        def refused(exc):
            return page(error_messages(exc))

        return run_step(
            escalate_all,
            done=lambda n: _("%(n)d requests escalated.", n=n),
            redirect_to=self._after_transition(complaints),
            already_done_to=self._after_transition(complaints),
            on_error=refused,
            on_forbidden=refused,
        )

    # ---- one request's transition -------------------------------------
    @expose("/transition/", methods=("GET", "POST"))
    def transition_view(self):
        """GET: the resolution form for the chosen requests; POST: move them to ``to``."""
        to_status, complaints = self.step_rows("transition", "to", COMPLAINT_STATUSES)
        resolution = request.form.get("resolution", "")

        def page(errors: list[str]):
            return self.render(
                "admin/complaint_transition.html",
                complaints=complaints,
                to_status=to_status,
                status_label=COMPLAINT_STATUSES[to_status],
                errors=errors,
                resolution=resolution,
                replies=self.canned_replies(complaints[0] if len(complaints) == 1 else None),
            ), (400 if errors else 200)

        if request.method != "POST":
            return page([])

        def move_all():
            for complaint in complaints:
                rules.transition(complaint, to_status, current_user, resolution=resolution or None)

        def refused(exc):
            return page(error_messages(exc))

        return run_step(
            move_all,
            done=_("Status changed to %(status)s.", status=COMPLAINT_STATUSES[to_status]),
            redirect_to=self._after_transition(complaints),
            already_done_to=self._after_transition(complaints),
            on_error=refused,
            on_forbidden=refused,
        )


def register(admin):
    admin.add_view(
        ComplaintView(
            Complaint, db, name=_l("Complaints & requests"), endpoint="complaints", category=_l("Customer care")
        )
    )
