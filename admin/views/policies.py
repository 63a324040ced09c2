"""Policies, one row per version; status changes only on the decision page."""

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectMultipleField, widgets

from admin.base import SecureModelView
from admin.views.workflow import Step, WorkflowMixin, acting, approval_steps
from models import Policy, db
from models.choices import POLICY_KINDS, POLICY_STATUSES, PUBLISH_CHANNELS, choices
from services import policies as policy_rules

STATUSES = {**POLICY_STATUSES, "rejected": _l("Rejected")}


class ChannelsField(SelectMultipleField):
    """Check boxes on screen, comma-separated codes in the column."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("choices", choices(PUBLISH_CHANNELS))
        super().__init__(label, validators, **kwargs)

    def process_data(self, value):
        if isinstance(value, str):
            value = [c for c in value.split(",") if c]
        super().process_data(value)

    def pre_validate(self, form):
        """Unknown codes are refused by services.policies with a clear message."""

    def populate_obj(self, obj, name):
        setattr(obj, name, ",".join(self.data or []) or None)


def _channels(view, context, model, name):
    return ", ".join(str(PUBLISH_CHANNELS.get(c, c)) for c in (model.channels or "").split(",") if c)


class PolicyView(WorkflowMixin, SecureModelView):
    resource = "policy"
    column_list = ["code", "version", "title", "kind", "status", "channels", "effective_from", "effective_to", "author"]
    column_searchable_list = ["code", "title"]
    column_filters = ["code", "kind", "status", "effective_from"]
    column_sortable_list = ["code", "version", "title", "kind", "status", "effective_from", "effective_to"]
    column_default_sort = [("code", False), ("version", True)]
    column_choices = {"kind": choices(POLICY_KINDS), "status": choices(STATUSES)}
    column_formatters = {"channels": _channels}
    column_details_list = [
        "code", "version", "title", "kind", "status", "body", "channels", "effective_from", "effective_to",
        "return_days", "author", "submitted_by", "submitted_at", "decided_by", "decided_at", "decision_comment",
        "created_at",
    ]  # fmt: skip
    column_export_list = ["code", "version", "title", "kind", "status", "channels", "effective_from", "effective_to"]
    column_labels = {
        "code": _l("Code"),
        "version": _l("Version"),
        "title": _l("Title"),
        "kind": _l("Kind"),
        "status": _l("Status"),
        "body": _l("Content"),
        "channels": _l("Channels"),
        "effective_from": _l("Effective from"),
        "effective_to": _l("Effective until"),
        "return_days": _l("Return window (days after delivery)"),
        "author": _l("Author"),
        "submitted_by": _l("Submitted by"),
        "submitted_at": _l("Submitted at"),
        "decided_by": _l("Decided by"),
        "decided_at": _l("Decided at"),
        "decision_comment": _l("Decision comment"),
        "created_at": _l("Created"),
    }
    form_columns = ["code", "title", "kind", "body", "channels", "effective_from", "effective_to", "return_days"]
    form_choices = {"kind": choices(POLICY_KINDS)}
    form_overrides = {"channels": ChannelsField}
    form_widget_args = {"body": {"rows": 12}}

    def steps(self):
        return [
            *approval_steps(policy_rules.submit, policy_rules.decide),
            Step("publish", _l("Publish"), "publish", ("approved",), acting(policy_rules.publish), "success"),
            Step("retire", _l("Retire"), "retire", ("published",), acting(policy_rules.retire), "secondary"),
            Step("reopen", _l("Back to draft"), "create", ("rejected",), acting(policy_rules.reopen), "secondary"),
            Step("new_version", _l("Edit as a new version"), "create", ("published",), _new_version, "primary"),
        ]

    def apply_rules(self, form, model, is_created, before):
        policy_rules.prepare(model, current_user, is_created, before=before)


def _new_version(obj, user, comment):
    return policy_rules.edit_published(obj, user)


def register(admin):
    admin.add_view(PolicyView(Policy, db, name=_l("Policies"), endpoint="policies", category=_l("Planning")))
