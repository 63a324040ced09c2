"""The KPI registry: what a KPI is, how it adds up, and the tables every screen, job and report reads.

A ``Kpi`` holds its label, its formula (the text people read), how it is computed (an
``Aggregate`` over named figures), its unit, decimals and which way is better. Figures are named:

- ``"opened"``: a measure (``services.kpi.measures``), added up over the period's days and keys;
- ``"backlog.overdue"``: a field of a window figure (``Window``), computed over the whole period
  (as of its end, or against the previous period) and kept once the period is closed.

The built-in entries are in ``services.kpi.catalog``; ``register`` adds more (docs/kpis.md, "Add a
KPI"). Screens, the XLSX report, the nightly snapshot and the refresh job loop over these tables.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from math import ceil

from services.kpi.measures import Measure
from services.kpi.numbers import ratio, round_half_up


class Aggregate:
    """How a KPI is computed from the figures of a period (``fig[name]``, ``fig.values(name)``)."""

    names: tuple[str, ...] = ()

    def value(self, fig):
        raise NotImplementedError


def _terms(terms) -> tuple[str, ...]:
    return (terms,) if isinstance(terms, str) else tuple(terms)


def _sum(fig, terms: tuple[str, ...]):
    return sum(-fig[t[1:]] if t.startswith("-") else fig[t] for t in terms)


def _plain(name: str) -> str:
    return name.removeprefix("-")


@dataclass(frozen=True)
class Total(Aggregate):
    """The sum of figures (a name starting with ``-`` is subtracted)."""

    terms: tuple[str, ...] | str

    @property
    def names(self):
        return tuple(map(_plain, _terms(self.terms)))

    def value(self, fig):
        return _sum(fig, _terms(self.terms))


@dataclass(frozen=True)
class Ratio(Aggregate):
    """(sum of ``numerator`` terms) × ``scale`` ÷ ``denominator``; no value when the denominator is 0."""

    numerator: tuple[str, ...] | str
    denominator: str
    scale: int | Fraction = 100

    @property
    def names(self):
        return (*map(_plain, _terms(self.numerator)), self.denominator)

    def value(self, fig):
        return ratio(_sum(fig, _terms(self.numerator)), fig[self.denominator], self.scale)


@dataclass(frozen=True)
class Complement(Aggregate):
    """``whole`` minus another aggregate rounded to ``decimals`` (so the two shown add up to ``whole``)."""

    of: Aggregate
    whole: int = 100
    decimals: int = 1

    @property
    def names(self):
        return self.of.names

    def value(self, fig):
        part = round_half_up(self.of.value(fig), self.decimals)
        return None if part is None else self.whole - Fraction(str(part))


@dataclass(frozen=True)
class Percentile(Aggregate):
    """Nearest-rank percentile of a ``values`` measure: the ⌈q·n⌉-th smallest, × ``scale``."""

    measure: str
    q: Fraction = Fraction(9, 10)
    scale: int | Fraction = 1

    @property
    def names(self):
        return (self.measure,)

    def value(self, fig):
        values = fig.values(self.measure)
        if not values:
            return None
        return Fraction(values[ceil(self.q * len(values)) - 1]) * self.scale


@dataclass(frozen=True)
class Span:
    """The window a ``Window`` figure is computed over: ``[start, stop)`` as of the instant ``at``, with
    ``first`` the start of the previous period (``[first, start)``, what retention compares with)."""

    first: date
    start: date
    stop: date
    at: datetime


@dataclass(frozen=True)
class Window:
    """A figure of a whole period that does not add up by day (the backlog at its end, retention…).

    ``compute(scope, span)`` returns ``{field: int}`` from the live tables (``by_key``: ``{(team,
    agent): {field: int}}``, so per-team and per-agent tables can read it). ``span`` has ``first``
    (the previous period's start), ``start``, ``stop`` and ``at`` (the instant "as of": the end, or
    now). ``since(scope, span, since, until)`` (optional) returns what the rows of ``[since, until)``
    add to the window ``[start, since)``: a running period then keeps its closed part and adds
    today's rows; without it a running period is computed live on each request.
    """

    name: str
    compute: Callable
    since: Callable | None = None
    by_key: bool = False


@dataclass(frozen=True)
class Kpi:
    """One indicator. ``decimals``: places shown; ``better``: "up" or "down"; ``short``: the header of
    its column in the per-team and per-agent tables (``breakdown``); ``table``: shown in the KPI table."""

    key: str
    label: object
    formula: object
    value: Aggregate
    unit: str = ""
    decimals: int = 0
    better: str = "up"
    short: object = None
    breakdown: bool = False
    table: bool = True

    @property
    def header(self):
        return self.short or self.label


KPIS: dict[str, Kpi] = {}
MEASURES: dict[str, Measure] = {}
WINDOWS: dict[str, Window] = {}


def _known(name: str, per_key: bool = False) -> bool:
    if "." in name:
        window = WINDOWS.get(name.split(".", 1)[0])
        return window is not None and (window.by_key or not per_key)
    return name in MEASURES


def register(*items: Kpi | Measure | Window) -> None:
    """Add measures, windows and KPIs (in that order of need); a KPI reading an unknown figure, or shown
    per team while reading a figure that has no per-team value, is refused with the reason."""
    for item in items:
        if isinstance(item, Measure):
            MEASURES[item.key] = item
        elif isinstance(item, Window):
            WINDOWS[item.name] = item
        else:
            unknown = [n for n in item.value.names if not _known(n)]
            if unknown:
                raise LookupError(f"KPI {item.key!r} reads unknown figures {unknown}: register them first")
            if item.breakdown and not all(_known(n, per_key=True) for n in item.value.names):
                raise ValueError(f"KPI {item.key!r} has no per-team value: its windows are not by_key")
            KPIS[item.key] = item


def unregister(*items: Kpi | Measure | Window) -> None:
    for item in items:
        if isinstance(item, Window):
            WINDOWS.pop(item.name, None)
        else:
            (MEASURES if isinstance(item, Measure) else KPIS).pop(item.key, None)


@contextmanager
def registered(*items: Kpi | Measure | Window) -> Iterator[None]:
    """Register ``items`` for the duration of a block (a test's toy KPI)."""
    register(*items)
    try:
        yield
    finally:
        unregister(*items)


def measures_of(kpis) -> list[Measure]:
    """The measures ``kpis`` read, each once."""
    names = {n for k in kpis for n in k.value.names if "." not in n}
    return [m for key, m in MEASURES.items() if key in names]


def evaluate(kpi: Kpi, fig):
    """The KPI's value on ``fig``, rounded half-up to its decimals (None without a value)."""
    return round_half_up(kpi.value.value(fig), kpi.decimals)
