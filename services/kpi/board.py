"""The KPI engine: every registered KPI of a scope and a period, from the snapshot, the kept windows
and the live tables.

A ``Board`` serves one request (or one report): the dashboard asks for the same period's figures in
the KPI table, the per-team and the per-agent tables, and for the previous period; with one board
each period's counts and windows are read once. ``keep=False`` reads neither the snapshot nor the
kept windows (the tests' reference for both paths).
"""

from collections import defaultdict
from datetime import date, datetime

from services.formatting import local_tz
from services.kpi import kept, registry, snapshot
from services.kpi.measures import Counts, Key, by, total
from services.kpi.periods import Period, local_start
from services.kpi.registry import Kpi, Percentile, Span
from services.kpi.scope import Scope


class Figures:
    """The named figures of one period (or one team's or agent's part of it), as aggregates read them."""

    def __init__(self, counts: Counts, windows: dict[str, dict[str, int]], kept_values: dict | None = None):
        self.counts = counts
        self.windows = windows
        self.kept_values = kept_values or {}

    def __getitem__(self, name: str) -> int:
        if "." in name:
            window, field = name.split(".", 1)
            return self.windows.get(window, {}).get(field, 0)
        return self.counts[name]

    def values(self, name: str) -> list[int]:
        return self.counts.values(name)


def _decode(window: registry.Window, figures) -> dict:
    """A by-key window as kept (``[[team, agent, {field: n}], …]``) → ``{(team, agent): {field: n}}``."""
    return {(t, a): fields for t, a, fields in figures} if window.by_key else figures


def _encode(window: registry.Window, figures) -> object:
    return [[t, a, fields] for (t, a), fields in figures.items()] if window.by_key else figures


def _sum_keys(rows: dict[Key, dict[str, int]], index: int | None = None) -> dict:
    """By-key window figures summed over all keys (``index=None``) or per team (0) / agent (1)."""
    out: dict = defaultdict(dict)
    for key, fields in rows.items():
        target = out[key[index]] if index is not None else out[None]
        for name, n in fields.items():
            target[name] = target.get(name, 0) + n
    return dict(out) if index is not None else out.get(None, {})


class Board:
    """The figures of ``scope`` as of ``now``; ``scope=None`` (the administrator) has none."""

    def __init__(self, scope: Scope | None, *, now: datetime | None = None, keep: bool = True):
        self.scope = scope
        self.now = now or kept.now_utc()
        self.keep = keep
        self._counts: dict[Period, dict[Key, Counts]] = {}
        self._windows: dict[Period, dict] = {}

    @property
    def today(self) -> date:
        return self.now.astimezone(local_tz()).date()

    def counts(self, period: Period) -> dict[Key, Counts]:
        """Every registered measure of ``period`` per (team, agent)."""
        if self.scope is None:
            return {}
        if period not in self._counts:
            measures = list(registry.MEASURES.values())
            self._counts[period] = snapshot.counts(
                self.scope, period.start, period.end, measures, snapshots=self.keep, now=self.today
            )
        return self._counts[period]

    def _percentiles(self, period: Period) -> dict:
        """What a closed period keeps beside its windows: its percentile KPIs (costly to re-read)."""
        return {
            f"value:{k.key}": (lambda k=k: registry.evaluate(k, Figures(total(self.counts(period)), {})))
            for k in registry.KPIS.values()
            if isinstance(k.value, Percentile)
        }

    def windows(self, period: Period) -> dict:
        """Every registered window of ``period`` (kept or live, see services.kpi.kept), and for a closed
        kept period its percentile values (``value:<kpi>``)."""
        if self.scope is None:
            return {}
        if period in self._windows:
            return self._windows[period]
        scope, day, first = self.scope, self.today, period.previous().start
        at = min(local_start(period.end), self.now)
        span = Span(first, period.start, period.end, at)
        windows = list(registry.WINDOWS.values())
        if scope.key is None or not self.keep or period.start > day:
            found = {w.name: w.compute(scope, span) for w in windows}
        elif period.end <= day:
            wanted = {w.name: (lambda w=w: _encode(w, w.compute(scope, span))) for w in windows}
            found = kept.closed(scope.key, first, period.start, period.end, wanted | self._percentiles(period))
            found = {
                name: _decode(registry.WINDOWS[name], v) if name in registry.WINDOWS else v for name, v in found.items()
            }
        else:
            parts = [w for w in windows if w.since is not None]
            closed = kept.closed_part(scope, first, period.start, day, parts)
            since, base = kept.running_base(scope.key, first, period.start, day, self.now)
            found = {
                w.name: kept.add(
                    closed[w.name], base.get(w.name, {}), w.since(scope, span, since, local_start(period.end))
                )
                for w in parts
            }
            found |= {w.name: w.compute(scope, span) for w in windows if w.since is None}
        self._windows[period] = found
        return found

    def figures(self, period: Period) -> Figures:
        windows = self.windows(period)
        totals = {
            name: _sum_keys(windows[name]) if w.by_key else windows[name]
            for name, w in registry.WINDOWS.items()
            if name in windows
        }
        kept_values = {k[6:]: v for k, v in windows.items() if k.startswith("value:")}
        return Figures(total(self.counts(period)), totals, kept_values)

    def values(self, period: Period) -> dict[str, float | int | None]:
        """Every registered KPI of ``period``, rounded (``services.kpi.numbers``)."""
        fig = self.figures(period)
        return {
            k.key: fig.kept_values[k.key] if k.key in fig.kept_values else registry.evaluate(k, fig)
            for k in registry.KPIS.values()
        }

    def per(self, period: Period, grain: str) -> dict[int, dict[str, float | int | None]]:
        """The KPIs shown per team (``grain="team"``) or per agent, for each team or agent with figures."""
        index = 0 if grain == "team" else 1
        counts = by(self.counts(period), grain)
        windows = self.windows(period)
        per_window = {
            name: _sum_keys(windows[name], index)
            for name, w in registry.WINDOWS.items()
            if w.by_key and name in windows
        }
        ids = set(counts) | {i for rows in per_window.values() for i in rows}
        kpis = breakdown_kpis()
        out = {}
        for i in ids:
            fig = Figures(counts.get(i, Counts()), {name: rows.get(i, {}) for name, rows in per_window.items()})
            out[i] = {k.key: registry.evaluate(k, fig) for k in kpis}
        return out


def table_kpis() -> list[Kpi]:
    return [k for k in registry.KPIS.values() if k.table]


def breakdown_kpis() -> list[Kpi]:
    return [k for k in registry.KPIS.values() if k.breakdown]
