"""Submit and decide, with four eyes: nobody approves what they submitted or wrote.

Used for policies, budgets, campaigns and gifts (any model with ``ApprovalMixin``).
Each decision records who, when and a comment, and is audited.
"""

from flask_babel import lazy_gettext as _l

from models import utcnow
from services import audit
from services.errors import InvalidTransition, NotAllowed


class FourEyes(NotAllowed):
    default = _l("Four eyes: you cannot approve what you submitted or wrote yourself.")


def submit(obj, user, *, from_statuses=("draft", "rejected"), to_status: str = "submitted") -> None:
    if obj.status not in from_statuses:
        raise InvalidTransition()
    before = obj.status
    obj.status = to_status
    obj.submitted_by_id = user.id
    obj.submitted_at = utcnow()
    obj.decided_by_id = obj.decided_at = obj.decision_comment = None
    audit.record("submit", obj, user=user, changes={"status": (before, to_status)})


def authored_by(obj, user) -> bool:
    """Did ``user`` write or submit ``obj``? Those may not decide it."""
    for attr in ("submitted_by_id", "author_id", "created_by_id"):
        if getattr(obj, attr, None) == user.id:
            return True
    return False


def decide(
    obj,
    user,
    approve: bool,
    comment: str | None = None,
    *,
    from_statuses=("submitted",),
    approved: str = "approved",
    rejected: str = "rejected",
) -> None:
    """Approve or reject ``obj``; raises FourEyes when ``user`` wrote or submitted it."""
    if obj.status not in from_statuses:
        raise InvalidTransition()
    if authored_by(obj, user):
        raise FourEyes()
    before = obj.status
    obj.status = approved if approve else rejected
    obj.decided_by_id = user.id
    obj.decided_at = utcnow()
    obj.decision_comment = (comment or "").strip() or None
    audit.record(
        "approve" if approve else "reject",
        obj,
        user=user,
        changes={"status": (before, obj.status)},
        detail=obj.decision_comment,
    )
