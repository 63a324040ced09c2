"""The KPIs the head reads (seeds 000 and 004), as plain functions over a period and a user's rows.

A period is ``[start, end)`` in local calendar dates (Asia/Ho_Chi_Minh). Every figure counts only
the rows the user's dashboard scope allows (``services.access.MATRIX["dashboard"]``: an agent their
own rows, a lead the team's, the head all), through the same row rules as the screens, with one
narrowing (``FIGURE_RULES``): an agent's figures count the requests *assigned* to them, not also
those of their customers handled by a colleague, so "my figures" are the agent's row in the head's
per-agent table and come from the same snapshot rows. Additive counts (complaints opened/resolved,
survey answers, orders) come from the daily snapshots for days already taken plus live rows for the
rest (``counts``); the others (backlog, 90th percentile, engagement, retention, budget) are live
queries. docs/kpis.md gives each formula.
"""

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, delete, false, func, literal, or_, select, true, union_all

from models import (
    Budget,
    BudgetLine,
    Complaint,
    Customer,
    EmotionEntry,
    Interaction,
    KpiDailySnapshot,
    KpiPeriodFigure,
    KpiSnapshotDay,
    Order,
    SurveyAnswer,
    db,
)
from services import access
from services.formatting import local_tz

Key = tuple[int, int]
"""(team id or 0, agent id or 0): the finest grain of the additive counts."""


# ---- periods ---------------------------------------------------------------
def local_start(day: date) -> datetime:
    """The instant a local calendar day begins, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=local_tz())


def today() -> date:
    return datetime.now(local_tz()).date()


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before ``[start, end)``."""
    return start - (end - start), start


def month_period(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


def quarter_period(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * q - 2, 1)
    return start, (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1))


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


# ---- scope -----------------------------------------------------------------
def dashboard_scope(user) -> str | None:
    """ "own", "team", "all" or None (the administrator has no customer figures)."""
    return access.scope_name(user, "dashboard", "view")


FIGURE_RULES = {"complaint": {"own": lambda u: Complaint.assignee_id == u.id}}
"""Where a figure's rows are narrower than the screen's (an agent's requests: assigned to them)."""


def row_scope(user, resource: str):
    """SQL condition: the rows of ``resource`` that count in ``user``'s figures."""
    scope = dashboard_scope(user)
    if scope is None:
        return false()
    if scope == "all":
        return true()
    rule = FIGURE_RULES.get(resource, {}).get(scope) or access.ROW_RULES[resource][scope]
    return rule(user)


def by_customer(user, column):
    """Rows whose customer (``column``; the query joins ``Customer``) counts in ``user``'s figures.

    A condition on the joined customer (its team, or its owner for an agent), so the planner walks
    the time index of the period's rows and checks each one's customer, rather than listing an
    agent's or a team's customers first (tens of thousands at a million customers).
    """
    return row_scope(user, "customer")


# ---- additive counts ---------------------------------------------------------
@dataclass
class Counts:
    """Additive counts of a period; every derived KPI below is a ratio of these.

    ``durations`` (whole seconds from opening to resolution of the requests resolved) adds up
    by concatenation: the 90th percentile of any period is read from the days' lists. Lists read
    from snapshots stay text (``duration_texts``) until a percentile asks for them.
    """

    opened: int = 0
    resolved: int = 0
    resolved_fcr: int = 0
    resolved_late: int = 0
    resolve_seconds: int = 0
    nps_answers: int = 0
    promoters: int = 0
    detractors: int = 0
    csat_answers: int = 0
    csat_sum: int = 0
    csat_satisfied: int = 0
    orders: int = 0
    durations: list[int] = field(default_factory=list, compare=False)
    duration_texts: list[str] = field(default_factory=list, compare=False)
    moods: dict[str, int] = field(default_factory=dict, compare=False)
    """Emotion-notebook entries by mood (for the customer's team and the entry's author)."""

    def add(self, other: "Counts") -> "Counts":
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.durations.extend(other.durations)
        self.duration_texts.extend(other.duration_texts)
        for mood, n in other.moods.items():
            self.moods[mood] = self.moods.get(mood, 0) + n
        return self

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_FIELDS}

    def sorted_durations(self) -> list[int]:
        stored = " ".join(self.duration_texts).split()
        return sorted([*self.durations, *map(int, stored)])


COUNT_FIELDS = [f.name for f in fields(Counts) if f.name not in ("durations", "duration_texts", "moods")]


