"""Checks of what staff type for message templates and for a campaign's channels."""

import string

from flask import current_app
from flask_babel import lazy_gettext as _l

from models import MessageTemplate, db
from models.choices import SEND_CHANNELS, TEMPLATE_PURPOSES, TEMPLATE_STATUSES
from services.channels.sms_text import segments
from services.errors import ValidationError

PLACEHOLDERS = ("name", "phone", "email", "province", "link", "code")


def placeholders(text: str | None) -> list[str]:
    try:
        return [name for _lit, name, _spec, _conv in string.Formatter().parse(text or "") if name is not None]
    except ValueError:
        return ["{"]


def validate(template: MessageTemplate) -> None:
    errors: dict[str, list] = {}
    template.name = (template.name or "").strip()
    if not template.name:
        errors.setdefault("name", []).append(_l("This field is required."))
    if not (template.body or "").strip():
        errors.setdefault("body", []).append(_l("This field is required."))
    for field, mapping in (("channel", SEND_CHANNELS), ("purpose", TEMPLATE_PURPOSES), ("status", TEMPLATE_STATUSES)):
        if getattr(template, field) not in mapping:
            errors.setdefault(field, []).append(_l("Choose one of the listed values."))
    unknown = [p for p in placeholders(template.body) + placeholders(template.subject) if p not in PLACEHOLDERS]
    if unknown:
        errors.setdefault("body", []).append(
            _l("Unknown placeholder %(found)s.", found=", ".join("{" + p + "}" for p in unknown))
        )
    template.provider_template_id = (template.provider_template_id or "").strip() or None
    if template.channel == "zns" and template.status == "approved" and not template.provider_template_id:
        errors.setdefault("provider_template_id", []).append(_l("An approved ZNS template needs Zalo's template id."))
    for pair in (template.params or "").split(","):
        source = pair.partition("=")[2].strip() or pair.strip()
        if source and source not in PLACEHOLDERS:
            errors.setdefault("params", []).append(_l("Unknown placeholder %(found)s.", found=source))
    if template.channel == "sms":
        limit = int(current_app.config.get("SMS_TEMPLATE_MAX_PARAMS", 5))
        if len(set(placeholders(template.body))) > limit:
            errors.setdefault("body", []).append(
                _l("A brandname care template may have at most %(n)s parameters.", n=limit)
            )
        encoding, parts = segments(template.body or "")
        if parts > 3:
            errors.setdefault("body", []).append(_l("Keep an SMS within 3 parts (now %(n)s).", n=parts))
    if template.channel != "email":
        template.subject = None
    if errors:
        raise ValidationError(errors)


def validate_campaign(campaign) -> dict[str, list]:
    """Errors of a campaign's purpose, channel order and templates (empty when they fit)."""
    errors: dict[str, list] = {}
    if (campaign.purpose or "care") not in ("care", "advertising"):
        errors.setdefault("purpose", []).append(_l("Choose one of the listed values."))
    order = [c.strip() for c in (campaign.channel_order or "").split(",") if c.strip()]
    if len(set(order)) != len(order) or any(c not in SEND_CHANNELS for c in order):
        errors.setdefault("channel_order", []).append(_l("List channels among zns, sms and email, each once."))
        return errors
    campaign.channel_order = ",".join(order) or None
    paid = [c for c in order if c in ("zns", "sms")]
    if paid and campaign.budget_line_id is None and getattr(campaign, "budget_line", None) is None:
        errors.setdefault("budget_line", []).append(_l("Choose the budget line that pays for the messages."))
    for channel in order:
        template_id = getattr(campaign, f"{channel}_template_id", None)
        template = getattr(campaign, f"{channel}_template", None) or (
            db.session.get(MessageTemplate, template_id) if template_id else None
        )
        if template is None:
            errors.setdefault(f"{channel}_template", []).append(_l("Choose the template of this channel."))
        elif template.channel != channel:
            errors.setdefault(f"{channel}_template", []).append(_l("This template belongs to another channel."))
    return errors
