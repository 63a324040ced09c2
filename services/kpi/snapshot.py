"""The daily snapshot of every registered measure, and the counts of any period: stored days plus live rows.

The nightly ``kpi_snapshot`` job writes each past day's measures per (team, agent) once
(``take``), in ``KpiDailySnapshot``: a measure named like a column in that column, any other in the
row's ``extra`` JSON (so a new measure needs no migration). A period's counts then read those rows
for the days taken before today and count live rows for the others (``counts``), so a month costs
one query of a few rows per day plus today's rows.
"""

import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, select

from models import KpiDailySnapshot, KpiPeriodFigure, KpiSnapshotDay, db
from services.kpi import registry
from services.kpi.measures import Counts, Key, Measure, live
from services.kpi.periods import local_start, month_of, today
from services.kpi.scope import Scope

KEYS = ("id", "day", "team_key", "agent_key", "extra")


def column_of(measure: Measure):
    """The snapshot column that keeps ``measure`` (named like it), or None: then it is kept in ``extra``."""
    column = KpiDailySnapshot.__table__.c.get(measure.key)
    return None if column is None or measure.key in KEYS else column


def _row(day: date, key: Key, counts: Counts, measures: list[Measure]) -> dict:
    """The snapshot row of one day and (team, agent): each measure in its column or in ``extra``."""
    row = {"day": day, "team_key": key[0], "agent_key": key[1]}
    extra: dict[str, dict] = {"sums": {}, "lists": {}}
    for m in measures:
        own = column_of(m) is not None
        if m.kind == "values":
            values = sorted(counts.lists.get(m.key, ()))
            if own:
                row[m.key] = " ".join(map(str, values)) or None
            elif values:
                extra["lists"][m.key] = values
        elif m.kind == "tally":
            tally = counts.tally(m.key)
            if own:
                row[m.key] = json.dumps(tally, sort_keys=True) if tally else None
            else:
                extra["sums"].update({f"{m.key}:{value}": n for value, n in tally.items()})
        elif own:
            row[m.key] = counts[m.key]
        elif counts[m.key]:
            extra["sums"][m.key] = counts[m.key]
    row["extra"] = json.dumps(extra, sort_keys=True) if extra["sums"] or extra["lists"] else None
    return row


def take(day: date) -> int:
    """Store every registered measure of local ``day`` per (team, agent); re-running replaces the day.

    In the caller's transaction (the caller commits). Forgets the kept window figures that read the
    day (services.kpi.kept), so they are computed again from the corrected rows. Returns the number
    of rows (team, agent keys) written.
    """
    measures = list(registry.MEASURES.values())
    found = live(measures, [(local_start(day), local_start(day + timedelta(days=1)))])
    db.session.execute(delete(KpiDailySnapshot).where(KpiDailySnapshot.day == day))
    db.session.execute(delete(KpiPeriodFigure).where(KpiPeriodFigure.first <= day, KpiPeriodFigure.stop > day))
    rows = [_row(day, key, counts, measures) for (_piece, key), counts in found.items()]
    if rows:
        db.session.execute(KpiDailySnapshot.__table__.insert(), rows)
    marker = db.session.get(KpiSnapshotDay, day)
    if marker is None:
        db.session.add(KpiSnapshotDay(day=day, taken_at=datetime.now(UTC)))
    else:
        marker.taken_at = datetime.now(UTC)
    db.session.flush()
    return len(rows)


def covered_days(start: date, end: date, *, now: date | None = None) -> set[date]:
    """Days of ``[start, end)`` read from the snapshot: taken, and before today."""
    last = min(end, now or today())
    query = select(KpiSnapshotDay.day).where(KpiSnapshotDay.day >= start, KpiSnapshotDay.day < last)
    return set(db.session.scalars(query))


def _read(counts: Counts, measures: list[Measure], values: list, extra: str | None) -> None:
    """Add one stored row's ``values`` (the columns of ``measures``, in order) and ``extra`` to ``counts``."""
    for m, value in zip(measures, values, strict=True):
        if m.kind == "values":
            if value:
                counts.texts.setdefault(m.key, []).append(value)
        elif m.kind == "tally":
            for name, n in json.loads(value or "{}").items():
                counts.bump(f"{m.key}:{name}", n)
        else:
            counts.bump(m.key, value)
    if extra:
        data = json.loads(extra)
        for name, n in data.get("sums", {}).items():
            counts.bump(name, n)
        for name, found in data.get("lists", {}).items():
            counts.lists.setdefault(name, []).extend(found)


def _split(measures: list[Measure]) -> tuple[list[Measure], bool]:
    """The measures kept in columns, and whether any is kept in ``extra``."""
    own = [m for m in measures if column_of(m) is not None]
    return own, len(own) < len(measures)


def stored(scope: Scope, first: date, stop: date, measures: list[Measure]) -> dict[Key, Counts]:
    """The stored measures of days ``[first, stop)`` in ``scope``, per (team, agent). One query of a few
    rows per day (one per team and agent), added up here; duration lists stay text until asked."""
    s = KpiDailySnapshot
    own, extra = _split(measures)
    columns = [column_of(m) for m in own] + ([s.extra] if extra else [])
    query = select(s.team_key, s.agent_key, *columns).where(
        s.day >= first, s.day < stop, scope.stored(s.team_key, s.agent_key)
    )
    out: dict[Key, Counts] = defaultdict(Counts)
    for team, agent, *values in db.session.execute(query):
        _read(out[team, agent], own, values[: len(own)], values[-1] if extra else None)
    return dict(out)


def stored_by_day(scope: Scope, first: date, stop: date, measures: list[Measure]) -> dict[date, Counts]:
    """The stored measures of days ``[first, stop)`` in ``scope``, per day (the trend's months): the
    column sums grouped by day in SQL (one query), the others read row by row."""
    s = KpiDailySnapshot
    own, extra = _split(measures)
    sums = [m for m in own if m.kind == "sum"]
    rest = [m for m in own if m.kind != "sum"]
    where = (s.day >= first, s.day < stop, scope.stored(s.team_key, s.agent_key))
    out: dict[date, Counts] = defaultdict(Counts)
    if sums:
        query = select(s.day, *(func.sum(column_of(m)) for m in sums)).where(*where).group_by(s.day)
        for day, *values in db.session.execute(query):
            _read(out[day], sums, values, None)
    if rest or extra:
        query = select(s.day, *(column_of(m) for m in rest), s.extra).where(*where)
        for day, *values in db.session.execute(query):
            _read(out[day], rest, values[:-1], values[-1] if extra else None)
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
