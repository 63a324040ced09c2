"""Staff accounts and teams (the administrator manages them; the head reads)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import PasswordField

from admin.base import SecureModelView, vnd_formatter
from admin.fields import MoneyField
from admin.input_guard import pk_value
from admin.steps import error_messages, run_step
from models import Handover, Team, User, db
from models.choices import choices
from services import access, handover
from services import staff as staff_rules
from services.errors import NotAllowed, ValidationError


class StaffView(SecureModelView):
    resource = "staff"
    column_list = ["name", "email", "role", "team", "active", "last_login_at"]
    column_searchable_list = ["name", "email"]
    column_filters = ["role", "team", "active"]
    column_choices = {"role": choices(access.ROLE_LABELS)}
    column_labels = {
        "name": _l("Name"),
        "email": _l("Email"),
        "role": _l("Role"),
        "team": _l("Team"),
        "active": _l("Active"),
        "last_login_at": _l("Last login"),
        "phone": _l("Phone"),
    }
    column_details_list = ["name", "email", "phone", "role", "team", "active", "last_login_at", "created_at"]
    column_export_list = ["id", "name", "email", "phone", "role", "team", "active", "last_login_at"]
    form_columns = ["name", "email", "phone", "role", "team", "active", "new_password"]
    form_choices = {"role": choices(access.ROLE_LABELS)}
    form_extra_fields = {"new_password": PasswordField(_l("New password (leave empty to keep)"))}
    form_ajax_refs = {"team": {"fields": ["name"]}}

    details_template = "admin/staff_details.html"

    @property
    def can_handover(self) -> bool:
        return access.allowed(current_user, "staff", "handover")

    def may_hand_over(self, user) -> bool:
        """Whether the hand-over button is shown for ``user`` (the same rule the screen enforces)."""
        return self.can_handover and access.may_manage(current_user, user)

    @expose("/handover/", methods=("GET", "POST"))
    def handover_view(self):
        """Choose the successor (same team first), preview what moves, confirm; then the result page."""
        if not access.allowed(current_user, "staff", "handover"):
            abort(403)
        leaver = db.session.get(User, pk_value(User.id, request.values.get("id")) or 0)
        if leaver is None:
            abort(404)
        try:
            staff_rules.check_target(current_user._get_current_object(), leaver)
        except NotAllowed as exc:
            return render_template("errors/error.html", code=403, message=str(exc.message)), 403
        candidates = handover.candidates(leaver)
        chosen = pk_value(User.id, request.values.get("successor_id"))
        successor = next((u for u in candidates if u.id == chosen), None)
        if request.method == "POST":

            def move():
                if successor is None:
                    raise ValidationError({"successor": [_l("Choose another person to take over.")]})
                return staff_rules.hand_over(leaver, successor, current_user._get_current_object())

            def result_page(_counts) -> str:
                record_id = db.session.scalar(
                    select(Handover.id).where(Handover.leaver_id == leaver.id).order_by(Handover.id.desc()).limit(1)
                )
                return url_for(".handover_done_view", id=record_id)

            return run_step(
                move,
                done=lambda counts: _(
                    "%(name)s was deactivated; %(customers)d customers, %(complaints)d open complaints and "
                    "%(appointments)d appointments were handed to %(successor)s.",
                    name=leaver.name,
                    successor=successor.name,
                    **counts,
                ),
                redirect_to=result_page,
                already_done_to=url_for(".index_view"),
                on_error=lambda exc: self._handover_page(leaver, candidates, successor, error_messages(exc)),
            )
        return self._handover_page(leaver, candidates, successor, [])

    def _handover_page(self, leaver, candidates, successor, errors: list[str]):
        return self.render(
            "admin/handover.html",
            leaver=leaver,
            candidates=candidates,
            successor=successor,
            preview=handover.preview(leaver) if successor is not None else None,
            labels=handover.LABELS,
            errors=errors,
        )

    def _handover_record(self) -> Handover:
        if not access.allowed(current_user, "staff", "handover"):
            abort(403)
        record = db.session.get(Handover, pk_value(Handover.id, request.values.get("id")) or 0)
        if record is None:
            abort(404)
        if not access.may_manage(current_user, record.leaver):
            abort(403)
        return record

    @expose("/handover/done/")
    def handover_done_view(self):
        """What moved, row by row, and the undo button on the day of the hand-over."""
        record = self._handover_record()
        return self.render(
            "admin/handover_done.html",
            record=record,
            moved=handover.moved_rows(record),
            labels=handover.LABELS,
            may_undo=handover.may_undo(record),
        )

    @expose("/handover/undo/", methods=("POST",))
    def handover_undo_view(self):
        record = self._handover_record()
        back = url_for(".handover_done_view", id=record.id)

        def refused(exc):
            flash(str(exc.message), "error")
            return redirect(back)

        return run_step(
            lambda: handover.undo(record, current_user._get_current_object()),
            done=lambda counts: _(
                "Hand-over undone: %(name)s is active again with %(customers)d customers, %(complaints)d open "
                "complaints and %(appointments)d appointments.",
                name=record.leaver.name,
                **counts,
            ),
            redirect_to=back,
            on_error=refused,
            on_forbidden=refused,
        )

    def apply_rules(self, form, model, is_created, before):
        staff_rules.prepare(
            model,
            new_password=form.new_password.data if "new_password" in form else None,
            is_created=is_created,
            actor=current_user._get_current_object(),
        )


class TeamView(SecureModelView):
    resource = "team"
    column_list = ["name", "lead", "gift_allowance"]
    column_labels = {"name": _l("Team name"), "lead": _l("Team lead"), "gift_allowance": _l("Gift allowance (VND)")}
    column_formatters = {"gift_allowance": vnd_formatter}
    form_columns = ["name", "lead", "gift_allowance"]
    form_overrides = {"gift_allowance": MoneyField}
    form_ajax_refs = {"lead": {"fields": ["name", "email"]}}


def register(admin):
    admin.add_view(StaffView(User, db, name=_l("Staff"), endpoint="staff", category=_l("Administration")))
    admin.add_view(TeamView(Team, db, name=_l("Teams"), endpoint="teams", category=_l("Administration")))
