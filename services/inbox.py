"""The agent's (and team lead's) inbox: one queue of what is due first, and the one-click actions on it.

Four sources, each a query ordered by its due time, merged into one queue:

- ``call``: planned call-backs, follow-ups and check-ins due by the end of today (overdue ones too);
- ``sla``: open requests past their SLA or within ``SLA_NEAR`` of it;
- ``waiting``: requests waiting for the customer whose wait (``CUSTOMER_WAIT_HOURS`` since the last
  change) is over;
- ``birthday``: customers whose birthday is today (due at the start of the working day).

An agent's queue holds the items *assigned to them*; a lead's, their team's (with the assignee).
Acting on an item (done, reschedule, reassign) is allowed only inside that same queue scope:
an agent never acts on a colleague's call, a lead only within the team.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from heapq import merge

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from models import Appointment, Complaint, Customer, User, db
from services import access, audit, schedule
from services import appointments as call_outcomes
from services.errors import NotAllowed, ValidationError
from services.formatting import local_tz

PAGE_SIZE = 20
MAX_PAGE = 50
SLA_NEAR = timedelta(hours=4)
SECTIONS = {
    "call": _l("Call-backs due"),
    "sla": _l("Requests at or past SLA"),
    "waiting": _l("Customer's wait is over"),
    "birthday": _l("Birthdays today"),
}


@dataclass(frozen=True)
class Item:
    kind: str
    id: int
    due: datetime
    customer: Customer
    code: str
    title: str
    assignee: User | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.id}"


def is_lead(user) -> bool:
    return access.leads_team(user) and user.team_id is not None


def has_inbox(user) -> bool:
    return access.has_trait(user, "owns_customers")  # whoever is given customers works a queue


def _team_agents(user):
    return select(User.id).where(User.team_id == user.team_id)


def _wait() -> timedelta:
    return timedelta(hours=int(current_app.config.get("CUSTOMER_WAIT_HOURS", 48)))


def _end_of_today(now: datetime) -> datetime:
    day = now.astimezone(local_tz()).date()
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=local_tz()).astimezone(UTC)


# ---- the sources: (condition, due column) per kind --------------------------
def _call_where(user, now):
    mine = Appointment.agent_id.in_(_team_agents(user)) if is_lead(user) else Appointment.agent_id == user.id
    return and_(Appointment.status == "planned", Appointment.starts_at < _end_of_today(now), mine)


def _complaints_of(user):
    return Complaint.team_id == user.team_id if is_lead(user) else Complaint.assignee_id == user.id


def _sla_where(user, now):
    return and_(
        Complaint.status.in_(("new", "in_progress")),
        Complaint.due_at.is_not(None),
        Complaint.due_at < now + SLA_NEAR,
        _complaints_of(user),
    )


def _waiting_where(user, now):
    return and_(Complaint.status == "waiting", Complaint.updated_at <= now - _wait(), _complaints_of(user))


def _birthday_where(user, now):
    today = now.astimezone(local_tz()).date()
    mine = Customer.team_id == user.team_id if is_lead(user) else Customer.owner_id == user.id
    return and_(Customer.birth_month == today.month, Customer.birth_day == today.day, mine)


def _birthday_due(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(local_tz()).date(), schedule.DAY_START, tzinfo=local_tz()).astimezone(UTC)


def _calls(user, now, limit):
    rows = db.session.scalars(
        select(Appointment).where(_call_where(user, now)).order_by(Appointment.starts_at, Appointment.id).limit(limit)
    )
    return [_call_item(a) for a in rows]


def _call_item(a: Appointment) -> Item:
    code = f"KN-{a.complaint_id:06d}" if a.complaint_id else ""
    return Item("call", a.id, schedule._aware(a.starts_at), a.customer, code, a.purpose, a.agent)


def _complaint_items(kind, where, due, user, now, limit):
    query = select(Complaint).where(where(user, now)).order_by(due, Complaint.id).limit(limit)
    items = []
    for c in db.session.scalars(query):
        when = c.due_at if kind == "sla" else c.updated_at + _wait()
        items.append(Item(kind, c.id, schedule._aware(when), c.customer, c.code, c.subject, c.assignee))
    return items


def _birthdays(user, now, limit):
    query = select(Customer).where(_birthday_where(user, now)).order_by(Customer.id).limit(limit)
    due = _birthday_due(now)
    return [Item("birthday", c.id, due, c, "", c.name, c.owner) for c in db.session.scalars(query)]


def counts(user, now: datetime | None = None) -> dict[str, int]:
    """How many items each section holds (the numbers on top of the inbox)."""
    now = now or datetime.now(UTC)
    sources = {
        "call": (Appointment, _call_where),
        "sla": (Complaint, _sla_where),
        "waiting": (Complaint, _waiting_where),
        "birthday": (Customer, _birthday_where),
    }
    return {
        kind: db.session.scalar(select(func.count()).select_from(model).where(where(user, now))) or 0
        for kind, (model, where) in sources.items()
    }


def queue(user, page: int = 1, section: str | None = None, now: datetime | None = None) -> list[Item]:
    """One page of the queue (optionally one section), earliest due first."""
    now = now or datetime.now(UTC)
    page = min(max(page, 1), MAX_PAGE)
    limit = page * PAGE_SIZE
    sources = {
        "call": lambda: _calls(user, now, limit),
        "sla": lambda: _complaint_items("sla", _sla_where, Complaint.due_at, user, now, limit),
        "waiting": lambda: _complaint_items("waiting", _waiting_where, Complaint.updated_at, user, now, limit),
        "birthday": lambda: _birthdays(user, now, limit),
    }
    lists = [fetch() for kind, fetch in sources.items() if section in (None, kind)]
    merged = list(merge(*lists, key=lambda i: (i.due, i.kind, i.id)))
    return merged[(page - 1) * PAGE_SIZE : limit]


def next_item(user, after: str | None = None, now: datetime | None = None) -> Item | None:
    """The first item of the queue other than ``after`` (its key): what "Done, call next" opens."""
    for item in queue(user, 1, now=now):
        if item.key != after:
            return item
    return None


def find(user, kind: str, item_id: int, now: datetime | None = None) -> Item | None:
    """The item if it is in the user's queue scope (due or not yet), else None."""
    now = now or datetime.now(UTC)
    if kind == "call":
        row = db.session.get(Appointment, item_id)
        if row is None or not _may_act_on_call(user, row):
            return None
        return _call_item(row)
    if kind in ("sla", "waiting"):
        row = db.session.get(Complaint, item_id)
        if row is None or not _may_act_on_complaint(user, row):
            return None
        return Item(kind, row.id, schedule._aware(row.due_at or now), row.customer, row.code, row.subject, row.assignee)
    if kind == "birthday":
        row = db.session.get(Customer, item_id)
        mine = row is not None and (row.team_id == user.team_id if is_lead(user) else row.owner_id == user.id)
        return Item("birthday", row.id, _birthday_due(now), row, "", row.name, row.owner) if mine else None
    return None


