"""A customer's history for the 360 page, every section in ONE statement.

Seven sections (interactions, emotion notebook, complaints, orders, gifts, surveys, upcoming
appointments) were seven queries, each loading whole ORM rows with relationships the page never
shows (an order joined its customer, the customer's owner and team). Here each section is a
``SELECT`` of the few columns the page shows, with its own order, limit and the user's row scope
for that section's resource; the sections are one ``UNION ALL`` laid out on shared columns, and
come back as small read-only rows whose attributes are named as on the models.
"""

import copy
from collections import namedtuple
from datetime import datetime

from sqlalchemy import BigInteger, Integer, Text, bindparam, cast, func, literal, null, select, text, union_all
from sqlalchemy.engine.interfaces import BindTyping

from models import Appointment, Complaint, EmotionEntry, Gift, Interaction, Order, SurveyAnswer, User, db
from models.base import UTCDateTime
from services import access

SLOTS = (
    ("t1", UTCDateTime),
    ("t2", UTCDateTime),
    ("t3", UTCDateTime),
    ("s1", Text),
    ("s2", Text),
    ("s3", Text),
    ("s4", Text),
    ("s5", Text),
    ("n1", BigInteger),
    ("n2", BigInteger),
)
"""The shared columns: three times, five texts, two numbers (each section names its own)."""


def _null(type_, dialect: str):
    """A section's unused column: a typed NULL (PostgreSQL types an untyped one in a subquery as text),
    but a bare one for text on MariaDB (a cast NULL's collation does not mix with the columns')."""
    return null() if dialect in ("mysql", "mariadb") and type_ is Text else cast(null(), type_)


InteractionRow = namedtuple(
    "InteractionRow", "id occurred_at channel direction agent_name outcome summary duration_seconds"
)
EmotionRow = namedtuple("EmotionRow", "id created_at mood note next_care author_name")
GiftRow = namedtuple("GiftRow", "id occasion item status year value")
SurveyRow = namedtuple("SurveyRow", "id answered_at comment csat nps")
AppointmentRow = namedtuple("AppointmentRow", "id starts_at kind purpose agent_name")


class ComplaintRow(namedtuple("ComplaintRow", "id due_at resolved_at closed_at subject status priority satisfaction")):
    __slots__ = ()

    @property
    def code(self) -> str:
        return f"KN-{self.id:06d}"


class OrderRow(namedtuple("OrderRow", "id created_at status invoice_number total")):
    __slots__ = ()

    @property
    def code(self) -> str:
        return f"DH-{self.id:07d}"


SECTIONS = ("interaction", "emotion", "complaint", "order", "gift", "survey", "appointment")


def _sections(customer_id, now) -> dict:
    """resource -> (model, row type, {slot: column}, where, order, outer join to users or None)."""
    return {
        "interaction": (
            Interaction,
            InteractionRow,
            {
                "t1": Interaction.occurred_at,
                "s1": Interaction.channel,
                "s2": Interaction.direction,
                "s3": User.name,
                "s4": Interaction.outcome,
                "s5": Interaction.summary,
                "n1": Interaction.duration_seconds,
            },
            [Interaction.customer_id == customer_id],
            [Interaction.occurred_at.desc(), Interaction.id.desc()],
            Interaction.agent_id,
        ),
        "emotion": (
            EmotionEntry,
            EmotionRow,
            {
                "t1": EmotionEntry.created_at,
                "s1": EmotionEntry.mood,
                "s2": EmotionEntry.note,
                "s3": EmotionEntry.next_care,
                "s4": User.name,
            },
            [EmotionEntry.customer_id == customer_id],
            [EmotionEntry.created_at.desc(), EmotionEntry.id.desc()],
            EmotionEntry.author_id,
        ),
        "complaint": (
            Complaint,
            ComplaintRow,
            {
                "t1": Complaint.due_at,
                "t2": Complaint.resolved_at,
                "t3": Complaint.closed_at,
                "s1": Complaint.subject,
                "s2": Complaint.status,
                "s3": Complaint.priority,
                "n1": Complaint.satisfaction,
            },
            [Complaint.customer_id == customer_id],
            [Complaint.opened_at.desc(), Complaint.id.desc()],
            None,
        ),
        "order": (
            Order,
            OrderRow,
            {"t1": Order.created_at, "s1": Order.status, "s2": Order.invoice_number, "n1": Order.total},
            [Order.customer_id == customer_id],
            [Order.created_at.desc(), Order.id.desc()],
            None,
        ),
        "gift": (
            Gift,
            GiftRow,
            {"s1": Gift.occasion, "s2": Gift.item, "s3": Gift.status, "n1": Gift.year, "n2": Gift.value},
            [Gift.customer_id == customer_id],
            [Gift.year.desc(), Gift.id.desc()],
            None,
        ),
        "survey": (
            SurveyAnswer,
            SurveyRow,
            {
                "t1": SurveyAnswer.answered_at,
                "s1": SurveyAnswer.comment,
                "n1": SurveyAnswer.csat,
                "n2": SurveyAnswer.nps,
            },
            [SurveyAnswer.customer_id == customer_id],
            [SurveyAnswer.answered_at.desc(), SurveyAnswer.id.desc()],
            None,
        ),
        "appointment": (
            Appointment,
            AppointmentRow,
            {"t1": Appointment.starts_at, "s1": Appointment.kind, "s2": Appointment.purpose, "s3": User.name},
            [Appointment.customer_id == customer_id, Appointment.starts_at >= now, Appointment.status == "planned"],
            [Appointment.starts_at, Appointment.id],
            Appointment.agent_id,
        ),
    }


