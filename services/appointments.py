"""Appointments and call-backs after the call: the outcome (done / no answer) and the satisfaction score."""

from flask_babel import lazy_gettext as _l

from models import Appointment, db
from services import access, audit, locking
from services.errors import InvalidTransition, NotAllowed, ValidationError

OUTCOME_STATUSES = ("done", "no_answer")


def record_outcome(
    appointment: Appointment,
    status: str,
    user,
    outcome: str | None = None,
    satisfaction: int | str | None = None,
    *,
    reopen_complaint: bool = False,
    session=None,
) -> Appointment:
    """Close a planned appointment as ``done`` or ``no_answer`` with what happened and, optionally, the
    customer's satisfaction (1–5, kept only for a call that took place); audited. Nothing changes if it raises."""
    session = session or db.session
    message = _l("Only a planned appointment can be marked done or not answered.")
    if status not in OUTCOME_STATUSES:
        raise InvalidTransition(message)
    locking.expect(appointment, ("planned",), status, session=session, message=message)  # a double click: AlreadyDone
    if not access.can(user, "edit", "appointment", appointment, session=session):
        raise NotAllowed()
    score = None
    if status == "done" and satisfaction not in (None, ""):
        try:
            score = int(satisfaction)
        except (TypeError, ValueError):
            score = 0
        if not 1 <= score <= 5:
            raise ValidationError({"satisfaction": [_l("Choose a score from 1 to 5.")]})
    text = (outcome or "").strip() or None
    changes = {"status": (appointment.status, status)}
    if text:
        changes["outcome"] = (appointment.outcome, text)
        appointment.outcome = text
    if score is not None:
        changes["satisfaction"] = (appointment.satisfaction, score)
        appointment.satisfaction = score
    locking.compare_and_set(appointment, "planned", status, session=session)
    audit.record("outcome", appointment, changes=changes, user=user, session=session)
    if appointment.complaint_id and status == "done":
        _close_the_loop(appointment, score, reopen_complaint, user, session)
    session.flush()
    return appointment


def _close_the_loop(appointment: Appointment, score: int | None, reopen: bool, user, session) -> None:
    """A follow-up call after a resolution records the customer's satisfaction on the complaint
    and, when the customer is still unhappy, reopens it (seed 002: call back to confirm)."""
    from services import complaints

    complaint = appointment.complaint
    if score is not None:
        audit.record(
            "update", complaint, changes={"satisfaction": (complaint.satisfaction, score)}, user=user, session=session
        )
        complaint.satisfaction = score
    if reopen and complaint.status in ("resolved", "closed"):
        complaints.transition(complaint, "in_progress", user, session=session)
