"""Gifts and campaigns; approvals and status changes only on the decision page."""

import json

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField

from admin import audience_form, schedule_form
from admin.base import SecureModelView, vnd_formatter
from admin.fields import MoneyField
from admin.views.workflow import Step, WorkflowMixin, acting, approval_steps, deciding
from models import Campaign, Gift, db
from models.choices import CAMPAIGN_STATUSES, CHANNELS, GIFT_STATUSES, MESSAGE_PURPOSES, OCCASIONS, choices
from services import campaign_cost, schedule_builder
from services import campaigns as campaign_rules
from services import gifts as gift_rules

APPROVAL_LABELS = {
    "submitted_by": _l("Submitted by"),
    "submitted_at": _l("Submitted at"),
    "decided_by": _l("Decided by"),
    "decided_at": _l("Decided at"),
    "decision_comment": _l("Decision comment"),
    "created_at": _l("Created"),
}
APPROVAL_COLUMNS = ["submitted_by", "submitted_at", "decided_by", "decided_at", "decision_comment"]


class GiftView(WorkflowMixin, SecureModelView):
    resource = "gift"
    column_list = ["customer", "occasion", "year", "item", "value", "status", "campaign", "submitted_by", "decided_by"]
    column_filters = ["status", "occasion", "year"]
    column_sortable_list = ["occasion", "year", "item", "value", "status"]
    column_default_sort = ("id", True)
    column_choices = {"status": choices(GIFT_STATUSES), "occasion": choices(OCCASIONS)}
    column_formatters = {"value": vnd_formatter}
    column_details_list = [
        "customer", "occasion", "year", "item", "value", "status", "campaign", "budget_line", "note",
        "sent_at", "delivered_at", *APPROVAL_COLUMNS, "created_at",
    ]  # fmt: skip
    column_export_list = ["customer", "occasion", "year", "item", "value", "status", "campaign"]
    column_labels = {
        "customer": _l("Customer"),
        "occasion": _l("Occasion"),
        "year": _l("Year"),
        "item": _l("Gift"),
        "value": _l("Value"),
        "status": _l("Status"),
        "campaign": _l("Campaign"),
        "budget_line": _l("Budget line"),
        "note": _l("Note"),
        "sent_at": _l("Sent at"),
        "delivered_at": _l("Delivered at"),
        **APPROVAL_LABELS,
    }
    form_columns = ["customer", "occasion", "year", "item", "value", "campaign", "budget_line", "note"]
    form_choices = {"occasion": choices(OCCASIONS)}
    form_overrides = {"value": MoneyField}
    form_ajax_refs = {
        "customer": {"fields": ["name", "phone"], "placeholder": _l("Search customers")},
        "campaign": {"fields": ["name"]},
        "budget_line": {"fields": ["description"]},
    }

    def steps(self):
        return [
            Step("approve", _l("Approve"), "approve", ("planned",), deciding(gift_rules.approve_gift), "success", True),
            Step("reject", _l("Reject"), "approve", ("planned",), deciding(gift_rules.reject_gift), "danger", True),
            Step("sent", _l("Mark as sent"), "edit", ("approved",), acting(gift_rules.mark_sent)),
            Step("delivered", _l("Mark as delivered"), "edit", ("sent",), acting(gift_rules.mark_delivered)),
        ]

    def apply_rules(self, form, model, is_created, before):
        gift_rules.prepare(model, current_user, is_created, before_status=before.get("status"))


def _schedule_in_words(view, context, model, name):
    return schedule_builder.describe(model.schedule_cron, model.occasion)


