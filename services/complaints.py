"""Complaints, support and warranty requests: the status workflow, the SLA, assignment, escalation.

The workflow is data (``TRANSITIONS``); ``transition`` is the one function the forms, row actions,
jobs and CLI call to change a request's status, and it asks ``services.access`` first.
"""

from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from models import Complaint, Customer, Order, SlaRule, Team, User, db
from models.choices import COMPLAINT_CATEGORIES, PRIORITIES, REQUEST_KINDS
from services import access, audit, locking, validation
from services.errors import AlreadyDone, InvalidTransition, NotAllowed, ValidationError

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("in_progress", "resolved"),
    "in_progress": ("waiting", "resolved"),
    "waiting": ("in_progress", "resolved"),
    "resolved": ("closed", "in_progress"),
    "closed": ("in_progress",),
}
"""Status -> the statuses it may move to. Back to in_progress from resolved/closed is a reopen."""

OPEN_STATUSES = ("new", "in_progress", "waiting")
REOPEN_FROM = ("resolved", "closed")
DEFAULT_SLA_HOURS = {"urgent": 4, "high": 24, "normal": 48, "low": 120}


def allowed_transitions(status: str | None) -> tuple[str, ...]:
    return TRANSITIONS.get(status or "new", ())


def is_open(complaint: Complaint) -> bool:
    return complaint.status in OPEN_STATUSES


def _now(now: datetime | None = None) -> datetime:
    return now or datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def sla_hours(priority: str, session=None) -> int:
    """Hours to resolve a request of ``priority``: the SlaRule row, else the default."""
    session = session or db.session
    hours = session.scalar(select(SlaRule.hours).where(SlaRule.priority == priority))
    return int(hours) if hours else DEFAULT_SLA_HOURS.get(priority, DEFAULT_SLA_HOURS["normal"])


def due_at_for(priority: str, opened_at: datetime | None = None, session=None) -> datetime:
    return _aware(_now(opened_at)) + timedelta(hours=sla_hours(priority or "normal", session))


def is_overdue(complaint: Complaint, now: datetime | None = None) -> bool:
    """Open and past its due time."""
    if complaint.due_at is None or not is_open(complaint):
        return False
    return _aware(complaint.due_at) < _now(now)


def _require(user, action: str, complaint: Complaint) -> None:
    if not access.can(user, action, "complaint", complaint):
        raise NotAllowed()


def open_complaint(
    user,
    customer: Customer,
    subject: str,
    *,
    description: str | None = None,
    kind: str = "complaint",
    category: str = "other",
    priority: str = "normal",
    channel: str | None = None,
    assignee: User | None = None,
    order_id: int | None = None,
    now: datetime | None = None,
    session=None,
) -> Complaint:
    """A new request for ``customer``: team from the customer, due time from the SLA; audited.
    ``order_id`` links it to one of the customer's own orders (any other is refused)."""
    session = session or db.session
    errors: dict[str, list] = {}
    try:
        subject = validation.require_text(subject, "subject", 200)
    except ValidationError as exc:
        errors.update(exc.errors)
    for value, mapping, field in (
        (kind, REQUEST_KINDS, "kind"),
        (category, COMPLAINT_CATEGORIES, "category"),
        (priority, PRIORITIES, "priority"),
    ):
        if value not in mapping:
            errors.setdefault(field, []).append(_l("Choose one of the listed values."))
    if order_id is not None and not is_customers_order(order_id, customer.id, session):
        errors.setdefault("order", []).append(_l("Choose one of this customer's orders."))
    if errors:
        raise ValidationError(errors)
    complaint = Complaint(
        customer_id=customer.id,
        subject=subject,
        description=(description or "").strip() or None,
        kind=kind,
        category=category,
        priority=priority,
        channel=channel,
        order_id=int(order_id) if order_id is not None else None,
        status="new",
        assignee_id=assignee.id if assignee else (customer.owner_id or getattr(user, "id", None)),
    )
    prepare_new(complaint, now=now, session=session)
    session.add(complaint)
    session.flush()
    _require(user, "create", complaint)
    audit.record("create", complaint, changes=audit.diff(complaint, {}), user=user, session=session)
    return complaint