def _key(team, agent) -> Key:
    return (team or 0, agent or 0)


def _n(value) -> int:
    return int(value or 0)


def live_counts(start_at: datetime, end_at: datetime, user=None) -> dict[Key, Counts]:
    """Counts per (team, agent) of events in ``[start_at, end_at)`` from the live tables.

    Complaints count for their team and assignee; survey answers and orders for their
    customer's team and owner; emotion entries for their customer's team and their author.
    ``user=None`` counts every row (the snapshot job). Survey answers, orders and emotion entries
    are scoped through their joined customer (``by_customer``, ``emotion_scope``).
    """
    scope = (lambda r: true()) if user is None else (lambda r: row_scope(user, r))
    customer_scope = (lambda col: true()) if user is None else (lambda col: by_customer(user, col))
    out: dict[Key, Counts] = defaultdict(Counts)
    c = Complaint
    opened = (
        select(c.team_id, c.assignee_id, func.count())
        .where(c.opened_at >= start_at, c.opened_at < end_at, scope("complaint"))
        .group_by(c.team_id, c.assignee_id)
    )
    for team, agent, n in db.session.execute(opened):
        out[_key(team, agent)].opened += n
    resolved = select(c.team_id, c.assignee_id, c.opened_at, c.resolved_at, c.due_at, c.first_contact_resolved).where(
        c.resolved_at >= start_at, c.resolved_at < end_at, scope("complaint")
    )
    for team, agent, opened_at, resolved_at, due_at, fcr in db.session.execute(resolved):
        row = out[_key(team, agent)]
        row.resolved += 1
        row.resolved_fcr += 1 if fcr else 0
        row.resolved_late += 1 if due_at is not None and resolved_at > due_at else 0
        seconds = max(0, int((resolved_at - opened_at).total_seconds()))
        row.resolve_seconds += seconds
        row.durations.append(seconds)
    s = SurveyAnswer
    surveys = (
        select(
            Customer.team_id,
            Customer.owner_id,
            func.count(s.nps),
            func.sum(case((s.nps >= 9, 1), else_=0)),
            func.sum(case((s.nps <= 6, 1), else_=0)),
            func.count(s.csat),
            func.sum(s.csat),
            func.sum(case((s.csat >= 4, 1), else_=0)),
        )
        .select_from(s)
        .join(Customer, Customer.id == s.customer_id)
        .where(s.answered_at >= start_at, s.answered_at < end_at, customer_scope(s.customer_id))
        .group_by(Customer.team_id, Customer.owner_id)
    )
    for team, agent, nps_n, prom, detr, csat_n, csat_sum, sat in db.session.execute(surveys):
        row = out[_key(team, agent)]
        row.nps_answers += _n(nps_n)
        row.promoters += _n(prom)
        row.detractors += _n(detr)
        row.csat_answers += _n(csat_n)
        row.csat_sum += _n(csat_sum)
        row.csat_satisfied += _n(sat)
    orders = (
        select(Customer.team_id, Customer.owner_id, func.count())
        .select_from(Order)
        .join(Customer, Customer.id == Order.customer_id)
        .where(Order.created_at >= start_at, Order.created_at < end_at, customer_scope(Order.customer_id))
        .group_by(Customer.team_id, Customer.owner_id)
    )
    for team, agent, n in db.session.execute(orders):
        out[_key(team, agent)].orders += n
    e = EmotionEntry
    moods = (
        select(Customer.team_id, e.author_id, e.mood, func.count())
        .select_from(e)
        .join(Customer, Customer.id == e.customer_id)
        .where(e.created_at >= start_at, e.created_at < end_at, true() if user is None else emotion_scope(user))
        .group_by(Customer.team_id, e.author_id, e.mood)
    )
    for team, author, mood, n in db.session.execute(moods):
        row = out[_key(team, author)]
        row.moods[mood] = row.moods.get(mood, 0) + n
    return dict(out)


def emotion_scope(user):
    """Emotion entries in ``user``'s figures, on a query joining ``Customer``: the author's own, the
    customer's team, all (``ROW_RULES["emotion"]`` checked on the joined customer)."""
    scope = dashboard_scope(user)
    if scope == "own":
        return EmotionEntry.author_id == user.id
    return row_scope(user, "customer") if scope == "team" else row_scope(user, "emotion")


