"""What waits for one user's decision: submitted budgets, policies and campaigns, planned gifts.

A view over the rules that already exist, never a second copy of them: a row is listed when
``services.access`` lets the user "approve" it (the lead's gift scope is the team allowance),
it is in the status its service decides from, and the four-eyes rule of
``services.approvals`` does not bar the user. Every decision goes through that kind's own
service (``budgets.decide``, ``policies.decide`` + ``publish``, ``campaigns.decide``,
``gifts.approve_gift`` / ``reject_gift``), which checks everything again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import selectinload

from models import Budget, Campaign, Gift, Policy, Team, db
from services import access, approvals, budgets, campaigns, gifts, policies
from services.errors import NotAllowed

AUTHOR_COLUMNS = ("submitted_by_id", "author_id", "created_by_id")
"""The columns ``approvals.authored_by`` reads; a test keeps the two in step."""
LIMIT = 100
"""Rows shown at once, oldest first; the page says how many more wait."""


def _gift_decide(gift, user, approve, comment):
    (gifts.approve_gift if approve else gifts.reject_gift)(gift, user, comment)


@dataclass(frozen=True)
class Kind:
    name: str
    model: type
    resource: str
    waiting: tuple[str, ...]
    decide: Callable
    """decide(row, user, approve, comment): the kind's own service."""


KINDS = {
    "budget": Kind("budget", Budget, "budget", ("submitted",), budgets.decide),
    "policy": Kind("policy", Policy, "policy", ("submitted",), policies.decide),
    "campaign": Kind("campaign", Campaign, "campaign", ("submitted",), campaigns.decide),
    "gift": Kind("gift", Gift, "gift", ("planned",), _gift_decide),
}


@dataclass
class Item:
    """One row of the inbox, with what a person needs to decide it."""

    kind: str
    row: object
    waiting_since: datetime | None
    requester: object | None
    amount: int | None = None
    remaining: int | None = None
    """VND left on the budget line the row spends from (gifts, campaigns)."""
    allowance: int | None = None
    """The team's gift allowance (gifts of a team's customer)."""
    over_allowance: bool = False
    may_publish: bool = False


def _not_authored(model, user):
    columns = [getattr(model, name) for name in AUTHOR_COLUMNS if hasattr(model, name)]
    return and_(*(or_(column.is_(None), column != user.id) for column in columns))


def _waiting_clause(kind: Kind, user):
    return and_(
        kind.model.status.in_(kind.waiting),
        access.scope_clause(user, kind.resource, "approve"),
        _not_authored(kind.model, user),
    )


def _since(model):
    return func.coalesce(model.submitted_at, model.created_at)


def deciding_kinds(user) -> list[Kind]:
    """The kinds ``user`` may decide at all (none for agents and the administrator)."""
    return [kind for kind in KINDS.values() if access.allowed(user, kind.resource, "approve")]


_COUNT_STATEMENTS: dict[tuple, object] = {}
"""The count's statement per (user id, role, team): the navbar asks it on every page of a lead or head,
and building it (four scope clauses) cost more CPU than running it (about 0.5 of the 4 ms of a small
details page on SQLite); a row rule reads nothing of the user but these three."""
_COUNT_STATEMENTS_MAX = 4096


def _count_statement(user, kinds):
    key = (user.id, access.role_of(user), user.team_id)
    statement = _COUNT_STATEMENTS.get(key)
    if statement is None:
        total = literal(0)
        for kind in kinds:
            total = total + (
                select(func.count()).select_from(kind.model).where(_waiting_clause(kind, user)).scalar_subquery()
            )
        statement = select(total.label("approvals_waiting"))
        if len(_COUNT_STATEMENTS) >= _COUNT_STATEMENTS_MAX:
            _COUNT_STATEMENTS.clear()
        _COUNT_STATEMENTS[key] = statement
    return statement