def is_customers_order(order_id, customer_id: int | None, session=None) -> bool:
    """Whether order ``order_id`` belongs to customer ``customer_id`` (a request is linked only to those)."""
    session = session or db.session
    try:
        key = int(order_id)
    except (TypeError, ValueError):
        return False
    with session.no_autoflush:  # asked while a form's half-built request sits in the session
        owner = session.scalar(select(Order.customer_id).where(Order.id == key))
    return customer_id is not None and owner == customer_id


def prepare_new(complaint: Complaint, now: datetime | None = None, session=None) -> Complaint:
    """Fields a new request always gets, whichever form made it: status, opened, team, due time."""
    session = session or db.session
    complaint.status = "new"
    complaint.opened_at = complaint.opened_at or _now(now)
    complaint.priority = complaint.priority or "normal"
    if complaint.customer_id and complaint.team_id is None:
        complaint.team_id = session.scalar(select(Customer.team_id).where(Customer.id == complaint.customer_id))
    complaint.due_at = due_at_for(complaint.priority, complaint.opened_at, session)
    complaint.reopened_count = complaint.reopened_count or 0
    return complaint


def transition(
    complaint: Complaint,
    to_status: str,
    user,
    resolution: str | None = None,
    *,
    satisfaction: int | None = None,
    now: datetime | None = None,
    session=None,
) -> Complaint:
    """Move ``complaint`` to ``to_status`` if the workflow and the user's scope allow it; audited.

    Raises AlreadyDone (another request just did it), InvalidTransition (not a next status),
    NotAllowed, or ValidationError("resolution") when resolving without a resolution text.
    The row is locked and its status compare-and-set (``services.locking``), so a reopen
    clicked twice counts once.
    """
    session = session or db.session
    sources = tuple(status for status, targets in TRANSITIONS.items() if to_status in targets)
    before = locking.expect(complaint, sources, to_status, session=session)
    _require(user, "transition", complaint)
    text = (resolution or "").strip() or None
    if to_status == "resolved" and not (text or (complaint.resolution or "").strip()):
        raise ValidationError({"resolution": [_l("Write the resolution before resolving the request.")]})
    moment = _now(now)
    changes = {"status": (before, to_status)}
    if text:
        changes["resolution"] = (complaint.resolution, text)
        complaint.resolution = text
    if to_status == "resolved":
        complaint.resolved_at = moment
        changes["resolved_at"] = (None, moment)
    elif to_status == "closed":
        complaint.closed_at = moment
        changes["closed_at"] = (None, moment)
        if satisfaction is not None:
            complaint.satisfaction = satisfaction
    elif to_status == "in_progress" and before in REOPEN_FROM:
        complaint.reopened_count = (complaint.reopened_count or 0) + 1
        complaint.resolved_at = None
        complaint.closed_at = None
        changes["reopened_count"] = (complaint.reopened_count - 1, complaint.reopened_count)
    locking.compare_and_set(complaint, before, to_status, session=session)
    audit.record("transition", complaint, changes=changes, user=user, session=session)
    session.flush()
    return complaint


def assign(complaint: Complaint, assignee: User, user, session=None) -> Complaint:
    """Give the request to ``assignee`` (an active agent or lead of the request's team, or anyone for the head)."""
    session = session or db.session
    _require(user, "assign", complaint)
    if assignee is None or not assignee.active:
        raise ValidationError({"assignee": [_l("Choose an active member of staff.")]})
    if not access.is_department_wide(user) and complaint.team_id is not None and assignee.team_id != complaint.team_id:
        raise ValidationError({"assignee": [_l("The assignee must belong to the request's team.")]})
    locking.lock(complaint, session)
    if complaint.assignee_id == assignee.id:
        raise AlreadyDone()  # a double click, or two leads giving it to the same person
    before = complaint.assignee_id
    complaint.assignee_id = assignee.id
    if complaint.status == "new":
        locking.compare_and_set(complaint, "new", "in_progress", session=session)
    audit.record("assign", complaint, changes={"assignee_id": (before, assignee.id)}, user=user, session=session)
    session.flush()
    return complaint


