"""The daily snapshot of every registered measure, and the counts of any period: stored days plus live rows.

The nightly ``kpi_snapshot`` job writes each past day's measures per (team, agent) once
(``take``); a period's counts then read those rows for the days taken before today and count live
rows for the others (``counts``), so a month costs one grouped query plus today's rows.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, literal, or_, select, union_all

from models import KpiDailyCount, KpiPeriodFigure, KpiSnapshotDay, db
from services.kpi import registry
from services.kpi.measures import Counts, Key, Measure, live
from services.kpi.periods import local_start, month_of, today
from services.kpi.scope import Scope


def _rows(counts: Counts) -> list[tuple[str, int, str | None]]:
    """(measure, value, detail) rows of one day's counts of one key; zero sums are not stored."""
    rows = [(key, n, None) for key, n in counts.sums.items() if n]
    rows += [(key, len(values), " ".join(map(str, sorted(values)))) for key, values in counts.lists.items() if values]
    return rows


def take(day: date) -> int:
    """Store every registered measure of local ``day`` per (team, agent); re-running replaces the day.

    In the caller's transaction (the caller commits). Forgets the kept window figures that read the
    day (services.kpi.kept), so they are computed again from the corrected rows. Returns the number
    of (team, agent) keys written.
    """
    found = live(registry.MEASURES.values(), [(local_start(day), local_start(day + timedelta(days=1)))])
    db.session.execute(delete(KpiDailyCount).where(KpiDailyCount.day == day))
    db.session.execute(delete(KpiPeriodFigure).where(KpiPeriodFigure.first <= day, KpiPeriodFigure.stop > day))
    rows = [
        {"day": day, "team_key": team, "agent_key": agent, "measure": m, "value": n, "detail": detail}
        for (_piece, (team, agent)), counts in found.items()
        for m, n, detail in _rows(counts)
    ]
    if rows:
        db.session.execute(KpiDailyCount.__table__.insert(), rows)
    marker = db.session.get(KpiSnapshotDay, day)
    if marker is None:
        db.session.add(KpiSnapshotDay(day=day, taken_at=datetime.now(UTC)))
    else:
        marker.taken_at = datetime.now(UTC)
    db.session.flush()
    return len(found)


def covered_days(start: date, end: date, *, now: date | None = None) -> set[date]:
    """Days of ``[start, end)`` read from the snapshot: taken, and before today."""
    last = min(end, now or today())
    query = select(KpiSnapshotDay.day).where(KpiSnapshotDay.day >= start, KpiSnapshotDay.day < last)
    return set(db.session.scalars(query))


def _filter(measures: list[Measure]):
    """Stored rows of ``measures``: a tally's rows are named ``<key>:<value>``."""
    c = KpiDailyCount
    plain = [c.measure.in_([m.key for m in measures if m.kind not in ("tally", "values")])]
    return or_(*plain, *(c.measure.like(f"{m.key}:%") for m in measures if m.kind == "tally"))


def stored(scope: Scope, first: date, stop: date, measures: list[Measure]) -> dict[Key, Counts]:
    """The stored measures of days ``[first, stop)`` in ``scope``, per (team, agent). One query: the sums
    grouped in SQL, and beside them the text lists of ``values`` measures (parsed only when asked)."""
    c = KpiDailyCount
    where = (c.day >= first, c.day < stop, scope.stored(c.team_key, c.agent_key))
    # max(detail) is NULL here (only ``values`` measures have a detail): a NULL of the column's own
    # type and collation, which MariaDB's UNION requires
    query = (
        select(c.team_key, c.agent_key, c.measure, func.sum(c.value), func.max(c.detail))
        .where(*where, _filter(measures))
        .group_by(c.team_key, c.agent_key, c.measure)
    )
    lists = [m.key for m in measures if m.kind == "values"]
    if lists:
        texts = select(c.team_key, c.agent_key, c.measure, literal(0), c.detail).where(
            *where, c.measure.in_(lists), c.detail.is_not(None)
        )
        query = union_all(query, texts)
    out: dict[Key, Counts] = defaultdict(Counts)
    for team, agent, measure, n, detail in db.session.execute(query):
        if detail is None:
            out[team, agent].bump(measure, n)
        else:
            out[team, agent].texts.setdefault(measure, []).append(detail)
    return dict(out)


def stored_by_day(scope: Scope, first: date, stop: date, measures: list[Measure]) -> dict[date, Counts]:
    """The stored sums of days ``[first, stop)`` in ``scope``, per day (the trend's months). One query."""
    c = KpiDailyCount
    query = (
        select(c.day, c.measure, func.sum(c.value))
        .where(c.day >= first, c.day < stop, scope.stored(c.team_key, c.agent_key), _filter(measures))
        .group_by(c.day, c.measure)
    )
    out: dict[date, Counts] = defaultdict(Counts)
    for day, measure, n in db.session.execute(query):
        out[day].bump(measure, n)
    return dict(out)


def runs(start: date, end: date, covered: set[date]) -> list[tuple[bool, date, date]]:
    """``[start, end)`` cut into maximal runs of covered / not covered days."""
    found: list[tuple[bool, date, date]] = []
    day = start
    while day < end:
        flag = day in covered
        if found and found[-1][0] == flag:
            found[-1] = (flag, found[-1][1], day + timedelta(days=1))
        else:
            found.append((flag, day, day + timedelta(days=1)))
        day += timedelta(days=1)
    return found


def counts(
    scope: Scope, start: date, end: date, measures: list[Measure], *, snapshots: bool = True, now: date | None = None
) -> dict[Key, Counts]:
    """``measures`` per (team, agent) over ``[start, end)``: stored days from the snapshot, the rest live.

    Queries: 1 for the covered days, 1 per stored run, 1 per source (and tally) per live run.
    """
    covered = covered_days(start, end, now=now) if snapshots else set()
    found: dict[Key, Counts] = defaultdict(Counts)
    for is_stored, first, stop in runs(start, end, covered):
        if is_stored:
            part = stored(scope, first, stop, measures)
        else:
            part = {
                key: c for (_piece, key), c in live(measures, [(local_start(first), local_start(stop))], scope).items()
            }
        for key, c in part.items():
            found[key].add(c)
    return dict(found)


def monthly(
    scope: Scope, start: date, end: date, measures: list[Measure], *, now: date | None = None
) -> dict[date, Counts]:
    """Totals per calendar month of ``[start, end)`` (``start`` a month's first day), keyed by that day.

    Stored days: one query grouped by day; the other days: one query per source, split by month
    with a ``CASE`` on the event time.
    """
    out: dict[date, Counts] = defaultdict(Counts)
    covered = covered_days(start, end, now=now)
    if covered:
        for day, c in stored_by_day(scope, min(covered), max(covered) + timedelta(days=1), measures).items():
            if day in covered:
                out[day.replace(day=1)].add(c)
    ranges = [(local_start(a), local_start(b)) for is_stored, a, b in runs(start, end, covered) if not is_stored]
    if ranges:
        months, day = [], start
        while day < end:
            months.append(day)
            day = month_of(day).end
        found = live(measures, ranges, scope, cuts=[local_start(m) for m in months[1:]], by_key=False)
        for (piece, _key), c in found.items():
            out[months[piece]].add(c)
    return dict(out)
