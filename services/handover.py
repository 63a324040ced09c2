"""What a leaver's hand-over moves: the preview, the move itself (recorded row by row), the same-day undo.

``services.staff.hand_over`` checks who may hand over whom and calls ``move``; the preview and
the move read the same conditions (``WHAT_MOVES``), so the preview shows exactly what moves.
Gifts are not moved themselves: they follow their customer, and the preview lists the
scheduled ones so nobody forgets them.
"""

import json
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, literal, select, update

from models import Appointment, Complaint, Customer, Gift, Handover, User, db, utcnow
from services import access, audit
from services.errors import InvalidTransition, NotAllowed
from services.formatting import to_local

SAMPLE = 5
CHUNK = 500
KINDS = ("customers", "complaints", "appointments", "gifts")
LABELS = {
    "customers": _l("Customers"),
    "complaints": _l("Open complaints"),
    "appointments": _l("Future appointments"),
    "gifts": _l("Scheduled gifts (they follow their customer)"),
}


def _conditions(leaver: User, now: datetime) -> dict:
    return {
        "customers": (Customer, Customer.owner_id == leaver.id),
        "complaints": (
            Complaint,
            (Complaint.assignee_id == leaver.id) & Complaint.status.notin_(("resolved", "closed")),
        ),
        "appointments": (
            Appointment,
            (Appointment.agent_id == leaver.id) & (Appointment.status == "planned") & (Appointment.starts_at >= now),
        ),
        "gifts": (
            Gift,
            Gift.customer_id.in_(select(Customer.id).where(Customer.owner_id == leaver.id))
            & Gift.status.in_(("planned", "approved")),
        ),
    }


def candidates(leaver: User, session=None) -> list[User]:
    """Who may take over: active agents, leads and heads, the leaver's team first."""
    session = session or db.session
    same_team = case((User.team_id == leaver.team_id, 0), else_=1) if leaver.team_id else literal(1)
    return list(
        session.scalars(
            select(User)
            .where(User.active.is_(True), User.id != leaver.id, User.role.in_(access.roles_with("takes_over_work")))
            .order_by(same_team, User.name, User.id)
        )
    )


def preview(leaver: User, session=None, sample: int = SAMPLE) -> dict[str, tuple[int, list]]:
    """{kind: (how many move, the first ``sample`` of them)} — nothing is written."""
    session = session or db.session
    out = {}
    for kind, (model, condition) in _conditions(leaver, utcnow()).items():
        count = session.scalar(select(func.count()).select_from(model).where(condition)) or 0
        rows = list(session.scalars(select(model).where(condition).order_by(model.id).limit(sample))) if count else []
        out[kind] = (count, rows)
    return out


def _chunks(ids: list) -> list[list]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def move(leaver: User, successor: User, actor: User, session=None) -> tuple[dict[str, int], Handover]:
    """Give the leaver's work to ``successor`` and keep the list of what moved (the caller has checked
    who may do it); returns the counts and the kept record."""
    session = session or db.session
    conditions = _conditions(leaver, utcnow())
    customers = session.execute(select(Customer.id, Customer.team_id).where(conditions["customers"][1])).all()
    complaints = session.execute(select(Complaint.id, Complaint.team_id).where(conditions["complaints"][1])).all()
    appointments = session.scalars(select(Appointment.id).where(conditions["appointments"][1])).all()
    gifts = session.scalars(select(Gift.id).where(conditions["gifts"][1])).all()
    for chunk in _chunks([c.id for c in customers]):
        session.execute(
            update(Customer)
            .where(Customer.id.in_(chunk))
            .values(owner_id=successor.id, team_id=successor.team_id)
            .execution_options(synchronize_session=False)
        )
    for chunk in _chunks([c.id for c in complaints]):
        session.execute(
            update(Complaint)
            .where(Complaint.id.in_(chunk))
            .values(assignee_id=successor.id, team_id=successor.team_id)
            .execution_options(synchronize_session=False)
        )
    for chunk in _chunks(list(appointments)):
        session.execute(
            update(Appointment)
            .where(Appointment.id.in_(chunk))
            .values(agent_id=successor.id)
            .execution_options(synchronize_session=False)
        )
    moved = {
        "customers": [[c.id, c.team_id] for c in customers],
        "complaints": [[c.id, c.team_id] for c in complaints],
        "appointments": list(appointments),
        "gifts": list(gifts),
    }
    record = Handover(
        leaver_id=leaver.id, successor_id=successor.id, actor_id=getattr(actor, "id", None), moved=json.dumps(moved)
    )
    session.add(record)
    session.flush()
    return {kind: len(moved[kind]) for kind in KINDS}, record


def moved_of(record: Handover) -> dict:
    return json.loads(record.moved or "{}")


def moved_rows(record: Handover, session=None, limit: int = 200) -> dict[str, tuple[int, list]]:
    """{kind: (how many moved, the first ``limit`` rows as they are now)} for the result page."""
    session = session or db.session
    moved = moved_of(record)
    models = {"customers": Customer, "complaints": Complaint, "appointments": Appointment, "gifts": Gift}
    out = {}
    for kind in KINDS:
        ids = [item[0] if isinstance(item, list) else item for item in moved.get(kind, [])]
        shown = ids[:limit]
        model = models[kind]
        rows = list(session.scalars(select(model).where(model.id.in_(shown)).order_by(model.id))) if shown else []
        out[kind] = (len(ids), rows)
    return out


def _by_team(pairs) -> dict:
    grouped: dict = {}
    for row_id, team_id in pairs:
        grouped.setdefault(team_id, []).append(row_id)
    return grouped


def may_undo(record: Handover, now: datetime | None = None) -> bool:
    """Undo is for the day of the hand-over (company time zone), once."""
    if record.undone_at is not None:
        return False
    return to_local(record.at).date() == to_local(now or utcnow()).date()


def undo(record: Handover, actor: User, session=None) -> dict[str, int]:
    """Give back what is still with the successor, restore the teams, reactivate the leaver."""
    session = session or db.session
    leaver = session.get(User, record.leaver_id)
    if not access.allowed(actor, "staff", "handover") or not access.may_manage(actor, leaver):
        raise NotAllowed()
    if not may_undo(record):
        raise InvalidTransition(_l("A hand-over can be undone only on the day it was made, once."))
    moved = moved_of(record)
    counts = {"customers": 0, "complaints": 0, "appointments": 0}
    owners = ((Customer, Customer.owner_id, "customers"), (Complaint, Complaint.assignee_id, "complaints"))
    for model, owner, kind in owners:
        for team_id, ids in _by_team(moved.get(kind, [])).items():
            for chunk in _chunks(ids):
                counts[kind] += session.execute(
                    update(model)
                    .where(model.id.in_(chunk), owner == record.successor_id)
                    .values({owner.key: leaver.id, "team_id": team_id})
                    .execution_options(synchronize_session=False)
                ).rowcount
    for chunk in _chunks(list(moved.get("appointments", []))):
        counts["appointments"] += session.execute(
            update(Appointment)
            .where(Appointment.id.in_(chunk), Appointment.agent_id == record.successor_id)
            .values(agent_id=leaver.id)
            .execution_options(synchronize_session=False)
        ).rowcount
    leaver.active = True
    record.undone_at = utcnow()
    record.undone_by_id = actor.id
    audit.record("handover_undo", leaver, user=actor, changes=counts, session=session)
    return counts
