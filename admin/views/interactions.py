"""Interactions (with "my interactions today"), the emotion notebook, the SLA table and canned replies."""

from datetime import UTC, datetime, time, timedelta

from flask import request
from flask_admin.menu import MenuLink
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import and_

from admin.base import SecureModelView
from admin.listing import BigListMixin
from models import CannedReply, EmotionEntry, Interaction, SlaRule, db
from models.choices import (
    CHANNELS,
    COMPLAINT_CATEGORIES,
    DIRECTIONS,
    INTERACTION_OUTCOMES,
    MOODS,
    PRIORITIES,
    REPLY_AUDIENCES,
    choices,
)
from services import access
from services import interactions as interaction_rules
from services.errors import ValidationError
from services.formatting import format_duration, local_tz

MINE_TODAY = "today"


def today_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Start and end (UTC) of today in the company's time zone."""
    local_now = (now or datetime.now(UTC)).astimezone(local_tz())
    start = datetime.combine(local_now.date(), time.min, tzinfo=local_tz())
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def _mood_formatter(view, context, model, name):
    return Markup('<span class="badge badge-mood-{}">{}</span>').format(model.mood, MOODS.get(model.mood, model.mood))


class InteractionView(BigListMixin, SecureModelView):
    resource = "interaction"
    column_list = ["occurred_at", "customer", "channel", "direction", "summary", "agent", "duration_seconds", "outcome"]
    column_filters = ["channel", "direction", "outcome", "agent", "occurred_at"]
    column_sortable_list = ["occurred_at", "channel"]
    column_default_sort = ("occurred_at", True)
    column_choices = {
        "channel": choices(CHANNELS),
        "direction": choices(DIRECTIONS),
        "outcome": choices(INTERACTION_OUTCOMES),
    }
    column_formatters = {
        "duration_seconds": lambda v, c, m, n: format_duration(m.duration_seconds),
        "summary": lambda v, c, m, n: (m.summary or "")[:120],
        "direction": lambda v, c, m, n: interaction_rules.direction_label(m.channel, m.direction),
    }
    column_labels = {
        "occurred_at": _l("Time"),
        "customer": _l("Customer"),
        "channel": _l("Channel"),
        "direction": _l("Direction"),
        "summary": _l("Summary"),
        "agent": _l("Agent"),
        "duration_seconds": _l("Duration"),
        "outcome": _l("Outcome"),
        "complaint": _l("Complaint"),
    }
    form_columns = ["customer", "channel", "direction", "summary", "occurred_at", "outcome", "complaint"]
    form_choices = {
        "channel": choices(CHANNELS),
        "direction": choices(DIRECTIONS),
        "outcome": [("", "—")] + choices(INTERACTION_OUTCOMES),
    }
    form_ajax_refs = {
        "customer": {"fields": ["name", "phone"], "placeholder": _l("Search customers")},
        "complaint": {"fields": ["subject"]},
    }

    def _list_condition(self):
        """``?mine=today``: the current user's interactions of today; ``?customer_id=``: one customer's."""
        conditions = []
        if request.args.get("mine") == MINE_TODAY:
            start, end = today_bounds()
            conditions += [
                Interaction.agent_id == current_user.id,
                Interaction.occurred_at >= start,
                Interaction.occurred_at < end,
            ]
        customer_id = request.args.get("customer_id", type=int)
        if customer_id:
            conditions.append(Interaction.customer_id == customer_id)
        return and_(*conditions) if conditions else None

    def get_query(self):
        query, condition = super().get_query(), self._list_condition()
        return query if condition is None else query.filter(condition)

    def get_count_query(self):
        query, condition = super().get_count_query(), self._list_condition()
        return query if condition is None else query.filter(condition)

    def apply_rules(self, form, model, is_created, before):
        if is_created:
            model.agent_id = model.agent_id or current_user.id
            model.occurred_at = model.occurred_at or datetime.now(UTC)
        if model.customer is not None:
            model.customer_id = model.customer.id
        model.outcome = model.outcome or None
        interaction_rules.check_direction(model.channel, model.direction)  # no outgoing web chat


class EmotionView(SecureModelView):
    resource = "emotion"
    column_list = ["created_at", "customer", "mood", "note", "next_care", "author"]
    column_filters = ["mood", "author", "created_at"]
    column_sortable_list = ["created_at", "mood"]
    column_default_sort = ("created_at", True)
    column_formatters = {"mood": _mood_formatter}
    column_labels = {
        "created_at": _l("Time"),
        "customer": _l("Customer"),
        "mood": _l("Mood"),
        "note": _l("Note"),
        "next_care": _l("Next care suggestion"),
        "author": _l("Written by"),
    }
    form_columns = ["customer", "mood", "note", "next_care"]
    form_choices = {"mood": choices(MOODS)}
    form_ajax_refs = {"customer": {"fields": ["name", "phone"], "placeholder": _l("Search customers")}}

    def apply_rules(self, form, model, is_created, before):
        if is_created:
            model.author_id = model.author_id or current_user.id
        if model.customer is not None:
            model.customer_id = model.customer.id


class SlaRuleView(SecureModelView):
    resource = "sla_rule"
    column_list = ["priority", "hours"]
    column_choices = {"priority": choices(PRIORITIES)}
    column_labels = {"priority": _l("Priority"), "hours": _l("Hours to resolve")}
    form_columns = ["priority", "hours"]
    form_choices = {"priority": choices(PRIORITIES)}
    form_args = {"hours": {"render_kw": {"min": 1}}}

    def apply_rules(self, form, model, is_created, before):
        if model.hours is None or model.hours <= 0:
            raise ValidationError({"hours": [_l("Write a whole number of hours above zero.")]})


class CannedReplyView(SecureModelView):
    resource = "canned_reply"
    column_list = ["title", "category", "audience", "active"]
    column_searchable_list = ["title", "body"]
    column_filters = ["category", "audience", "active"]
    column_choices = {"category": choices(COMPLAINT_CATEGORIES), "audience": choices(REPLY_AUDIENCES)}
    column_labels = {
        "title": _l("Title"),
        "body": _l("Text"),
        "category": _l("Category"),
        "audience": _l("Audience"),
        "active": _l("Active"),
    }
    form_columns = ["title", "body", "category", "audience", "active"]
    form_choices = {"category": choices(COMPLAINT_CATEGORIES), "audience": choices(REPLY_AUDIENCES)}


class AccessMenuLink(MenuLink):
    """A menu link shown only to users who may view ``resource``."""

    def __init__(self, *args, resource: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = resource

    def is_accessible(self):
        return access.allowed(current_user, self.resource, "view")


def register(admin):
    category = _l("Customer care")
    admin.add_view(
        InteractionView(Interaction, db, name=_l("Interactions"), endpoint="interactions", category=category)
    )
    admin.add_link(
        AccessMenuLink(
            name=_l("My interactions today"),
            url=f"/admin/interactions/?mine={MINE_TODAY}",
            category=category,
            resource="interaction",
        )
    )
    admin.add_view(EmotionView(EmotionEntry, db, name=_l("Emotion notebook"), endpoint="emotions", category=category))
    admin.add_view(SlaRuleView(SlaRule, db, name=_l("SLA rules"), endpoint="sla_rules", category=category))
    admin.add_view(
        CannedReplyView(CannedReply, db, name=_l("Canned replies"), endpoint="canned_replies", category=category)
    )
