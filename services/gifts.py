"""Gifts: planned → approved → sent → delivered, or rejected.

A team lead approves gifts for the team's customers up to the team's ``gift_allowance``
(``services.access`` scope ``team_allowance``); anything larger goes to the head. Nobody
approves a gift they planned. Approval spends the gift's value on its budget line; when the
line cannot pay, the gift stays planned and nothing is spent.
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from models import BudgetLine, Gift, Team, db, utcnow
from models.choices import OCCASIONS
from services import access, approvals, audit, budgets, locking
from services.errors import NotAllowed, ValidationError
from services.workflow import require, require_status

EDITABLE = ("planned", "rejected")


def validate(gift: Gift, session=None) -> None:
    session = session or db.session
    errors: dict[str, list] = {}
    for relation in ("customer", "campaign", "budget_line"):  # a form sets the relationship, not the id
        related = getattr(gift, relation)
        if related is not None:
            setattr(gift, f"{relation}_id", related.id)
    gift.item = (gift.item or "").strip()
    if not gift.item:
        errors.setdefault("item", []).append(_l("This field is required."))
    if gift.customer_id is None:
        errors.setdefault("customer", []).append(_l("This field is required."))
    if gift.occasion not in OCCASIONS:
        errors.setdefault("occasion", []).append(_l("Choose one of the listed values."))
    gift.year = gift.year or date.today().year
    if not 2000 <= gift.year <= 2100:
        errors.setdefault("year", []).append(_l("Not a valid year."))
    gift.value = gift.value or 0
    if gift.value < 0:
        errors.setdefault("value", []).append(_l("An amount cannot be negative."))
    gift.campaign_key = gift.campaign_id or 0
    if not errors:
        clash = session.scalar(
            select(Gift.id).where(
                Gift.customer_id == gift.customer_id,
                Gift.occasion == gift.occasion,
                Gift.year == gift.year,
                Gift.campaign_key == gift.campaign_key,
                Gift.id != (gift.id or 0),
            )
        )
        if clash:
            errors.setdefault("occasion", []).append(_l("This customer already has a gift for this occasion and year."))
    if errors:
        raise ValidationError(errors)


def prepare(gift: Gift, user, is_created: bool, before_status: str | None = None, session=None) -> None:
    """Rules for the forms: the planner of a gift is its submitter (so cannot approve it);
    only a planned or rejected gift changes, and a rejected one is planned again."""
    if is_created:
        gift.status = "planned"
        gift.submitted_by_id = user.id
        gift.submitted_at = utcnow()
    else:
        status = before_status or gift.status
        if status not in EDITABLE:
            raise ValidationError({"status": [_l("Only a planned gift can be edited.")]})
        if status == "rejected":
            gift.status = "planned"
            gift.decided_by_id = gift.decided_at = gift.decision_comment = None
    validate(gift, session)


def _require_approver(gift: Gift, user, session) -> None:
    if access.can(user, "approve", "gift", gift, session=session):
        return
    if access.allowed(user, "gift", "approve") and access.can(user, "view", "gift", gift, session=session):
        allowance = session.scalar(select(Team.gift_allowance).where(Team.id == user.team_id))
        raise NotAllowed(
            _l(
                "This gift is above your team's allowance of %(allowance)s: the department head approves it.",
                allowance=f"{allowance or 0:,} ₫".replace(",", "."),
            )
        )
    raise NotAllowed()


def approve_gift(gift: Gift, user, comment: str | None = None, session=None) -> None:
    """Approve a planned gift and spend its value on its budget line (all or nothing)."""
    session = session or db.session
    require_status(gift, "planned", to="approved")
    _require_approver(gift, user, session)
    if approvals.authored_by(gift, user):
        raise approvals.FourEyes()
    if gift.value and gift.budget_line_id is None:
        raise ValidationError({"budget_line": [_l("Choose the budget line that pays for this gift.")]})
    if gift.value:
        line = session.get(BudgetLine, gift.budget_line_id)
        budgets.charge(line, gift.value, session=session, year=gift.year)  # a line of the gift's own year
    approvals.decide(gift, user, True, comment, from_statuses=("planned",))


def reject_gift(gift: Gift, user, comment: str | None = None, session=None) -> None:
    session = session or db.session
    require_status(gift, "planned", to="rejected")
    _require_approver(gift, user, session)
    approvals.decide(gift, user, False, comment, from_statuses=("planned",))


def mark_sent(gift: Gift, user) -> None:
    require_status(gift, "approved", to="sent")
    require(user, "edit", "gift", gift)
    locking.claim(gift, ("approved",), "sent")
    gift.sent_at = utcnow()
    audit.record("transition", gift, user=user, changes={"status": ("approved", "sent")})


def mark_delivered(gift: Gift, user) -> None:
    require_status(gift, "sent", to="delivered")
    require(user, "edit", "gift", gift)
    locking.claim(gift, ("sent",), "delivered")
    gift.delivered_at = utcnow()
    audit.record("transition", gift, user=user, changes={"status": ("sent", "delivered")})
