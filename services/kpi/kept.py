"""Window figures kept: those of a closed period computed once, those of a running period refreshed.

A *closed* window (``stop`` ≤ today) is computed from the live tables once per scope and kept as
JSON in ``KpiPeriodFigure`` (``closed``); re-taking a snapshot of a day it read deletes it
(services.kpi.snapshot.take). A *running* period ``[start, end)`` is, for each window with a
``since`` (``Window.since``), its closed part ``[start, today)`` kept as above, plus what today's
rows add: every ten minutes the ``kpi_refresh`` job (``refresh``) keeps today's addition up to its
own instant in ``KpiRunningFigure``, so a request adds only the rows since then (a row dated
before the last refresh but saved after it shows at the next one).
"""

import json
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from models import KpiPeriodFigure, KpiRunningFigure, db
from services.formatting import local_tz
from services.kpi import registry
from services.kpi.periods import Period, local_start
from services.kpi.registry import Span
from services.kpi.scope import Scope


def now_utc() -> datetime:
    return datetime.now(UTC)


def closed(key: str, first: date, start: date, stop: date, wanted: dict[str, Callable[[], object]]) -> dict:
    """The named figures of the closed window ``[start, stop)`` (previous period from ``first``) of the
    scope ``key``: read from ``KpiPeriodFigure``, the missing ones computed (``wanted[name]()``,
    JSON-able) and kept. One read; one write when something was missing."""
    f = KpiPeriodFigure
    where = (f.first == first, f.start == start, f.stop == stop, f.scope_key == key)
    row = db.session.scalar(select(f).where(*where))
    figures = json.loads(row.figures) if row is not None else {}
    missing = [name for name in wanted if name not in figures]
    if not missing:
        return figures
    figures.update({name: wanted[name]() for name in missing})
    if row is not None:
        row.figures, row.computed_at = json.dumps(figures), now_utc()
        return figures
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
    except IntegrityError:  # another request kept the same window meanwhile: the same figures
        pass
    return figures


def running_base(key: str, first: date, start: date, day: date, now: datetime) -> tuple[datetime, dict]:
    """(cut, what the rows of ``[day's midnight, cut)`` add per window) from the last ``refresh``, or
    (midnight, nothing)."""
    f = KpiRunningFigure
    row = db.session.execute(
        select(f.cut_at, f.figures).where(f.first == first, f.start == start, f.day == day, f.scope_key == key)
    ).first()
    if row is None or row.cut_at > now:
        return local_start(day), {}
    return row.cut_at, json.loads(row.figures)


def add(*parts: dict[str, int]) -> dict[str, int]:
    """Field-wise sum of window figures."""
    out: dict[str, int] = {}
    for part in parts:
        for name, n in part.items():
            out[name] = out.get(name, 0) + n
    return out


def incremental() -> list[registry.Window]:
    """The windows a running period keeps in parts (those with ``since``)."""
    return [w for w in registry.WINDOWS.values() if w.since is not None]


def closed_part(scope: Scope, first: date, start: date, day: date, windows: list[registry.Window]) -> dict:
    """The kept figures of ``[start, day)`` of ``windows``: a running period's part before today."""
    span = Span(first, start, day, local_start(day))
    return closed(scope.key, first, start, day, {w.name: (lambda w=w: w.compute(scope, span)) for w in windows})


def refresh(scope: Scope, period: Period, now: datetime | None = None) -> bool:
    """Keep the figures of a running period for ``scope``: its closed part (``KpiPeriodFigure``) and what
    today's rows up to ``now`` add (``KpiRunningFigure``), so the next requests read only the rows since
    ``now``. False when the period is not running or the scope selects nothing."""
    now = now or now_utc()
    day = now.astimezone(local_tz()).date()
    if scope.key is None or not period.contains(day):
        return False
    first, windows = period.previous().start, incremental()
    closed_part(scope, first, period.start, day, windows)
    span = Span(first, period.start, period.end, now)
    figures = {w.name: w.since(scope, span, local_start(day), now) for w in windows}
    f = KpiRunningFigure
    where = (f.first == first, f.start == period.start, f.day == day, f.scope_key == scope.key)
    row = db.session.scalar(select(f).where(*where))
    if row is None:
        row = f(first=first, start=period.start, day=day, scope_key=scope.key)
        db.session.add(row)
    row.cut_at, row.figures = now, json.dumps(figures)
    db.session.execute(delete(f).where(f.day < day))
    db.session.flush()
    return True
