"""Appointments and call-backs after the call: the outcome (done / no answer) and the satisfaction score."""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l

from models import Appointment, Interaction, SurveyAnswer, db
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
    now: datetime | None = None,
    session=None,
) -> Appointment:
    """Close a planned appointment as ``done`` or ``no_answer`` with what happened and, optionally, the
    customer's satisfaction (1–5, kept only for a call that took place); audited. The call goes on the
    customer's timeline and a score into the survey scores, whichever page closed it (the inbox's "Xong",
    the appointment's outcome page). Nothing changes if it raises."""
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
    _write_history(appointment, status, user, now or datetime.now(UTC), session)
    session.flush()
    return appointment


def _write_history(appointment: Appointment, status: str, user, now: datetime, session) -> None:
    """The call on the customer's timeline (an outbound phone interaction) and its CSAT as a survey answer."""
    summary = appointment.purpose + (f" — {appointment.outcome}" if appointment.outcome else "")
    if appointment.satisfaction and status == "done":
        summary += f" (CSAT {appointment.satisfaction}/5)"
    interaction = Interaction(
        customer_id=appointment.customer_id,
        channel="phone",
        direction="outbound",
        summary=summary[:5000],
        agent_id=user.id,
        occurred_at=now,
        outcome="answered" if status == "done" else "no_answer",
        complaint_id=appointment.complaint_id,
    )
    session.add(interaction)
    customer = appointment.customer
    last = customer.last_contact_at if customer is not None else None
    if customer is not None and (last is None or (last if last.tzinfo else last.replace(tzinfo=UTC)) < now):
        customer.last_contact_at = now
    session.flush()
    audit.record("create", interaction, changes=audit.diff(interaction, {}), user=user, session=session)
    if appointment.satisfaction and status == "done":
        answer = SurveyAnswer(
            customer_id=appointment.customer_id,
            csat=appointment.satisfaction,
            complaint_id=appointment.complaint_id,
            comment=appointment.outcome,
            answered_at=now,
        )
        session.add(answer)
        session.flush()
        audit.record("create", answer, changes=audit.diff(answer, {}), user=user, session=session)


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
