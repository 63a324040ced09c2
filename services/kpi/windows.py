"""The SQL of the built-in window figures: the open backlog, activity (retention, engagement), the
customers at the end of a period, and the requests of a period resolved by its end.

Each ``compute`` reads the live tables for a ``Span``; ``*_since`` functions give what the rows of
``[since, until)`` add to a running window (index probes per customer active since ``since``), so
the ``kpi_refresh`` job can keep the closed part and a request adds only the last minutes.
"""

from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, literal, not_, or_, select, union_all

from models import Complaint, Customer, Interaction, Order, db
from services.kpi.periods import local_start
from services.kpi.registry import Span
from services.kpi.scope import Owner, Scope

REQUEST = Owner(Complaint.team_id, Complaint.assignee_id)
"""A request counts for its team and its assignee."""
CUSTOMER = Owner(Customer.team_id, Customer.owner_id)
"""A customer's rows (answers, orders, interactions) count for the customer's team and owner."""

BACKLOG_FIELDS = ("total", "over1", "over3", "over7", "overdue")


def open_at(at: datetime) -> list[tuple]:
    """Requests open at ``at``, as three disjoint conditions whose union is "opened before ``at`` and
    neither resolved nor closed by then".

    The first (never resolved or closed) is read through the partial index of open requests
    (``ix_complaints_open``), so it costs the size of the backlog, not of the table; the others
    (resolved, or closed unresolved, only after ``at``) through the ``resolved_at`` and
    ``closed_at`` indexes, and are empty for ``at`` = now.
    """
    c = Complaint
    return [
        (c.resolved_at.is_(None), c.closed_at.is_(None), c.opened_at < at),
        (c.resolved_at >= at, or_(c.closed_at.is_(None), c.closed_at >= at), c.opened_at < at),
        (c.resolved_at.is_(None), c.closed_at >= at, c.opened_at < at),
    ]


def backlog(scope: Scope, span: Span) -> dict[tuple[int, int], dict[str, int]]:
    """Requests open at ``span.at`` per (team, assignee): total, aged ≥ 1, 3, 7 days, past due. One query."""
    c, at, day = Complaint, span.at, timedelta(days=1)

    def older(days):
        return func.sum(case((c.opened_at <= at - days * day, 1), else_=0))

    figures = (func.count(), older(1), older(3), older(7), func.sum(case((c.due_at < at, 1), else_=0)))
    parts = []
    for i, part in enumerate(open_at(at)):
        # the later parts group by ``column + 0``: an expression, so SQLite reads them through the
        # time indexes instead of walking the team index for the grouping
        team, agent = (c.team_id, c.assignee_id) if i == 0 else ((c.team_id + 0), (c.assignee_id + 0))
        parts.append(select(team, agent, *figures).where(*part, scope.clause(REQUEST)).group_by(team, agent))
    rows: dict[tuple[int, int], dict[str, int]] = {}
    for team, agent, *values in db.session.execute(union_all(*parts)):
        found = rows.setdefault((team or 0, agent or 0), dict.fromkeys(BACKLOG_FIELDS, 0))
        for name, n in zip(BACKLOG_FIELDS, values, strict=True):
            found[name] += int(n or 0)
    return rows


def resolved_by_end(scope: Scope, span: Span) -> dict[str, int]:
    """Requests opened in ``[start, stop)`` and of them those resolved before ``span.at``."""
    c = Complaint
    opened, resolved = db.session.execute(
        select(func.count(), func.sum(case((c.resolved_at < span.at, 1), else_=0))).where(
            c.opened_at >= local_start(span.start), c.opened_at < local_start(span.stop), scope.clause(REQUEST)
        )
    ).one()
    return {"opened": int(opened or 0), "resolved": int(resolved or 0)}


def activity_rows(scope: Scope, lo: datetime, hi: datetime):
    """(customer id ``cid``, time ``t``, 1 for an interaction / 0 for an order ``k``) in ``[lo, hi)``, in scope.

    Checked on the joined customer, so the planner walks the time index of the period's rows rather
    than listing a team's or an agent's customers first.
    """
    parts = []
    for model, when, kind in ((Order, Order.created_at, 0), (Interaction, Interaction.occurred_at, 1)):
        part = select(model.customer_id.label("cid"), when.label("t"), literal(kind).label("k")).where(
            when >= lo, when < hi
        )
        if scope.kind != "department":
            part = part.join(Customer, Customer.id == model.customer_id).where(scope.clause(CUSTOMER))
        parts.append(part)
    return union_all(*parts).subquery()


def activity(scope: Scope, span: Span) -> dict[str, int]:
    """Customers active (an order or an interaction) in the previous period ``[first, start)``
    (``previous_active``), of them also in ``[start, stop)`` (``retained``), and customers with an
    interaction in ``[start, stop)`` (``engaged``). One query, bounded by the two periods' rows."""
    mid = local_start(span.start)
    rows = activity_rows(scope, local_start(span.first), local_start(span.stop))
    per = (
        select(
            func.max(case((rows.c.t < mid, 1), else_=0)).label("before"),
            func.max(case((rows.c.t >= mid, 1), else_=0)).label("now"),
            func.max(case((and_(rows.c.t >= mid, rows.c.k == 1), 1), else_=0)).label("engaged"),
        )
        .group_by(rows.c.cid)
        .subquery()
    )
    before, kept, engaged = db.session.execute(
        select(
            func.sum(per.c.before),
            func.sum(case((and_(per.c.before == 1, per.c.now == 1), 1), else_=0)),
            func.sum(per.c.engaged),
        )
    ).one()
    return {"previous_active": int(before or 0), "retained": int(kept or 0), "engaged": int(engaged or 0)}


def activity_since(scope: Scope, span: Span, since: datetime, until: datetime) -> dict[str, int]:
    """What the rows of ``[since, until)`` add to the activity of ``[start, since)``: retained =
    customers active from ``since`` on, active in ``[first, start)`` and not yet in ``[start, since)``;
    engaged = with an interaction from ``since`` on and none in ``[start, since)``. One query."""
    lo, mid = local_start(span.first), local_start(span.start)
    rows = activity_rows(scope, since, until)
    fresh = select(rows.c.cid, func.max(rows.c.k).label("ki")).group_by(rows.c.cid).subquery()

    def active(a, b, interactions_only=False):
        said = exists().where(
            Interaction.customer_id == fresh.c.cid, Interaction.occurred_at >= a, Interaction.occurred_at < b
        )
        if interactions_only:
            return said
        ordered = exists().where(Order.customer_id == fresh.c.cid, Order.created_at >= a, Order.created_at < b)
        return or_(ordered, said)

    retained, engaged = db.session.execute(
        select(
            func.sum(case((and_(active(lo, mid), not_(active(mid, since))), 1), else_=0)),
            func.sum(case((and_(fresh.c.ki == 1, not_(active(mid, since, True))), 1), else_=0)),
        )
    ).one()
    return {"previous_active": 0, "retained": int(retained or 0), "engaged": int(engaged or 0)}


def _customers(scope: Scope, lo: datetime | None, hi: datetime) -> int:
    query = select(func.count()).select_from(Customer).where(scope.clause(CUSTOMER), Customer.created_at < hi)
    if lo is not None:
        query = query.where(Customer.created_at >= lo)
    return int(db.session.scalar(query) or 0)


def customers(scope: Scope, span: Span) -> dict[str, int]:
    """Customers in scope created before the end of the period."""
    return {"count": _customers(scope, None, local_start(span.stop))}


def customers_since(scope: Scope, span: Span, since: datetime, until: datetime) -> dict[str, int]:
    return {"count": _customers(scope, since, until)}