# ---- who may act ---------------------------------------------------------------
def _may_act_on_call(user, appointment: Appointment) -> bool:
    if is_lead(user):
        agent = db.session.get(User, appointment.agent_id) if appointment.agent_id else None
        return agent is not None and agent.team_id == user.team_id
    return appointment.agent_id == user.id


def _may_act_on_complaint(user, complaint: Complaint) -> bool:
    return complaint.team_id == user.team_id if is_lead(user) else complaint.assignee_id == user.id


def team_agents(user) -> list[User]:
    """The active agents a lead may hand items to (the lead included)."""
    if not is_lead(user):
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.team_id == user.team_id, User.active.is_(True), User.role.in_(access.roles_with("owns_customers"))
            )
            .order_by(User.name)
        )
    )


# ---- actions -----------------------------------------------------------------------
def complete_call(user, appointment_id: int, status: str, outcome: str | None, csat, *, now=None) -> Appointment:
    """Close a call of the user's queue as ``done`` / ``no_answer``: the outcome and satisfaction on the call,
    a line on the customer's timeline, and the CSAT in the survey scores. Nothing is written if it raises."""
    now = now or datetime.now(UTC)
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or not _may_act_on_call(user, appointment):
        raise NotAllowed()
    if status == "done" and not (outcome or "").strip():
        raise ValidationError({"outcome": [_l("Write what came out of the call.")]})
    call_outcomes.record_outcome(appointment, status, user, outcome=outcome, satisfaction=csat, now=now)
    return appointment


def reschedule(user, appointment_id: int, when: datetime | None) -> Appointment:
    """Move a planned call of the user's queue to ``when`` (quiet hours and the agent's other calls checked)."""
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or not _may_act_on_call(user, appointment):
        raise NotAllowed()
    if appointment.status != "planned":
        raise ValidationError({"starts_at": [_l("Only a planned call can be moved.")]})
    if when is None:
        raise ValidationError({"starts_at": [_l("Write the date and time as dd/mm/yyyy HH:MM.")]})
    before = appointment.starts_at
    appointment.starts_at = when
    with db.session.no_autoflush:
        schedule.validate_appointment(appointment)
    audit.record("update", appointment, changes={"starts_at": (before, when)}, user=user)
    return appointment


def reassign(user, keys: list[str], agent_id: int) -> int:
    """A lead hands items of the team's queue (``call-12``, ``sla-5``…) to an agent of the team; how many moved."""
    if not is_lead(user):
        raise NotAllowed()
    target = db.session.get(User, agent_id)
    if target is None or target.team_id != user.team_id or not target.active:
        raise ValidationError({"agent": [_l("Choose an agent of your team.")]})
    moved = 0
    for key in keys:
        kind, _, raw = key.partition("-")
        if not raw.isdigit():
            raise NotAllowed()
        if kind == "call":
            row = db.session.get(Appointment, int(raw))
            if row is None or not _may_act_on_call(user, row):
                raise NotAllowed()
            if row.agent_id != target.id:
                clash = schedule.clashing_call(target.id, row.starts_at, row.duration_minutes, row.id)
                if clash is not None and row.status == "planned":
                    raise ValidationError(
                        {"agent": [_l("%(name)s already has a call at that time.", name=target.name)]}
                    )
                audit.record("update", row, changes={"agent_id": (row.agent_id, target.id)}, user=user)
                row.agent_id = target.id
                moved += 1
        elif kind in ("sla", "waiting"):
            row = db.session.get(Complaint, int(raw))
            if row is None or not _may_act_on_complaint(user, row):
                raise NotAllowed()
            if row.assignee_id != target.id:
                audit.record("update", row, changes={"assignee_id": (row.assignee_id, target.id)}, user=user)
                row.assignee_id = target.id
                moved += 1
        else:
            raise NotAllowed()
    db.session.flush()
    return moved


def today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(local_tz()).date()
