"""The short lists on the dashboard: what an agent or a lead should act on now, in their scope."""

from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, or_, select

from models import Appointment, Complaint, Customer, db
from services import access
from services.kpi.periods import local_start

OPEN_STATUSES = ("new", "in_progress", "waiting")


def _open(user):
    """Open requests in the user's worklist: a lead's team's; an agent's *assigned* ones (what they act
    on; a request of their customer handled by a colleague is on the colleague's list)."""
    if access.scope_name(user, "complaint", "view") == "own":
        scope = Complaint.assignee_id == user.id
    else:
        scope = access.scope_clause(user, "complaint", "view")
    return and_(Complaint.status.in_(OPEN_STATUSES), scope)


def _by_due():
    """Earliest due first; requests without a due time last (portable NULLS LAST)."""
    return (Complaint.due_at.is_(None), Complaint.due_at, Complaint.id)


def open_complaints(user, limit: int = 20) -> list[Complaint]:
    """Open requests of the user's worklist (``_open``), by due time."""
    return list(db.session.scalars(select(Complaint).where(_open(user)).order_by(*_by_due()).limit(limit)))


def overdue_complaints(user, now: datetime, limit: int = 20) -> list[Complaint]:
    query = select(Complaint).where(_open(user), Complaint.due_at < now).order_by(*_by_due()).limit(limit)
    return list(db.session.scalars(query))


def escalated_complaints(user, limit: int = 20) -> list[Complaint]:
    query = (
        select(Complaint)
        .where(_open(user), Complaint.escalated_at.is_not(None))
        .order_by(Complaint.escalated_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def appointments_on(user, day: date, limit: int = 200) -> list[Appointment]:
    """Planned call-backs and appointments of the local ``day`` in the user's appointment scope (the first ``limit``).

    A team's (or an agent's customers'): the day's appointments whose customer is in the team (or
    the agent's), checked per appointment (``EXISTS``), which the day's few rows make cheaper than
    listing the team's or the agent's customers.
    """
    kind = access.scope_name(user, "appointment", "view")
    if kind == "team":
        scope = exists().where(Customer.id == Appointment.customer_id, Customer.team_id == user.team_id)
    elif kind == "own":
        mine = exists().where(Customer.id == Appointment.customer_id, Customer.owner_id == user.id)
        scope = or_(Appointment.agent_id == user.id, mine)
    else:
        scope = access.scope_clause(user, "appointment", "view")
    query = (
        select(Appointment)
        .where(
            Appointment.starts_at >= local_start(day),
            Appointment.starts_at < local_start(day + timedelta(days=1)),
            Appointment.status == "planned",
            scope,
        )
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def birthdays_between(user, first: date, days: int = 7, limit: int = 200) -> list[tuple[date, Customer]]:
    """The user's own customers whose birthday falls in ``first`` .. ``first + days - 1``, by date.

    At most ``limit`` of them: a page, not a mailing list (the customer list filters the rest).
    """
    dates = [first + timedelta(days=i) for i in range(days)]
    match = or_(*(and_(Customer.birth_month == d.month, Customer.birth_day == d.day) for d in dates))
    query = select(Customer).where(Customer.owner_id == user.id, match)
    customers = db.session.scalars(query.order_by(Customer.birth_month, Customer.birth_day, Customer.id).limit(limit))
    on = {(d.month, d.day): d for d in dates}
    found = [(on[(c.birth_month, c.birth_day)], c) for c in customers]
    return sorted(found, key=lambda pair: (pair[0], pair[1].name))