def take_snapshot(day: date) -> int:
    """Store the counts of local ``day`` for every (team, agent); re-running replaces them.

    Idempotent: the day's rows are deleted and written again in the caller's transaction
    (the caller commits). Returns the number of rows written.
    """
    rows = live_counts(local_start(day), local_start(day + timedelta(days=1)))
    db.session.execute(delete(KpiDailySnapshot).where(KpiDailySnapshot.day == day))
    db.session.execute(delete(KpiPeriodFigure).where(KpiPeriodFigure.first <= day, KpiPeriodFigure.stop > day))
    for (team, agent), c in rows.items():
        durations = " ".join(map(str, c.sorted_durations()))
        moods = json.dumps(c.moods, sort_keys=True) if c.moods else None
        db.session.add(
            KpiDailySnapshot(day=day, team_key=team, agent_key=agent, durations=durations, moods=moods, **c.as_dict())
        )
    marker = db.session.get(KpiSnapshotDay, day)
    if marker is None:
        db.session.add(KpiSnapshotDay(day=day, taken_at=datetime.now(UTC)))
    else:
        marker.taken_at = datetime.now(UTC)
    db.session.flush()
    return len(rows)


def _snapshot_scope(user):
    """The snapshot rows of ``user``'s figures: all, the team's (``team_key``) or the agent's (``agent_key``:
    requests assigned to them, answers and orders of customers they own)."""
    scope = dashboard_scope(user)
    if scope == "all":
        return true()
    if scope == "team" and user.team_id is not None:
        return KpiDailySnapshot.team_key == user.team_id
    if scope == "own":
        return KpiDailySnapshot.agent_key == user.id
    return false()


def snapshot_counts(first: date, stop: date, user) -> dict[Key, Counts]:
    """Sum of the stored rows of days ``[first, stop)`` in ``user``'s scope (one row per day and key)."""
    s = KpiDailySnapshot
    query = select(s.team_key, s.agent_key, s.durations, s.moods, *(getattr(s, name) for name in COUNT_FIELDS)).where(
        s.day >= first, s.day < stop, _snapshot_scope(user)
    )
    sums: dict[Key, list[int]] = {}
    texts: dict[Key, list[str]] = defaultdict(list)
    moods: dict[Key, dict[str, int]] = defaultdict(dict)
    for team, agent, durations, day_moods, *values in db.session.execute(query):
        row = sums.setdefault((team, agent), [0] * len(COUNT_FIELDS))
        for i, v in enumerate(values):
            row[i] += v or 0
        if durations:
            texts[team, agent].append(durations)
        for mood, n in json.loads(day_moods or "{}").items():
            moods[team, agent][mood] = moods[team, agent].get(mood, 0) + n
    return {
        key: Counts(**dict(zip(COUNT_FIELDS, row, strict=True)), duration_texts=texts[key], moods=moods[key])
        for key, row in sums.items()
    }


def _runs(start: date, end: date, covered: set[date]) -> list[tuple[bool, date, date]]:
    """``[start, end)`` cut into maximal runs of covered / not covered days."""
    runs: list[tuple[bool, date, date]] = []
    day = start
    while day < end:
        flag = day in covered
        if runs and runs[-1][0] == flag:
            runs[-1] = (flag, runs[-1][1], day + timedelta(days=1))
        else:
            runs.append((flag, day, day + timedelta(days=1)))
        day += timedelta(days=1)
    return runs


def covered_days(user, start: date, end: date, *, snapshots: bool = True, now: date | None = None) -> set[date]:
    """Days of ``[start, end)`` that ``user``'s figures read from snapshots: taken and before today."""
    if not snapshots or dashboard_scope(user) is None:
        return set()
    last = min(end, now or today())
    return set(
        db.session.scalars(select(KpiSnapshotDay.day).where(KpiSnapshotDay.day >= start, KpiSnapshotDay.day < last))
    )


def counts(user, start: date, end: date, *, snapshots: bool = True, now: date | None = None) -> dict[Key, Counts]:
    """Counts per (team, agent) over ``[start, end)``: stored days from snapshots, the rest live.

    A day counts as stored when it was snapshotted and is before today (``covered_days``).
    Queries: 1 for the covered days, 1 per stored run, 3 per live run (complaints, surveys, orders).
    """
    if dashboard_scope(user) is None:
        return {}
    covered = covered_days(user, start, end, snapshots=snapshots, now=now)
    total: dict[Key, Counts] = defaultdict(Counts)
    for stored, first, stop in _runs(start, end, covered):
        part = (
            snapshot_counts(first, stop, user) if stored else live_counts(local_start(first), local_start(stop), user)
        )
        for key, c in part.items():
            total[key].add(c)
    return dict(total)


