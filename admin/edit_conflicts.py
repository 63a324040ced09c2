"""Optimistic concurrency on edit forms: the second editor of a row is told, not overwritten.

A versioned model (``models.base.VersionedMixin``) gets two hidden fields on its edit form: the
``row_version`` the form was opened at and the values shown then. On save, a row whose version
moved meanwhile is not saved: the form comes back with the user's input, a message naming what
the other person changed, and the new version, so saving again overwrites deliberately.
"""

import json

from flask import flash, request
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

from models import db
from services import audit


class _NotSaved(HiddenField):
    """A hidden value the form carries but never writes to the model."""

    def populate_obj(self, obj, name) -> None:
        pass


def _shown(value) -> str:
    return "" if value is None else str(value)


class EditConflictMixin:
    def _versioned(self) -> bool:
        return hasattr(self.model, "row_version")

    def get_edit_form(self):
        form_class = super().get_edit_form()
        if not self._versioned():
            return form_class

        class VersionedForm(form_class):
            seen_version = _NotSaved()
            seen_values = _NotSaved()

        return VersionedForm

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if obj is not None and self._versioned() and (request.method == "GET" or not form.seen_version.data):
            self._remember(form, obj)
        return form

    def _remember(self, form, obj) -> None:
        form.seen_version.data = str(obj.row_version)
        form.seen_values.data = json.dumps({k: _shown(v) for k, v in self._comparable(obj).items()})

    def _comparable(self, obj) -> dict:
        """The row's values this user may see (the hidden field must not leak the others)."""
        hidden = ("updated_at", "row_version")
        return {k: v for k, v in audit.snapshot(obj).items() if k not in hidden and self.column_visible(k)}

    def update_model(self, form, model):
        seen = getattr(form, "seen_version", None)  # list inline edits carry no version
        if seen is not None and seen.data and seen.data != str(model.row_version):
            flash(self._conflict_message(form, model), "error")
            self._remember(form, model)  # a second save now is deliberate
            return False
        return super().update_model(form, model)

    def handle_view_exception(self, exc):
        """Two saves in the same instant both passed the check: the database's version check
        stops the second (StaleDataError), which is told like any other conflict."""
        if isinstance(exc, StaleDataError):
            db.session.rollback()
            flash(_("Someone else saved this record at the same moment; your changes were not saved."), "error")
            return True
        return super().handle_view_exception(exc)

    def _conflict_message(self, form, model) -> str:
        try:
            seen = json.loads(form.seen_values.data or "{}")
        except ValueError:
            seen = {}
        changed = [
            _("%(field)s: “%(before)s” → “%(after)s”", field=self._label(key), before=seen[key], after=_shown(value))
            for key, value in self._comparable(model).items()
            if key in seen and seen[key] != _shown(value)
        ]
        return _(
            "Someone else saved this record while you were editing it; your changes are not saved yet and are "
            "still in the form. Changed meanwhile: %(changes)s. Check them, then save again to keep your version.",
            changes="; ".join(changed) or _("(fields you cannot see)"),
        )

    def _label(self, key: str) -> str:
        labels = self.column_labels or {}
        name = key.removesuffix("_id")
        return str(labels.get(key) or labels.get(name) or self.get_column_name(name))
