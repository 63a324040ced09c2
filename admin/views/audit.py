"""The audit log: read-only for everyone, through every endpoint, and readable by a person.

Action and object names, the object's label with a link, field labels and before/after
values come from ``services.audit_display``; the field labels and status names are the
ones the object's own admin view shows (``column_labels``, ``column_choices``), so a field
reads the same in the log as on its form.
"""

from flask import g, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from admin.base import SecureModelView
from admin.listing import BigListMixin
from models import AuditLog, db
from services import access
from services import audit_display as display

EXPORT_BATCH = 1000
GENERIC_FIELDS = {
    "status": _l("Status"),
    "team_id": _l("Team"),
    "owner_id": _l("Owner"),
    "assignee_id": _l("Assignee"),
    "paused": _l("Paused"),
    "role": _l("Role"),
    "active": _l("Active"),
    "name": _l("Name"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "satisfaction": _l("Satisfaction"),
}
"""Labels for fields whose object has no admin view with a label for them."""


def _views_by_model(view) -> dict:
    admin = getattr(view, "admin", None)
    cache = view.__dict__.setdefault("_cskh_views_by_model", {})
    if not cache and admin is not None:
        for other in admin._views:
            model = getattr(other, "model", None)
            if model is not None and model.__name__ not in cache:
                cache[model.__name__] = other
    return cache


class AuditLogView(BigListMixin, SecureModelView):
    resource = "audit"
    can_create = False
    can_edit = False
    can_delete = False
    action_permissions = {}
    column_list = ["at", "actor", "action", "object_type", "object_id", "changes", "ip", "detail"]
    column_filters = ["user.name", "actor", "action", "object_type", "object_id", "at", "ip"]
    column_searchable_list = ["actor", "object_id", "detail"]
    column_default_sort = ("id", True)
    column_details_list = [
        "at", "actor", "user", "team_id", "ip", "action", "object_type", "object_id", "changes", "detail",
    ]  # fmt: skip
    column_export_list = ["at", "actor", "action", "object_type", "object_id", "changes", "ip", "detail"]
    column_roles = {"ip": set(access.roles_with("department_wide"))}
    column_choices = {
        "action": list(display.ACTIONS.items()),
        "object_type": list(display.OBJECTS.items()),
    }
    column_labels = {
        "at": _l("Time"),
        "actor": _l("Who"),
        "user.name": _l("User"),
        "action": _l("Action"),
        "object_type": _l("Object"),
        "object_id": _l("Which"),
        "ip": _l("Address"),
        "detail": _l("Detail"),
        "changes": _l("Changes"),
        "user": _l("User"),
        "team_id": _l("Team"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.column_formatters = {
            "object_type": self._object_type,
            "object_id": self._object,
            "changes": self._changes,
            "team_id": self._team,
        }
        self.column_formatters_export = {
            "action": lambda v, c, m, n: str(display.action_label(m.action)),
            "object_type": lambda v, c, m, n: str(display.object_label(m.object_type)),
            "object_id": lambda v, c, m, n: self._object_text(m),
            "changes": lambda v, c, m, n: self._changes_text(m),
        }

    # ---- labels for a page, in a few queries ---------------------------
    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        if kwargs.get("execute", True) and isinstance(rows, list):
            self._labels(rows)
        return count, rows

    def export_models(self):
        """The export's rows with their labels loaded a batch at a time (a few queries per 1,000 rows)."""
        batch = []
        for model in super().export_models():
            batch.append(model)
            if len(batch) >= EXPORT_BATCH:
                yield from self._labelled(batch)
                batch = []
        yield from self._labelled(batch)

    def _labelled(self, rows):
        if has_request_context():  # a fresh page of labels: memory stays flat on a long export
            g.pop("cskh_audit_labels", None)
            g.pop("cskh_audit_rows", None)
        if rows:
            self._labels(rows)
        yield from rows

    def _labels(self, rows) -> display.Labels:
        """The page's labels (objects, and the names behind ids in the changes), loaded once per request."""
        labels = g.get("cskh_audit_labels") if has_request_context() else None
        if labels is None:
            labels = display.Labels(current_user)
            if has_request_context():
                g.cskh_audit_labels = labels
        seen = g.setdefault("cskh_audit_rows", set()) if has_request_context() else set()
        missing = [r for r in rows if r.id not in seen]
        for row in missing:
            seen.add(row.id)
            labels.want(row.object_type, row.object_id)
            display.want_values(labels, row.object_type, row.changes)
            if row.team_id:
                labels.want("Team", row.team_id)
        return labels.load() if missing else labels

    # ---- cells ------------------------------------------------------------
    def _team(self, view, context, model, name):
        if not model.team_id:
            return ""
        return self._labels([model]).get("Team", model.team_id) or f"#{model.team_id}"

    def _object_type(self, view, context, model, name):
        return display.object_label(model.object_type)

    def _object_text(self, model) -> str:
        if model.object_id is None:
            return ""
        label = self._labels([model]).get(model.object_type, model.object_id)
        return f"{label} (#{model.object_id})" if label else f"#{model.object_id}"

    def _object(self, view, context, model, name):
        text = self._object_text(model)
        link = self._object_link(model)
        return Markup(f'<a href="{escape(link)}">{escape(text)}</a>') if link and text else text

    def _object_link(self, model) -> str | None:
        target = _views_by_model(self).get(model.object_type or "")
        if target is None or model.object_id is None or not target.is_accessible():
            return None
        if not getattr(target, "can_view_details", False):
            return None
        if self._labels([model]).get(model.object_type, model.object_id) is None:
            return None  # gone, or out of the reader's scope
        return url_for(f"{target.endpoint}.details_view", id=model.object_id)

    def field_label(self, model_name: str, field: str):
        target = _views_by_model(self).get(model_name)
        labels = getattr(target, "column_labels", None) or {}
        for key in (field, field[:-3] if field.endswith("_id") else None):
            if key and key in labels:
                return labels[key]
        return GENERIC_FIELDS.get(field, field.replace("_", " "))

    def choices_of(self, model_name: str, field: str) -> dict | None:
        target = _views_by_model(self).get(model_name)
        choices = (getattr(target, "column_choices", None) or {}).get(field)
        return dict(choices) if choices else None

    def _change_list(self, model) -> list:
        return display.changes(model, self._labels([model]), self.field_label, self.choices_of)

    def _changes(self, view, context, model, name):
        items = self._change_list(model)
        if not items:
            return display.other_detail(model)
        parts = [
            f'<li><span class="audit-field">{escape(c.label)}</span>: <span class="audit-before">{escape(c.before)}'
            f'</span> → <span class="audit-after">{escape(c.after)}</span></li>'
            for c in items
        ]
        return Markup(f'<ul class="list-unstyled mb-0 audit-changes">{"".join(parts)}</ul>')

    def _changes_text(self, model) -> str:
        items = self._change_list(model)
        if not items:
            return display.other_detail(model)
        return "; ".join(f"{c.label}: {c.before} → {c.after}" for c in items)


def register(admin):
    admin.add_view(AuditLogView(AuditLog, db, name=_l("Audit log"), endpoint="audit", category=_l("Administration")))
