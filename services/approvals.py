"""Submit and decide, with four eyes: nobody approves what they submitted or wrote.

Used for policies, budgets, campaigns and gifts (any model with ``ApprovalMixin``).
Each decision records who, when and a comment, and is audited.
"""

from flask_babel import lazy_gettext as _l

from models import utcnow
from services import audit, locking
from services.errors import NotAllowed


class FourEyes(NotAllowed):
    default = _l("Four eyes: you cannot approve what you submitted or wrote yourself.")


def submit(obj, user, *, from_statuses=("draft", "rejected"), to_status: str = "submitted") -> None:
    before = locking.claim(obj, from_statuses, to_status)
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
    """Approve or reject ``obj``; raises FourEyes when ``user`` wrote or submitted it.
    The status moves by compare-and-set on the locked row (``services.locking.claim``)."""
    to_status = approved if approve else rejected
    before = locking.expect(obj, from_statuses, to_status)
    if authored_by(obj, user):
        raise FourEyes()
    locking.compare_and_set(obj, before, to_status)
    obj.decided_by_id = user.id
    obj.decided_at = utcnow()
    obj.decision_comment = (comment or "").strip() or None
    audit.record(
        "approve" if approve else "reject",
        obj,
        user=user,
        changes={"status": (before, to_status)},
        detail=obj.decision_comment,
    )
