"""The audit log: read-only for everyone, through every endpoint."""

from flask_babel import lazy_gettext as _l

from admin.base import SecureModelView
from models import AuditLog, db
from services import access


class AuditLogView(SecureModelView):
    resource = "audit"
    can_create = False
    can_edit = False
    can_delete = False
    action_permissions = {}
    column_list = ["at", "actor", "action", "object_type", "object_id", "ip", "detail"]
    column_filters = ["action", "actor", "object_type", "object_id", "at", "ip"]
    column_searchable_list = ["actor", "object_id", "detail"]
    column_default_sort = ("id", True)
    column_details_list = [
        "at",
        "actor",
        "user",
        "team_id",
        "ip",
        "action",
        "object_type",
        "object_id",
        "changes",
        "detail",
    ]
    column_roles = {"ip": set(access.roles_with("department_wide"))}
    column_labels = {
        "at": _l("Time"),
        "actor": _l("Who"),
        "action": _l("Action"),
        "object_type": _l("Object"),
        "object_id": _l("Object id"),
        "ip": _l("Address"),
        "detail": _l("Detail"),
        "changes": _l("Changes"),
        "user": _l("User"),
    }


def register(admin):
    admin.add_view(AuditLogView(AuditLog, db, name=_l("Audit log"), endpoint="audit", category=_l("Administration")))
