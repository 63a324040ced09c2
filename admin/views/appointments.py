"""Appointments and call-backs: the quiet-hours rule on every time typed, "my call-backs today",
and closing a call as done / no answer with the outcome and the customer's satisfaction."""

from flask import g, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_

from admin.base import SecureModelView
from admin.steps import error_messages, run_step
from admin.views.interactions import AccessMenuLink
from models import Appointment, User, db
from models.choices import APPOINTMENT_KINDS, APPOINTMENT_STATUSES, choices
from services import access, schedule
from services import appointments as outcome_rules
from services.errors import ValidationError

MINE_TODAY = "today"
OUTCOME_LABELS = {"done": _l("Mark done"), "no_answer": _l("No answer")}


def _time_changed(model, before: dict) -> bool:
    """Whether the edit moved the call (its time, customer, agent or length): then it is checked again."""
    watched = ("starts_at", "customer_id", "customer_requested", "agent_id", "duration_minutes")
    return any(before.get(k) != getattr(model, k) for k in watched)


class AppointmentView(SecureModelView):
    resource = "appointment"
    action_permissions = {"delete": "delete", "mark_done": "edit", "mark_no_answer": "edit"}
    details_template = "admin/appointment_details.html"
    create_template = "admin/appointments/create.html"
    edit_template = "admin/appointments/edit.html"

    column_list = ["starts_at", "customer", "kind", "purpose", "agent", "status", "customer_requested", "satisfaction"]
    column_details_list = [
        "starts_at",
        "duration_minutes",
        "customer",
        "kind",
        "purpose",
        "agent",
        "status",
        "customer_requested",
        "outcome",
        "satisfaction",
        "complaint",
        "created_at",
    ]
    column_export_list = column_details_list
    column_searchable_list = ["purpose"]
    column_filters = ["status", "kind", "agent", "starts_at", "customer_requested"]
    column_sortable_list = ["starts_at", "kind", "status"]
    column_default_sort = ("starts_at", False)
    column_choices = {"kind": choices(APPOINTMENT_KINDS), "status": choices(APPOINTMENT_STATUSES)}
    column_labels = {
        "starts_at": _l("Time"),
        "duration_minutes": _l("Duration (minutes)"),
        "customer": _l("Customer"),
        "kind": _l("Kind"),
        "purpose": _l("Purpose"),
        "agent": _l("Agent"),
        "status": _l("Status"),
        "customer_requested": _l("The customer asked for this time"),
        "outcome": _l("Outcome"),
        "satisfaction": _l("Satisfaction (1–5)"),
        "complaint": _l("Complaint"),
        "created_at": _l("Created"),
    }
    column_descriptions = {
        "customer_requested": _l("Tick only when the customer asked to be called at this time (lunch, dinner, late).")
    }
    form_columns = [
        "customer",
        "agent",
        "kind",
        "purpose",
        "starts_at",
        "duration_minutes",
        "customer_requested",
        "complaint",
    ]
    form_choices = {"kind": choices(APPOINTMENT_KINDS)}
    form_args = {"duration_minutes": {"default": schedule.DEFAULT_DURATION, "render_kw": {"min": 5, "max": 240}}}
    form_ajax_refs = {
        "customer": {"fields": ["name", "phone"], "placeholder": _l("Search customers")},
        "agent": {"fields": ["name", "email"], "placeholder": _l("Search staff")},
        "complaint": {"fields": ["subject"]},
    }

    # ---- "my call-backs today" ----------------------------------------
    def _list_condition(self):
        if request.args.get("mine") != MINE_TODAY:
            return None
        start, end = schedule.local_day_bounds()
        return and_(
            Appointment.agent_id == current_user.id, Appointment.starts_at >= start, Appointment.starts_at < end
        )

    def get_query(self):
        query, condition = super().get_query(), self._list_condition()
        return query if condition is None else query.filter(condition)

    def get_count_query(self):
        query, condition = super().get_count_query(), self._list_condition()
        return query if condition is None else query.filter(condition)

    # ---- the form -------------------------------------------------------
    def create_form(self, obj=None):
        form = super().create_form(obj)
        if request.method != "GET":
            return form
        customer_id = request.args.get("customer_id", type=int)
        if customer_id and "customer" in form:
            lookup = self.form_lookup("customer")
            customer = lookup.get_one(customer_id) if lookup is not None else None
            if customer is not None:
                form.customer.data = customer
        if "agent" in form and form.agent.data is None:
            form.agent.data = db.session.get(User, current_user.id)
        if request.args.get("kind") in APPOINTMENT_KINDS and "kind" in form:
            form.kind.data = request.args["kind"]
        return form

    def apply_rules(self, form, model, is_created, before):
        if model.customer is None:
            raise ValidationError({"customer": [_l("This field is required.")]})
        model.customer_id = model.customer.id
        model.agent_id = model.agent.id if model.agent is not None else (model.agent_id or current_user.id)
        model.purpose = (model.purpose or "").strip()
        if not model.purpose:
            raise ValidationError({"purpose": [_l("This field is required.")]})
        if is_created:
            model.status = "planned"
        if model.status == "planned" and (is_created or _time_changed(model, before)):
            schedule.validate_appointment(model)

    def handle_view_exception(self, exc):
        if isinstance(exc, ValidationError) and exc.details.get("suggest"):
            g.form_suggestions = exc.details["suggest"]
        return super().handle_view_exception(exc)

    def get_save_return_url(self, model, is_created=False):
        """After saving a call-back, back to its customer (where the agent came from), not the list."""
        if (
            model is not None
            and model.customer is not None
            and access.can(current_user, "view", "customer", model.customer)
        ):
            return url_for("customers.details_view", id=model.customer_id) + "#appointments"
        return super().get_save_return_url(model, is_created)

    # ---- the outcome of a call -----------------------------------------
    def outcome_choices(self, appointment) -> list[tuple[str, str]]:
        if appointment.status != "planned" or not access.can(current_user, "edit", "appointment", appointment):
            return []
        return list(OUTCOME_LABELS.items())

    @action("mark_done", _l("Mark done…"))
    def action_mark_done(self, ids):
        return redirect(url_for(".outcome_view", status="done", id=list(ids)))

    @action("mark_no_answer", _l("No answer…"))
    def action_mark_no_answer(self, ids):
        return redirect(url_for(".outcome_view", status="no_answer", id=list(ids)))

    @expose("/outcome/", methods=("GET", "POST"))
    def outcome_view(self):
        """GET: the outcome form for the chosen appointments; POST: close them as ``status``."""
        status, appointments = self.step_rows("edit", "status", OUTCOME_LABELS)
        if request.method == "POST":

            def close_all():
                for appointment in appointments:
                    outcome_rules.record_outcome(
                        appointment,
                        status,
                        current_user,
                        outcome=request.form.get("outcome"),
                        satisfaction=request.form.get("satisfaction"),
                        reopen_complaint=request.form.get("reopen_complaint") == "y",
                    )

            return run_step(
                close_all,
                done=_("%(n)d appointments updated.", n=len(appointments)),
                redirect_to=url_for(".details_view", id=appointments[0].id)
                if len(appointments) == 1
                else url_for(".index_view"),
                on_error=lambda exc: self._outcome_page(appointments, status, error_messages(exc)),
            )
        return self._outcome_page(appointments, status, [])

    def _outcome_page(self, appointments, status: str, errors: list[str]):
        """The outcome form (400 with ``errors``); after a rollback its rows reload on use."""
        return self.render(
            "admin/appointment_outcome.html",
            appointments=appointments,
            status=status,
            status_label=OUTCOME_LABELS[status],
            errors=errors,
            values=request.form,
        ), (400 if errors else 200)


def register(admin):
    category = _l("Customer care")
    admin.add_view(
        AppointmentView(
            Appointment, db, name=_l("Appointments & call-backs"), endpoint="appointments", category=category
        )
    )
    admin.add_link(
        AccessMenuLink(
            name=_l("My call-backs today"),
            url=f"/admin/appointments/?mine={MINE_TODAY}",
            category=category,
            resource="appointment",
        )
    )