class _BoundUser:
    """A stand-in user for the row rules (services.access.ROW_RULES): its id and team are bound
    parameters, so one statement serves every user with the same scopes."""

    def __init__(self, has_team: bool):
        self.id = bindparam("scope_user_id", type_=Integer)
        self.team_id = bindparam("scope_team_id", type_=Integer) if has_team else None


_statements: dict[tuple, tuple] = {}
"""(dialect, sections and their scopes, limits, team or not) -> (text statement, its fixed parameters)."""


def _statement(plan: tuple, limits: tuple, has_team: bool):
    """The history statement of ``plan`` ((resource, scope name), ...), built and compiled once per process.

    SQLAlchemy would otherwise build seven subqueries and their cache key on every page (the costliest
    part of the page's CPU); here each page only binds the customer, the time and the user.
    """
    engine = db.engine
    key = (engine.dialect.name, plan, limits, has_team)
    if key in _statements:
        return _statements[key]
    sections = _sections(bindparam("customer_id", type_=BigInteger), bindparam("now", type_=UTCDateTime))
    stand_in = _BoundUser(has_team)
    branches = []
    for number, (resource, scope) in enumerate(plan):
        model, _row, slots, where, order, user_fk = sections[resource]
        columns = [literal(number).label("section"), model.id.label("id")]
        for slot, type_ in SLOTS:
            column = slots.get(slot)
            columns.append((column if column is not None else _null(type_, engine.dialect.name)).label(slot))
        columns.append(func.row_number().over(order_by=order).label("pos"))
        branch = select(*columns).select_from(model)
        if user_fk is not None:
            branch = branch.outerjoin(User, User.id == user_fk)
        if scope != "all":
            where = [*where, access.ROW_RULES[resource][scope](stand_in)]
        branch = branch.where(*where).order_by(*order)
        branches.append(select(branch.limit(dict(limits)[resource]).subquery()))
    union = union_all(*branches).subquery()
    compiled = select(union).order_by(union.c.section, union.c.pos).compile(dialect=_named_dialect(engine))
    fixed = {
        k: v for k, v in compiled.params.items() if k not in ("customer_id", "now", "scope_user_id", "scope_team_id")
    }
    statement = (
        text(str(compiled))
        .bindparams(bindparam("now", type_=UTCDateTime), bindparam("customer_id", type_=BigInteger))
        .columns(section=Integer, id=BigInteger, **dict(SLOTS), pos=BigInteger)
    )
    _statements[key] = (statement, fixed)
    return _statements[key]


def _named_dialect(engine):
    """The engine's dialect compiling ``:name`` placeholders (what ``text()`` reads)."""
    dialect = copy.copy(engine.dialect)
    dialect.paramstyle = "named"
    dialect.positional = False
    dialect.bind_typing = BindTyping.NONE  # no "::INTEGER" after a placeholder: text() would not see it
    dialect._bind_typing_render_casts = False
    return dialect


def customer_history(customer_id: int, user, limits: dict[str, int], now: datetime) -> dict[str, list | None]:
    """resource -> its rows (newest first; appointments soonest first), or None when the user's role may
    not see that resource; ``limits`` caps each section. One statement for all of them."""
    result: dict[str, list | None] = {r: None for r in SECTIONS if r in limits}
    plan = tuple((r, access.scope_name(user, r, "view")) for r in SECTIONS if r in limits)
    plan = tuple((r, scope) for r, scope in plan if scope is not None)
    if not plan:
        return result
    team = getattr(user, "team_id", None)
    statement, fixed = _statement(plan, tuple(sorted(limits.items())), team is not None)
    values = {**fixed, "customer_id": customer_id, "now": now, "scope_user_id": getattr(user, "id", None)}
    if team is not None:
        values["scope_team_id"] = team
    rows = db.session.execute(statement, values).all()
    wanted = [r for r, _scope in plan]
    for resource in wanted:
        result[resource] = []
    for section, row_id, *slots in (row[:-1] for row in rows):
        resource = wanted[section]
        kind, used = ROWS[resource]
        result[resource].append(kind(row_id, *(slots[i] for i in used)))
    return result


__all__ = ["customer_history"]


def _row_layout() -> dict:
    """resource -> (row type, positions of its slots among ``SLOTS``)."""
    sections = _sections(bindparam("customer_id"), bindparam("now"))
    names = [slot for slot, _type in SLOTS]
    return {r: (sections[r][1], [names.index(slot) for slot, _t in SLOTS if slot in sections[r][2]]) for r in sections}


ROWS = _row_layout()
