"""The non-additive KPIs of a period (backlog at its end, p90, share resolved, engagement, retention) at scale.

For a lead's or the head's scope, the figures of a *closed* window (``stop`` ≤ today) are
computed once and kept in ``KpiPeriodFigure``; a period still running is its closed part
(``[start, today)``, kept the same way) plus a bounded query over today's rows:

- retained = |P ∩ A| (kept) + customers active today, in P and not in A;
- engaged = |A_i| (kept) + customers with an interaction today and none in ``[start, today)``,

where P = customers active in the previous period, A = active in ``[start, today)``, A_i = with an
interaction in it. The per-customer checks are index probes on ``(customer_id, time)``.
The backlog now, the p90 and the share resolved of a running period stay live (one bounded
query each). An agent's "own" scope is not kept: always live. ``take_snapshot`` deletes the
kept windows that read a re-taken day.
"""

import json
from datetime import UTC, date, datetime

from sqlalchemy import and_, case, exists, func, not_, or_, select
from sqlalchemy.exc import IntegrityError

from models import Customer, Interaction, KpiPeriodFigure, Order, db
from services import kpis


def scope_key(user) -> str | None:
    scope = kpis.dashboard_scope(user)
    if scope == "all":
        return "all"
    if scope == "team" and user.team_id is not None:
        return f"team:{user.team_id}"
    return None


def _live_full(user, start: date, stop: date, first: date, now: datetime) -> dict:
    """Every figure of ``[start, stop)``, previous period from ``first``, straight from the live tables."""
    at = min(kpis.local_start(stop), now)
    _avg, p90 = kpis.resolve_hours(user, start, stop)
    return {
        "activity": kpis.activity_window(user, first, start, stop),
        "customers": kpis.customers_at(user, stop),
        "backlog_rows": [[*key, *values] for key, values in kpis.backlog_rows(user, at).items()],
        "p90": p90,
        "resolved_share": kpis.resolved_share(user, start, stop, at=at),
    }


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


def today_delta(user, first: date, start: date, end: date, day: date) -> dict[str, int]:
    """What the rows of ``[day, end)`` add to the kept activity of ``[start, day)``; one query."""
    lo, mid, t0, hi = (kpis.local_start(d) for d in (first, start, day, end))
    rows = kpis.activity_rows(user, t0, hi)
    today = select(rows.c.cid, func.max(rows.c.k).label("ki")).group_by(rows.c.cid).subquery()

    def active(a, b, interactions_only=False):
        said = exists().where(
            Interaction.customer_id == today.c.cid, Interaction.occurred_at >= a, Interaction.occurred_at < b
        )
        if interactions_only:
            return said
        ordered = exists().where(Order.customer_id == today.c.cid, Order.created_at >= a, Order.created_at < b)
        return or_(ordered, said)

    retained, engaged = db.session.execute(
        select(
            func.sum(case((and_(active(lo, mid), not_(active(mid, t0))), 1), else_=0)),
            func.sum(case((and_(today.c.ki == 1, not_(active(mid, t0, True))), 1), else_=0)),
        )
    ).one()
    created = db.session.scalar(
        select(func.count())
        .select_from(Customer)
        .where(kpis.row_scope(user, "customer"), Customer.created_at >= t0, Customer.created_at < hi)
    )
    return {"retained": int(retained or 0), "engaged": int(engaged or 0), "customers": int(created or 0)}


def figures(user, start: date, end: date, *, now: datetime | None = None, keep: bool = True) -> dict:
    """The non-additive figures of ``[start, end)``: ``activity`` (previous_active, retained, engaged),
    ``customers`` (existing at its end), ``backlog_rows`` ([team, agent, total, ≥1 d, ≥3 d, ≥7 d, past due]),
    ``p90`` and ``resolved_share``. ``keep=False`` computes everything live (the tests' reference)."""
    now = now or now_utc()
    day = now.astimezone(kpis.local_tz()).date()
    first = kpis.previous_period(start, end)[0]
    key = scope_key(user) if keep else None
    if key is None or start > day:
        return _live_full(user, start, end, first, now)
    if end <= day:
        return _kept(user, key, first, start, end, lambda: _live_full(user, start, end, first, now))
    part = _kept(user, key, first, start, day, lambda: _closed_window(user, first, start, day))
    add = today_delta(user, first, start, end, day)
    at = min(kpis.local_start(end), now)
    _avg, p90 = kpis.resolve_hours(user, start, end)
    activity = dict(part["activity"])
    activity["retained"] += add["retained"]
    activity["engaged"] += add["engaged"]
    return {
        "activity": activity,
        "customers": part["customers"] + add["customers"],
        "backlog_rows": [[*k, *v] for k, v in kpis.backlog_rows(user, at).items()],
        "p90": p90,
        "resolved_share": kpis.resolved_share(user, start, end, at=at),
    }


def _closed_window(user, first: date, start: date, stop: date) -> dict:
    return {"activity": kpis.activity_window(user, first, start, stop), "customers": kpis.customers_at(user, stop)}