def monthly_counts(user, start: date, end: date, *, now: date | None = None) -> dict[date, Counts]:
    """Totals per calendar month of ``[start, end)`` (``start`` a month's first day), keyed by that day.

    Stored days: one query grouped by day; the other days: ``live_totals`` (3 queries), so the
    opened, resolved and NPS counts are complete (the trend's figures), not the others.
    """
    out: dict[date, Counts] = defaultdict(Counts)
    if dashboard_scope(user) is None:
        return {}
    covered = covered_days(user, start, end, now=now)
    if covered:
        s = KpiDailySnapshot
        query = (
            select(s.day, *(func.sum(getattr(s, name)) for name in COUNT_FIELDS))
            .where(s.day >= min(covered), s.day <= max(covered), _snapshot_scope(user))
            .group_by(s.day)
        )
        for day, *values in db.session.execute(query):
            if day in covered:
                out[day.replace(day=1)].add(Counts(**{n: _n(v) for n, v in zip(COUNT_FIELDS, values, strict=True)}))
    live = [(local_start(a), local_start(b)) for stored, a, b in _runs(start, end, covered) if not stored]
    if live:
        months, day = [], start.replace(day=1)
        while day < end:
            months.append(day)
            day = month_period(day)[1]
        for month, c in zip(months, live_totals(user, live, [local_start(m) for m in months[1:]]), strict=True):
            out[month].add(c)
    return dict(out)


def live_totals(user, ranges: list[tuple[datetime, datetime]], cuts: list[datetime]) -> list[Counts]:
    """Opened, resolved and NPS counts of the events in ``ranges``, split at the instants ``cuts``.

    Returns ``len(cuts) + 1`` Counts (only opened, resolved, nps_answers, promoters, detractors
    are filled): 3 queries whatever the number of ranges and pieces, each grouped by a CASE
    on the event time (portable to every database).
    """

    def piece(column):
        return case(*((column < cut, i) for i, cut in enumerate(cuts)), else_=len(cuts)) if cuts else literal(0)

    def within(column):
        return or_(*(and_(column >= a, column < b) for a, b in ranges))

    out = [Counts() for _ in range(len(cuts) + 1)]
    c, s = Complaint, SurveyAnswer
    for column, name in ((c.opened_at, "opened"), (c.resolved_at, "resolved")):
        bucket = piece(column).label("piece")
        query = select(bucket, func.count()).where(within(column), row_scope(user, "complaint")).group_by(bucket)
        for i, n in db.session.execute(query):
            setattr(out[i], name, _n(n))
    bucket = piece(s.answered_at).label("piece")
    query = (
        select(
            bucket,
            func.count(s.nps),
            func.sum(case((s.nps >= 9, 1), else_=0)),
            func.sum(case((s.nps <= 6, 1), else_=0)),
        )
        .select_from(s)
        .join(Customer, Customer.id == s.customer_id)
        .where(within(s.answered_at), by_customer(user, s.customer_id))
        .group_by(bucket)
    )
    for i, n, prom, detr in db.session.execute(query):
        out[i].nps_answers, out[i].promoters, out[i].detractors = _n(n), _n(prom), _n(detr)
    return out


def total(rows: dict[Key, Counts]) -> Counts:
    result = Counts()
    for c in rows.values():
        result.add(c)
    return result


def by(rows: dict[Key, Counts], grain: str) -> dict[int, Counts]:
    """Reduce per-(team, agent) counts to per-team (``grain="team"``) or per-agent counts."""
    index = 0 if grain == "team" else 1
    out: dict[int, Counts] = defaultdict(Counts)
    for key, c in rows.items():
        out[key[index]].add(c)
    return dict(out)


# ---- ratios of counts ----------------------------------------------------------
def ratio(part, whole, scale: float = 100.0) -> float | None:
    """``part`` per ``scale`` of ``whole``, one decimal; None without a denominator."""
    return None if not whole else round(part * scale / whole, 1)


_ratio = ratio


def nps_of(c: Counts) -> float | None:
    return _ratio(c.promoters - c.detractors, c.nps_answers)


def csat_avg_of(c: Counts) -> float | None:
    return None if not c.csat_answers else round(c.csat_sum / c.csat_answers, 2)


