"""Staff accounts and teams (the administrator manages them; the head reads)."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField

from admin.base import SecureModelView
from models import Team, User, db
from models.choices import ROLES, choices
from services import staff as staff_rules


class StaffView(SecureModelView):
    resource = "staff"
    column_list = ["name", "email", "role", "team", "active", "last_login_at"]
    column_searchable_list = ["name", "email"]
    column_filters = ["role", "team", "active"]
    column_choices = {"role": choices(ROLES)}
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
    form_columns = ["name", "email", "phone", "role", "team", "active"]
    form_choices = {"role": choices(ROLES)}
    form_extra_fields = {"new_password": PasswordField(_l("New password (leave empty to keep)"))}
    form_ajax_refs = {"team": {"fields": ["name"]}}

    def apply_rules(self, form, model, is_created):
        staff_rules.prepare(
            model, new_password=form.new_password.data if "new_password" in form else None, is_created=is_created
        )


class TeamView(SecureModelView):
    resource = "team"
    column_list = ["name", "lead", "gift_allowance"]
    column_labels = {"name": _l("Name"), "lead": _l("Team lead"), "gift_allowance": _l("Gift allowance (VND)")}
    form_columns = ["name", "lead", "gift_allowance"]
    form_ajax_refs = {"lead": {"fields": ["name", "email"]}}


def register(admin):
    admin.add_view(StaffView(User, db, name=_l("Staff"), endpoint="staff", category=_l("Administration")))
    admin.add_view(TeamView(Team, db, name=_l("Teams"), endpoint="teams", category=_l("Administration")))
