"""The non-additive KPIs of a period (backlog at its end, share resolved, engagement, retention) at scale.

For every scope (the department, a team, an agent), the figures of a *closed* window (``stop`` ≤
today) are computed once and kept in ``KpiPeriodFigure``; a period still running is its closed part
(``[start, today)``, kept the same way) plus what today's rows add:

- retained = |P ∩ A| (kept) + customers active today, in P and not in A;
- engaged = |A_i| (kept) + customers with an interaction today and none in ``[start, today)``,

where P = customers active in the previous period, A = active in ``[start, today)``, A_i = with an
interaction in it. The per-customer checks are index probes on ``(customer_id, time)``. Every ten
minutes the ``kpi_refresh`` job (``refresh``) keeps today's part up to that instant in
``KpiRunningFigure``, so a request probes only the customers active since then (a row dated before
the last refresh but saved after it shows at the next one). The backlog now and the share resolved
of a running period stay live (one bounded query each). Scopes: ``all``, ``team:<id>``,
``agent:<id>``. ``take_snapshot`` deletes the kept windows that read a re-taken day.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import and_, case, delete, exists, func, not_, or_, select
from sqlalchemy.exc import IntegrityError

from models import Customer, Interaction, KpiPeriodFigure, KpiRunningFigure, Order, Team, User, db
from services import kpis


def scope_key(user) -> str | None:
    scope = kpis.dashboard_scope(user)
    if scope == "all":
        return "all"
    if scope == "team" and user.team_id is not None:
        return f"team:{user.team_id}"
    if scope == "own":
        return f"agent:{user.id}"
    return None


@dataclass(frozen=True)
class ScopeUser:
    """Whom the ``kpi_refresh`` job computes figures for: the department (head), a team (lead), an agent."""

    role: str
    team_id: int | None = None
    id: int = 0
    is_authenticated: bool = True
    is_active: bool = True


def scope_users() -> list[ScopeUser]:
    """The department, every team and every active agent: the scopes whose running figures are kept."""
    teams = [ScopeUser("lead", team_id) for team_id in db.session.scalars(select(Team.id).order_by(Team.id))]
    agents = db.session.execute(
        select(User.id, User.team_id).where(User.role == "agent", User.active.is_(True)).order_by(User.id)
    )
    return [ScopeUser("head"), *teams, *(ScopeUser("agent", team_id, agent_id) for agent_id, team_id in agents)]


def _live_full(user, start: date, stop: date, first: date, now: datetime) -> dict:
    """Every figure of ``[start, stop)``, previous period from ``first``, straight from the live tables."""
    at = min(kpis.local_start(stop), now)
    figures = {
        "activity": kpis.activity_window(user, first, start, stop),
        "customers": kpis.customers_at(user, stop),
        "backlog_rows": [[*key, *values] for key, values in kpis.backlog_rows(user, at).items()],
        "resolved_share": kpis.resolved_share(user, start, stop, at=at),
    }
    if kpis.local_start(stop) <= now:  # closed: its p90 is kept with the rest
        figures["p90"] = kpis.resolve_hours(user, start, stop)[1]
    return figures


def _kept(user, key: str, first: date, start: date, stop: date, compute) -> dict:
    """The kept figures of a window, computed and stored when missing."""
    f = KpiPeriodFigure
    found = db.session.scalar(
        select(f.figures).where(f.first == first, f.start == start, f.stop == stop, f.scope_key == key)
    )
    if found is not None:
        return json.loads(found)
    figures = compute()
    try:
        with db.session.begin_nested():
            db.session.add(
                f(
                    first=first,
                    start=start,
                    stop=stop,
                    scope_key=key,
                    figures=json.dumps(figures),
                    computed_at=now_utc(),
                )
            )
    except IntegrityError:  # another request kept the same window meanwhile: same figures
        pass
    return figures


def now_utc() -> datetime:
    return datetime.now(UTC)


def since_delta(user, first: date, start: date, since: datetime, until: datetime) -> dict[str, int]:
    """What the rows of ``[since, until)`` add to the activity of ``[start, since)``; two queries.

    Retained: customers active from ``since`` on, active in the previous period ``[first, start)``
    and not yet in ``[start, since)``; engaged: with an interaction from ``since`` on and none in
    ``[start, since)``; customers: created from ``since`` on. Each check is an index probe per
    customer active since ``since``: all of today's at midnight, a few minutes' worth after a
    ``refresh``.
    """
    lo, mid = kpis.local_start(first), kpis.local_start(start)
    rows = kpis.activity_rows(user, since, until)
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
    created = db.session.scalar(
        select(func.count())
        .select_from(Customer)
        .where(kpis.row_scope(user, "customer"), Customer.created_at >= since, Customer.created_at < until)
    )
    return {"retained": int(retained or 0), "engaged": int(engaged or 0), "customers": int(created or 0)}


def running_base(key: str, first: date, start: date, day: date, now: datetime) -> tuple[datetime, dict[str, int]]:
    """(cut, what the rows of ``[day's midnight, cut)`` add) from the last ``refresh``, or (midnight, zeros)."""
    f = KpiRunningFigure
    row = db.session.execute(
        select(f.cut_at, f.retained, f.engaged, f.customers).where(
            f.first == first, f.start == start, f.day == day, f.scope_key == key
        )
    ).first()
    if row is None or row.cut_at > now:
        return kpis.local_start(day), {"retained": 0, "engaged": 0, "customers": 0}
    return row.cut_at, {"retained": row.retained, "engaged": row.engaged, "customers": row.customers}


def refresh(user, start: date, end: date, now: datetime | None = None) -> bool:
    """Keep the figures of a running period for ``user``'s scope: its closed part (``KpiPeriodFigure``)
    and what today's rows up to ``now`` add (``KpiRunningFigure``), so the next dashboard requests
    only read the rows since ``now``. False when the period is not running or the scope not kept."""
    now = now or now_utc()
    day = now.astimezone(kpis.local_tz()).date()
    key = scope_key(user)
    if key is None or not start <= day < end:
        return False
    first = kpis.previous_period(start, end)[0]
    _kept(user, key, first, start, day, lambda: _closed_window(user, first, start, day))
    add = since_delta(user, first, start, kpis.local_start(day), now)
    f = KpiRunningFigure
    row = db.session.scalar(select(f).where(f.first == first, f.start == start, f.day == day, f.scope_key == key))
    if row is None:
        row = f(first=first, start=start, day=day, scope_key=key)
        db.session.add(row)
    row.cut_at, row.retained, row.engaged, row.customers = now, add["retained"], add["engaged"], add["customers"]
    db.session.execute(delete(f).where(f.day < day))
    db.session.flush()
    return True


def figures(user, start: date, end: date, *, now: datetime | None = None, keep: bool = True) -> dict:
    """The non-additive figures of ``[start, end)``: ``activity`` (previous_active, retained, engaged),
    ``customers`` (existing at its end), ``backlog_rows`` ([team, agent, total, ≥1 d, ≥3 d, ≥7 d, past due]),
    ``resolved_share`` and, for a closed window, ``p90`` (kept with the rest; a running period's p90
    comes from its counts' durations). ``keep=False`` computes everything live (the tests' reference)."""
    now = now or now_utc()
    day = now.astimezone(kpis.local_tz()).date()
    first = kpis.previous_period(start, end)[0]
    key = scope_key(user) if keep else None
    if key is None or start > day:
        return _live_full(user, start, end, first, now)
    if end <= day:
        return _kept(user, key, first, start, end, lambda: _live_full(user, start, end, first, now))
    part = _kept(user, key, first, start, day, lambda: _closed_window(user, first, start, day))
    since, base = running_base(key, first, start, day, now)
    add = since_delta(user, first, start, since, kpis.local_start(end))
    add = {name: base[name] + add[name] for name in add}
    at = min(kpis.local_start(end), now)
    activity = dict(part["activity"])
    activity["retained"] += add["retained"]
    activity["engaged"] += add["engaged"]
    return {
        "activity": activity,
        "customers": part["customers"] + add["customers"],
        "backlog_rows": [[*k, *v] for k, v in kpis.backlog_rows(user, at).items()],
        "resolved_share": kpis.resolved_share(user, start, end, at=at),
    }


def _closed_window(user, first: date, start: date, stop: date) -> dict:
    return {"activity": kpis.activity_window(user, first, start, stop), "customers": kpis.customers_at(user, stop)}