def csat_share_of(c: Counts) -> float | None:
    return _ratio(c.csat_satisfied, c.csat_answers)


def fcr_of(c: Counts) -> float | None:
    return _ratio(c.resolved_fcr, c.resolved)


def avg_resolve_hours_of(c: Counts) -> float | None:
    return None if not c.resolved else round(c.resolve_seconds / c.resolved / 3600, 1)


def complaint_rate_of(c: Counts) -> float | None:
    return _ratio(c.opened, c.orders)


# ---- the KPIs, one function each -------------------------------------------------
def nps(user, start: date, end: date) -> float | None:
    """% promoters (9–10) minus % detractors (0–6) of the period's answers with an NPS."""
    return nps_of(total(counts(user, start, end)))


def csat(user, start: date, end: date) -> tuple[float | None, float | None]:
    """(average CSAT 1–5, % of CSAT answers that are 4 or 5)."""
    c = total(counts(user, start, end))
    return csat_avg_of(c), csat_share_of(c)


def first_contact_resolution(user, start: date, end: date) -> float | None:
    """% of the complaints resolved in the period that were resolved at first contact."""
    return fcr_of(total(counts(user, start, end)))


def complaint_rate(user, start: date, end: date) -> float | None:
    """Complaints opened per 100 orders created in the period."""
    return complaint_rate_of(total(counts(user, start, end)))


def moment(end: date) -> datetime:
    """The instant "as of" a period: its end, or now for a period still running."""
    return min(local_start(end), datetime.now(UTC))


def open_at(at: datetime) -> list[tuple]:
    """Complaints open at ``at``, as three disjoint conditions whose union is "opened before ``at`` and
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


BACKLOG_FIELDS = ("total", "over1", "over3", "over7", "overdue")


def backlog_rows(user, at: datetime) -> dict[Key, tuple[int, ...]]:
    """Complaints open at ``at`` per (team, assignee): (total, aged ≥1 d, ≥3 d, ≥7 d, past due). One query."""
    c = Complaint
    day = timedelta(days=1)

    def older(days):
        return func.sum(case((c.opened_at <= at - days * day, 1), else_=0))

    figures = (func.count(), older(1), older(3), older(7), func.sum(case((c.due_at < at, 1), else_=0)))
    parts = []
    for i, part in enumerate(open_at(at)):
        # the later parts group by ``column + 0``: an expression, so SQLite reads them through the
        # time indexes instead of walking the team index for the grouping
        team, agent = (c.team_id, c.assignee_id) if i == 0 else ((c.team_id + 0), (c.assignee_id + 0))
        query = select(team, agent, *figures).where(*part, row_scope(user, "complaint")).group_by(team, agent)
        parts.append(query)
    rows: dict[Key, tuple[int, ...]] = {}
    for team, agent, *values in db.session.execute(union_all(*parts)):
        key = _key(team, agent)
        found = rows.get(key, (0,) * len(BACKLOG_FIELDS))
        rows[key] = tuple(a + _n(b) for a, b in zip(found, values, strict=True))
    return rows


def backlog(user, end: date, *, at: datetime | None = None, rows: dict | None = None) -> dict[str, int]:
    """Complaints open at the end of the period (or now), by age: <1 day, 1–3, 3–7, >7 days."""
    if rows is None:
        rows = backlog_rows(user, at or moment(end))
    n, over1, over3, over7, overdue = (sum(r[i] for r in rows.values()) for i in range(len(BACKLOG_FIELDS)))
    return {
        "total": n,
        "under_1d": n - over1,
        "1_3d": over1 - over3,
        "3_7d": over3 - over7,
        "over_7d": over7,
        "overdue": overdue,
    }


def p90_hours_of(c: Counts) -> float | None:
    """Nearest-rank 90th percentile of the durations: the ⌈0.9·n⌉-th smallest, in hours (one decimal)."""
    durations = c.sorted_durations()
    if not durations:
        return None
    return round(durations[math.ceil(0.9 * len(durations)) - 1] / 3600, 1)


def resolve_hours(user, start: date, end: date) -> tuple[float | None, float | None]:
    """(average, 90th percentile) hours from opening to resolution of complaints resolved in the period.

    Durations are whole seconds (as in the snapshots), so every database gives the same answer.
    """
    c = total(counts(user, start, end))
    return avg_resolve_hours_of(c), p90_hours_of(c)


def sla_breaches(user, start: date, end: date) -> int:
    """Complaints resolved in the period after their due time, plus those open past due at its end."""
    return total(counts(user, start, end)).resolved_late + backlog(user, end)["overdue"]


def resolved_share(user, start: date, end: date, *, at: datetime | None = None) -> float | None:
    """% of the complaints opened in the period that were resolved before its end (or now)."""
    c = Complaint
    at = at or moment(end)
    opened, resolved = db.session.execute(
        select(func.count(), func.sum(case((c.resolved_at < at, 1), else_=0))).where(
            c.opened_at >= local_start(start), c.opened_at < local_start(end), row_scope(user, "complaint")
        )
    ).one()
    return _ratio(_n(resolved), _n(opened))


def activity(user, start: date, end: date) -> dict[str, int]:
    """One query over the orders and interactions of the previous period and this one, per customer.

    Returns ``previous_active`` (customers with an order or interaction in the previous period),
    ``retained`` (… also active in this one) and ``engaged`` (customers with an interaction in
    this one). Bounded by the two periods' rows (indexes on ``orders.created_at`` and
    ``interactions.occurred_at``), not by the number of customers.
    """
    return activity_window(user, previous_period(start, end)[0], start, end)


def activity_rows(user, lo: datetime, hi: datetime):
    """(customer id ``cid``, time ``t``, 1 for an interaction / 0 for an order ``k``) in ``[lo, hi)``, in scope."""
    scope = dashboard_scope(user)
    parts = []
    for model, when, kind in ((Order, Order.created_at, 0), (Interaction, Interaction.occurred_at, 1)):
        part = select(model.customer_id.label("cid"), when.label("t"), literal(kind).label("k")).where(
            when >= lo, when < hi
        )
        if scope != "all":
            part = part.join(Customer, Customer.id == model.customer_id).where(by_customer(user, model.customer_id))
        parts.append(part)
    return union_all(*parts).subquery()


def activity_window(user, first: date, start: date, stop: date) -> dict[str, int]:
    """``activity`` of the window ``[start, stop)`` against the previous period ``[first, start)``."""
    lo, mid, hi = local_start(first), local_start(start), local_start(stop)
    rows = activity_rows(user, lo, hi)
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
    return {"previous_active": _n(before), "retained": _n(kept), "engaged": _n(engaged)}


def customers_at(user, end: date) -> int:
    """Customers in ``user``'s scope created before the end of the period."""
    query = select(func.count()).select_from(Customer).where(row_scope(user, "customer"))
    return _n(db.session.scalar(query.where(Customer.created_at < local_start(end))))