def count_waiting(user, session=None) -> int | None:
    """How many rows wait for ``user``, in one query; None when the user decides nothing."""
    kinds = deciding_kinds(user)
    if not kinds:
        return None
    session = session or db.session
    return int(session.scalar(_count_statement(user, kinds)) or 0)


def waiting(user, limit: int = LIMIT, session=None) -> list[Item]:
    """The oldest ``limit`` rows waiting for ``user``'s decision, every kind together."""
    session = session or db.session
    items: list[Item] = []
    for kind in deciding_kinds(user):
        query = (
            select(kind.model)
            .where(_waiting_clause(kind, user))
            .order_by(_since(kind.model), kind.model.id)
            .limit(limit)
        )
        if kind.model is Budget:
            query = query.options(selectinload(Budget.lines), selectinload(Budget.team))
        elif kind.model in (Gift, Campaign):
            query = query.options(selectinload(kind.model.budget_line))
        rows = [row for row in session.scalars(query).unique() if not approvals.authored_by(row, user)]
        items.extend(_describe(kind, rows, user, session))
    items.sort(key=lambda item: (_sortable(item.waiting_since), item.kind, item.row.id))
    return items[:limit]


def _sortable(value: datetime | None):
    return value.replace(tzinfo=None) if value is not None else datetime.max


def _describe(kind: Kind, rows, user, session) -> list[Item]:
    if kind.model is Gift:
        return _gift_items(rows, user, session)
    items = []
    may_publish = kind.model is Policy and access.allowed(user, "policy", "publish")
    for row in rows:
        item = Item(kind.name, row, row.submitted_at or row.created_at, _requester(row, session))
        if kind.model is Budget:
            item.amount = sum(line.planned or 0 for line in row.lines)
        elif kind.model is Campaign:
            item.amount = row.gift_value or None
            item.remaining = budgets.remaining(row.budget_line) if row.budget_line else None
        elif kind.model is Policy:
            item.may_publish = may_publish and bool(row.channels)
        items.append(item)
    return items


def _requester(row, session):
    if row.submitted_by is not None:
        return row.submitted_by
    for name in ("author", "created_by"):
        person = getattr(row, name, None)
        if person is not None:
            return person
    return None


def _gift_items(rows, user, session) -> list[Item]:
    team_ids = {row.customer.team_id for row in rows if row.customer is not None and row.customer.team_id}
    allowances = (
        dict(session.execute(select(Team.id, Team.gift_allowance).where(Team.id.in_(team_ids))).all())
        if team_ids
        else {}
    )
    items = []
    for row in rows:
        team_id = row.customer.team_id if row.customer is not None else None
        allowance = allowances.get(team_id) if team_id else None
        items.append(
            Item(
                "gift",
                row,
                row.submitted_at or row.created_at,
                row.submitted_by,
                amount=row.value or 0,
                remaining=budgets.remaining(row.budget_line) if row.budget_line else None,
                allowance=allowance,
                over_allowance=(row.value or 0) > (allowance or 0),
            )
        )
    return items


def load(kind_name: str, row_id, session=None):
    """The row ``kind_name``/``row_id``, or NotAllowed for an unknown kind or a missing row."""
    session = session or db.session
    kind = KINDS.get(kind_name)
    try:
        key = int(row_id)
    except (TypeError, ValueError):
        key = None
    row = session.get(kind.model, key) if kind and key is not None else None
    if row is None:
        raise NotAllowed()
    return kind, row


def decide(kind_name: str, row_id, user, approve: bool, comment: str | None = None, publish: bool = False):
    """Approve or reject one row through its own service; with ``publish`` an approved policy is
    also published in the same transaction (the caller commits, or rolls back on any error)."""
    kind, row = load(kind_name, row_id)
    comment = (comment or "").strip()[:2000] or None
    kind.decide(row, user, approve, comment)
    if publish and approve:
        if kind.model is not Policy:
            raise NotAllowed()
        policies.publish(row, user)
    return row
