"""Campaigns: draft → submitted → approved (the head, four eyes) / rejected; approved ⇄ paused; finished.

The scheduler runs approved campaigns (jobs.campaigns, which also checks the cron
expression); here are the approval workflow and the checks of what a person types.
"""

import string

from flask_babel import lazy_gettext as _l

from models import Campaign
from models.choices import CHANNELS, OCCASIONS
from services import access, approvals, audit, job_catalogue, locking, message_templates, segments
from services.errors import ValidationError
from services.workflow import require, require_status

PLACEHOLDERS = ("name", "phone", "email", "province")
"""What a message may say about its customer, as ``{name}``; jobs.effects.render fills them."""
EDITABLE = ("draft", "rejected")


def check_template(text: str | None, field: str = "message_template", required: bool = True) -> None:
    """ValidationError on ``field`` unless every ``{...}`` in ``text`` is a known placeholder."""
    if not (text or "").strip():
        if required:
            raise ValidationError({field: [_l("This field is required.")]})
        return
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValidationError({field: [_l("Unbalanced braces; write {{ and }} for literal braces.")]}) from exc
    unknown = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            unknown.append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    if unknown:
        raise ValidationError(
            {
                field: [
                    _l(
                        "Unknown placeholder %(found)s; use only %(known)s.",
                        found=", ".join(unknown),
                        known=", ".join("{" + p + "}" for p in PLACEHOLDERS),
                    )
                ]
            }
        )


def validate(campaign: Campaign) -> None:
    errors: dict[str, list] = {}
    campaign.name = (campaign.name or "").strip()
    if not campaign.name:
        errors.setdefault("name", []).append(_l("This field is required."))
    for field, required in (("message_template", True), ("message_subject", False)):
        try:
            check_template(getattr(campaign, field), field, required)
        except ValidationError as exc:
            errors.update(exc.errors)
    try:
        segments.parse(campaign.audience)
    except ValidationError as exc:
        errors.update(exc.errors)
    if campaign.schedule_cron:
        try:
            job_catalogue.validate_cron(campaign.schedule_cron)
        except ValidationError as exc:
            errors.update(exc.errors)
    if campaign.occasion and campaign.occasion not in OCCASIONS:
        errors.setdefault("occasion", []).append(_l("Choose one of the listed values."))
    if campaign.channel not in CHANNELS:
        errors.setdefault("channel", []).append(_l("Choose one of the listed values."))
    campaign.gift_value = campaign.gift_value or 0
    if campaign.gift_value < 0:
        errors.setdefault("gift_value", []).append(_l("An amount cannot be negative."))
    errors.update(message_templates.validate_campaign(campaign))
    if campaign.gift_value and campaign.budget_line_id is None and campaign.budget_line is None:
        errors.setdefault("budget_line", []).append(_l("Choose the budget line that pays for the gifts."))
    if errors:
        raise ValidationError(errors)


def prepare(campaign: Campaign, user, is_created: bool, before_status: str | None = None) -> None:
    """Rules for the forms: a new campaign is a draft by ``user``; only a draft or rejected one
    changes (a rejected one goes back to draft, so it is approved again before it runs)."""
    if is_created:
        campaign.status = "draft"
        campaign.created_by_id = user.id
        if campaign.team_id is None and access.leads_team(user):
            campaign.team_id = user.team_id
    else:
        status = before_status or campaign.status
        if status not in EDITABLE:
            raise ValidationError({"status": [_l("Only a draft campaign can be edited.")]})
        if status == "rejected":
            campaign.status = "draft"
    validate(campaign)


def submit(campaign: Campaign, user) -> None:
    require(user, "submit", "campaign", campaign)
    validate(campaign)
    approvals.submit(campaign, user)


def decide(campaign: Campaign, user, approve: bool, comment: str | None = None) -> None:
    """Approve or reject a submitted campaign: the head only, never its author or submitter."""
    require_status(campaign, "submitted", to="approved" if approve else "rejected")
    require(user, "approve", "campaign", campaign)
    approvals.decide(campaign, user, approve, comment)


def _move(campaign: Campaign, user, to_status: str, *from_statuses: str) -> None:
    require_status(campaign, *from_statuses, to=to_status)
    require(user, "approve", "campaign", campaign)
    before = locking.claim(campaign, from_statuses, to_status)
    audit.record("transition", campaign, user=user, changes={"status": (before, to_status)})


def pause(campaign: Campaign, user) -> None:
    _move(campaign, user, "paused", "approved")


def resume(campaign: Campaign, user) -> None:
    _move(campaign, user, "approved", "paused")


def finish(campaign: Campaign, user) -> None:
    _move(campaign, user, "finished", "approved", "paused")