def engagement(user, start: date, end: date, *, act: dict | None = None) -> tuple[int, float | None]:
    """(customers with an interaction in the period, that number per 100 customers existing at its end)."""
    engaged = (act or activity(user, start, end))["engaged"]
    return engaged, _ratio(engaged, customers_at(user, end))


def retention(user, start: date, end: date, *, act: dict | None = None) -> dict:
    """Of the customers active (order or interaction) in the previous period of the same length,
    the share also active in this one (retention) and the share not (churn = 100 − retention)."""
    act = act or activity(user, start, end)
    rate = _ratio(act["retained"], act["previous_active"])
    return {
        "previous_active": act["previous_active"],
        "retained": act["retained"],
        "retention": rate,
        "churn": None if rate is None else round(100 - rate, 1),
    }


def budget_usage(user, year: int, q: int) -> dict:
    """Planned and spent VND of the quarter's approved budgets (the user's budget scope), by category."""
    rows = db.session.execute(
        select(BudgetLine.category, func.sum(BudgetLine.planned), func.sum(BudgetLine.spent))
        .join(Budget, Budget.id == BudgetLine.budget_id)
        .where(Budget.quarter == f"{year}-Q{q}", Budget.status == "approved", access.scope_clause(user, "budget"))
        .group_by(BudgetLine.category)
        .order_by(BudgetLine.category)
    ).all()
    lines = {cat: {"planned": _n(p), "spent": _n(s), "used": _ratio(_n(s), _n(p))} for cat, p, s in rows}
    care = [lines[k] for k in ("gifts", "campaigns") if k in lines]
    planned, spent = sum(x["planned"] for x in care), sum(x["spent"] for x in care)
    return {"lines": lines, "gifts_campaigns": {"planned": planned, "spent": spent, "used": _ratio(spent, planned)}}
