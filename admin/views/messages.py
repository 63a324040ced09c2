"""Message templates per channel, and what the outbox screens and the head's dashboard show of channels."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField

from admin.base import SecureModelView
from models import MessageTemplate, db
from models.choices import SEND_CHANNELS, TEMPLATE_PURPOSES, TEMPLATE_STATUSES, choices
from services import access
from services import message_costs as costs
from services import message_templates as rules
from services.formatting import local_tz
from services.kpi.periods import quarter, quarter_of, today
from services.kpi.report import budget_usage
from services.kpi.scope import scope_of


def _label(mapping):
    return lambda view, context, model, name: mapping.get(getattr(model, name), getattr(model, name))


class MessageTemplateView(SecureModelView):
    resource = "message_template"
    column_list = ["channel", "name", "purpose", "provider_template_id", "status", "updated_at"]
    column_details_list = [*column_list[:-1], "subject", "body", "params", "note", "created_at", "updated_at"]
    column_export_list = column_details_list
    column_filters = ["channel", "purpose", "status"]
    column_searchable_list = ["name", "provider_template_id"]
    column_sortable_list = ["channel", "name", "purpose", "status", "updated_at"]
    column_default_sort = ("id", True)
    column_formatters = {
        "channel": _label(SEND_CHANNELS),
        "purpose": _label(TEMPLATE_PURPOSES),
        "status": _label(TEMPLATE_STATUSES),
    }
    column_labels = {
        "channel": _l("Channel"),
        "name": _l("Name"),
        "purpose": _l("Purpose"),
        "provider_template_id": _l("Provider's template id"),
        "status": _l("Approval"),
        "subject": _l("Subject (email)"),
        "body": _l("Text"),
        "params": _l("ZNS parameters"),
        "note": _l("Note"),
        "created_at": _l("Created"),
        "updated_at": _l("Updated"),
    }
    column_descriptions = {
        "body": _l("Placeholders: {name}, {phone}, {email}, {province}; a survey also has {link} and {code}."),
        "params": _l("ZNS template_data keys, comma separated: customer_name=name, order_code=code."),
        "provider_template_id": _l("The ZNS template_id Zalo approved; for SMS the code of the registered template."),
        "status": _l("Only a template the provider approved is sent."),
    }
    form_columns = ["channel", "name", "purpose", "provider_template_id", "status", "subject", "body", "params", "note"]
    form_choices = {
        "channel": choices(SEND_CHANNELS),
        "purpose": choices(TEMPLATE_PURPOSES),
        "status": choices(TEMPLATE_STATUSES),
    }
    form_overrides = {"body": TextAreaField}
    form_widget_args = {"body": {"rows": 5}}

    def apply_rules(self, form, model, is_created, before):
        rules.validate(model)


def channel_spend() -> dict | None:
    """The head's panel: messages and VND per channel this quarter, against the campaigns budget."""
    if access.scope_name(current_user, "dashboard") != "all":
        return None
    year, q = quarter_of(today())
    period = quarter(year, q)
    start, end = period.start, period.end
    start_at = datetime(start.year, start.month, start.day, tzinfo=local_tz())
    end_at = datetime(end.year, end.month, end.day, tzinfo=local_tz())
    rows = costs.spend_by_channel(start_at, end_at)
    for row in rows:
        row["label"] = str(SEND_CHANNELS.get(row["channel"], row["channel"]))
    budget = budget_usage(scope_of(current_user), year, q)["lines"].get("campaigns", {"planned": 0, "spent": 0})
    return {"rows": rows, "total": sum(r["cost"] for r in rows), "quarter": f"{year}-Q{q}", "budget": budget}


def register(admin):
    admin.add_view(
        MessageTemplateView(
            MessageTemplate, db, name=_l("Message templates"), endpoint="message_templates", category=_l("Automation")
        )
    )
    admin.app.jinja_env.globals["channel_spend"] = channel_spend
    admin.app.jinja_env.globals["channel_labels"] = SEND_CHANNELS