def escalation_target(complaint: Complaint, user, session=None) -> User | None:
    """Who takes a request escalated by ``user``: the level above them, never themselves. From a team lead
    (or anyone department-wide) the department head; from an agent the lead of the request's team."""
    session = session or db.session
    if access.has_trait(user, "leads_team") or access.is_department_wide(user):
        query = select(User).where(
            User.active.is_(True), User.role.in_(access.roles_with("receives_escalations")), User.id != user.id
        )
        return session.scalars(query.order_by(User.id).limit(1)).first()
    if complaint.team_id is None:
        return None
    lead = session.scalar(select(User).join(Team, Team.lead_id == User.id).where(Team.id == complaint.team_id))
    return lead if lead is not None and lead.id != user.id and lead.active else None


def escalate(
    complaint: Complaint,
    user,
    reason: str | None,
    target_text: str | None = None,
    now: datetime | None = None,
    session=None,
):
    """Escalate to the level above ``user`` (``escalation_target``) or, with ``target_text``, to another
    department; ``reason`` (5+ characters) is kept on the request and in the audit log."""
    session = session or db.session
    _require(user, "escalate", complaint)
    if not is_open(complaint):
        raise InvalidTransition(_l("Only an open request can be escalated."))
    text = " ".join((reason or "").split())
    if len(text) < 5:
        raise ValidationError({"reason": [_l("Write why the request is escalated (at least 5 characters).")]})
    above = None if (target_text or "").strip() else escalation_target(complaint, user, session)
    target = (target_text or "").strip()[:120] or (above.name if above else "")
    if not target:
        raise ValidationError({"escalated_to": [_l("There is no one above you to take it; name who takes it over.")]})
    locking.lock(complaint, session)
    if complaint.escalated_at is not None and complaint.escalated_to == target:
        raise AlreadyDone()  # escalated to the same place a moment ago
    before = (complaint.escalated_to_id, complaint.escalated_to, complaint.escalation_reason)
    complaint.escalated_to_id = above.id if above else None
    complaint.escalated_to = target
    complaint.escalation_reason = text[:2000]
    complaint.escalated_at = _now(now)
    audit.record(
        "escalate",
        complaint,
        changes={
            "escalated_to_id": (before[0], complaint.escalated_to_id),
            "escalated_to": (before[1], target),
            "escalation_reason": (before[2], complaint.escalation_reason),
        },
        user=user,
        session=session,
    )
    session.flush()
    return complaint


def apply_form(complaint: Complaint, user, is_created: bool, before: dict, session=None) -> Complaint:
    """The complaint form's rules, ``before`` being the row as it was (empty for a new one).

    A request needs its customer and a 1–5 score; a new one goes to its author unless assigned,
    and gets ``prepare_new``; a change of assignee needs "assign"; a change of priority moves the
    due time.
    """
    session = session or db.session
    errors: dict[str, list] = {}
    if complaint.customer_id is None and complaint.customer is None:
        errors["customer"] = [_l("This field is required.")]
    if complaint.satisfaction is not None and not 1 <= complaint.satisfaction <= 5:
        errors["satisfaction"] = [_l("Choose a score from 1 to 5.")]
    customer_id = complaint.customer.id if complaint.customer is not None else complaint.customer_id
    order_id = complaint.order.id if complaint.order is not None else complaint.order_id
    if order_id is not None and not is_customers_order(order_id, customer_id, session):
        errors["order"] = [_l("Choose one of this customer's orders.")]
    if errors:
        raise ValidationError(errors)
    if complaint.customer is not None:
        complaint.customer_id = complaint.customer.id
    complaint.assignee_id = complaint.assignee.id if complaint.assignee is not None else None
    if is_created:
        if complaint.assignee is None:
            complaint.assignee = session.get(User, user.id)
            complaint.assignee_id = complaint.assignee.id
        return prepare_new(complaint, session=session)
    if before.get("assignee_id") != complaint.assignee_id and not access.can(
        user, "assign", "complaint", complaint, session=session
    ):
        raise ValidationError({"assignee": [_l("You may not reassign this request.")]})
    if before.get("priority") != complaint.priority and complaint.opened_at is not None:
        complaint.due_at = due_at_for(complaint.priority, complaint.opened_at, session)
    return complaint


def reopen(complaint: Complaint, user, session=None) -> Complaint:
    """Back to work: only a resolved or closed request (locked: a parallel reopen gets AlreadyDone)."""
    locking.expect(complaint, REOPEN_FROM, "in_progress", session=session,
                   message=_l("Only a resolved or closed request can be reopened."))  # fmt: skip
    return transition(complaint, "in_progress", user, session=session)