class CampaignView(WorkflowMixin, SecureModelView):
    resource = "campaign"
    details_template = "admin/campaign_details.html"
    column_list = ["name", "status", "occasion", "schedule_cron", "channel", "gift_item", "gift_value", "team"]
    column_searchable_list = ["name"]
    column_filters = ["status", "occasion", "channel"]
    column_sortable_list = ["name", "status", "occasion", "channel"]
    column_default_sort = ("id", True)
    column_choices = {
        "status": choices(CAMPAIGN_STATUSES),
        "occasion": choices(OCCASIONS),
        "channel": choices(CHANNELS),
    }
    column_formatters = {"gift_value": vnd_formatter, "schedule_cron": _schedule_in_words}
    column_details_list = [
        "name", "status", "audience", "schedule_cron", "occasion", "channel", "purpose", "channel_order",
        "zns_template", "sms_template", "email_template", "message_subject", "message_template",
        "gift_item", "gift_value", "budget_line", "team", "created_by", *APPROVAL_COLUMNS, "created_at",
    ]  # fmt: skip
    column_export_list = ["name", "status", "occasion", "schedule_cron", "channel", "gift_item", "gift_value"]
    column_labels = {
        "name": _l("Campaign name"),
        "status": _l("Status"),
        "audience": _l("Audience (JSON)"),
        "schedule_cron": _l("Schedule"),
        "occasion": _l("Occasion"),
        "channel": _l("Channel"),
        "message_subject": _l("Message subject"),
        "message_template": _l("Message"),
        "gift_item": _l("Gift"),
        "gift_value": _l("Gift value"),
        "budget_line": _l("Budget line"),
        "team": _l("Team"),
        "created_by": _l("Created by"),
        "purpose": _l("Purpose"),
        "channel_order": _l("Channels, in order"),
        "zns_template": _l("ZNS template"),
        "sms_template": _l("SMS template"),
        "email_template": _l("Email template"),
        **APPROVAL_LABELS,
    }
    column_descriptions = {
        "channel_order": _l("e.g. zns,sms,email: the next channel is tried when one refuses or fails."),
        "purpose": _l("Advertising needs the customer's consent, goes out 07:00–22:00, at most 3 a day."),
        "message_template": _l("Placeholders: {name}, {phone}, {email}, {province}."),
        "audience": _l('A customer filter, e.g. {"is_vip": true, "province": "Hà Nội"}; empty means everyone.'),
        "schedule_cron": _l("Filled by the schedule above; type a cron only for what it cannot build."),
    }
    form_args = {"schedule_cron": {"label": _l("Schedule (cron, advanced)")}}
    form_extra_fields = audience_form.FIELDS | schedule_form.FIELDS
    form_columns = [
        "name", *audience_form.NAMES, "audience", *schedule_form.NAMES, "schedule_cron", "occasion", "channel",
        "purpose", "channel_order", "zns_template", "sms_template", "email_template", "message_subject",
        "message_template", "gift_item", "gift_value", "budget_line", "team",
    ]  # fmt: skip
    form_choices = {
        "occasion": [("", "—"), *choices(OCCASIONS)],
        "channel": choices(CHANNELS),
        "purpose": choices(MESSAGE_PURPOSES),
    }
    form_overrides = {"gift_value": MoneyField, "audience": TextAreaField}
    form_ajax_refs = {"budget_line": {"fields": ["description"]}, "team": {"fields": ["name"]}}
    form_widget_args = {"message_template": {"rows": 6}}

    def steps(self):
        return [
            *approval_steps(campaign_rules.submit, campaign_rules.decide),
            Step("pause", _l("Pause"), "approve", ("approved",), acting(campaign_rules.pause), "secondary"),
            Step("resume", _l("Resume"), "approve", ("paused",), acting(campaign_rules.resume), "primary"),
            Step("finish", _l("Finish"), "approve", ("approved", "paused"), acting(campaign_rules.finish), "secondary"),
        ]

    def on_form_prefill(self, form, id):
        model = self.get_one(id)
        if model is not None:
            audience_form.prefill(form, model.audience)
            schedule_form.prefill(form, model.schedule_cron, model.occasion)

    def apply_rules(self, form, model, is_created, before):
        segment = audience_form.segment_from(form)
        if segment is not None:
            model.audience = json.dumps(segment, ensure_ascii=False, sort_keys=True)
        schedule_form.apply(form, model)
        model.schedule_cron = (model.schedule_cron or "").strip() or None
        model.occasion = model.occasion or None
        model.channel_order = (model.channel_order or "").strip() or None
        campaign_rules.prepare(model, current_user, is_created, before_status=before.get("status"))


def register(admin):
    category = _l("Gifts & campaigns")
    admin.add_view(GiftView(Gift, db, name=_l("Gifts"), endpoint="gifts", category=category))
    admin.add_view(CampaignView(Campaign, db, name=_l("Campaigns"), endpoint="campaigns", category=category))
    admin.app.jinja_env.globals["campaign_projection"] = campaign_cost.projected
