"""Measures: the additive counts behind the KPIs, counted live per (team, agent) and stored per day.

A ``Source`` is a table's rows placed on a day by an event time and attributed to a team and an
agent (``Owner``); a ``Measure`` adds something up over a source's rows: an SQL expression summed
per group (``sql``), a Python value per row (``each``, e.g. whole seconds to resolve), a list of
per-row values (``kind="values"``, for percentiles) or a count per value of a column
(``kind="tally"``, e.g. moods: stored as ``moods:happy``). Because measures add up over days and
over (team, agent) keys, the nightly snapshot keeps them per day and key, and any period of any
scope is the sum of its stored days plus live rows for the rest.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select

from models import db
from services.kpi.scope import Owner, Scope

Key = tuple[int, int]
"""(team id or 0, agent id or 0): the finest grain of the stored counts."""


@dataclass(frozen=True)
class Source:
    """Rows of ``model`` on the day of ``time``, counted for ``owner``; ``joins``: (model, on) pairs."""

    name: str
    model: type
    time: ColumnElement
    owner: Owner
    joins: tuple = ()


@dataclass(frozen=True)
class Measure:
    """An additive quantity over a source's rows (see the module docstring for the kinds); with neither
    ``sql`` nor ``each``, the number of rows."""

    key: str
    source: Source
    sql: ColumnElement | None = None
    each: Callable | None = None
    columns: tuple = ()
    kind: str = "sum"

    @property
    def in_python(self) -> bool:
        return self.each is not None

    def per_row(self):
        """The SQL value of one row (summed in Python when the source's rows are read)."""
        return literal(1) if self.sql is None else self.sql

    def aggregate(self):
        """The SQL aggregate of a group of rows."""
        return func.count() if self.sql is None else func.sum(self.sql)


def count(key: str, source: Source, where=None) -> Measure:
    """The number of the source's rows (``where``: only those matching)."""
    return Measure(key, source, case((where, 1), else_=0) if where is not None else None)


@dataclass
class Counts:
    """Measures of one group (a key, a day, a month): sums, and per-row lists of ``values`` measures.

    Lists read from snapshots stay text (``texts``) until a percentile asks for them.
    """

    sums: dict[str, int] = field(default_factory=dict)
    lists: dict[str, list[int]] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int:
        return self.sums.get(key, 0)

    def bump(self, key: str, n) -> None:
        if n:
            self.sums[key] = self.sums.get(key, 0) + int(n)

    def add(self, other: "Counts") -> "Counts":
        for key, n in other.sums.items():
            self.bump(key, n)
        for key, values in other.lists.items():
            self.lists.setdefault(key, []).extend(values)
        for key, texts in other.texts.items():
            self.texts.setdefault(key, []).extend(texts)
        return self

    def values(self, key: str) -> list[int]:
        """The sorted per-row values of a ``values`` measure."""
        stored = " ".join(self.texts.get(key, ())).split()
        return sorted([*self.lists.get(key, ()), *map(int, stored)])

    def tally(self, key: str) -> dict[str, int]:
        """The counts per value of a ``tally`` measure: ``{"happy": 3, …}``."""
        prefix = key + ":"
        return {k[len(prefix) :]: n for k, n in self.sums.items() if k.startswith(prefix)}

    def is_empty(self) -> bool:
        return not self.sums and not any(self.lists.values()) and not any(self.texts.values())


def total(rows: dict) -> Counts:
    result = Counts()
    for c in rows.values():
        result.add(c)
    return result


def by(rows: dict[Key, Counts], grain: str) -> dict[int, Counts]:
    """Per-(team, agent) counts reduced to per-team (``grain="team"``) or per-agent counts."""
    index = 0 if grain == "team" else 1
    out: dict[int, Counts] = defaultdict(Counts)
    for key, c in rows.items():
        out[key[index]].add(c)
    return dict(out)


def _pieces(column, cuts: list[datetime]) -> list:
    """Which of the pieces cut at ``cuts`` an event time falls in (0 … len(cuts)), as an SQL column to
    select and group by; none without cuts (a constant in GROUP BY is a column number to MariaDB)."""
    if not cuts:
        return []
    return [case(*((column < cut, i) for i, cut in enumerate(cuts)), else_=len(cuts)).label("piece")]


def _within(column, ranges: list[tuple[datetime, datetime]]):
    parts = [and_(column >= a, column < b) for a, b in ranges]
    return parts[0] if len(parts) == 1 else or_(*parts)


def _split(row, cuts, by_key: bool) -> tuple:
    """(piece, team, agent, the other columns) of a grouped row (see ``_pieces``)."""
    rest = list(row)
    piece = rest.pop(0) if cuts else 0
    team, agent = (rest.pop(0), rest.pop(0)) if by_key else (0, 0)
    return piece, team, agent, rest


def _group_of(piece: int, team, agent, by_key: bool) -> tuple:
    return (piece, (team or 0, agent or 0)) if by_key else (piece, (0, 0))


def live(
    measures: Iterable[Measure],
    ranges: list[tuple[datetime, datetime]],
    scope: Scope | None = None,
    *,
    cuts: list[datetime] | None = None,
    by_key: bool = True,
) -> dict[tuple[int, Key], Counts]:
    """The measures over the rows whose event time is in ``ranges``, from the live tables.

    Grouped by (piece, key): the piece of ``cuts`` the event falls in (0 without cuts) and, with
    ``by_key``, its (team, agent); ``scope=None`` counts every row (the snapshot). One query per
    source (rows to Python when a measure needs them, else grouped in SQL) and one per tally.
    """
    cuts = cuts or []
    out: dict[tuple[int, Key], Counts] = defaultdict(Counts)
    by_source: dict[Source, list[Measure]] = defaultdict(list)
    for m in measures:
        by_source[m.source].append(m)
    for source, wanted in by_source.items():
        where = [_within(source.time, ranges)]
        if scope is not None:
            where.append(scope.clause(source.owner))
        owner = (source.owner.team, source.owner.agent)

        def query(*columns, source=source, where=where):
            q = select(*columns).select_from(source.model)
            for model, on in source.joins:
                q = q.join(model, on)
            return q.where(*where)

        plain = [m for m in wanted if m.kind != "tally"]
        if any(m.in_python for m in plain):
            columns = [c for m in plain for c in (m.columns if m.in_python else (m.per_row(),))]
            for time_, team, agent, *values in db.session.execute(query(source.time, *owner, *columns)):
                piece = sum(1 for cut in cuts if time_ >= cut)
                row = out[_group_of(piece, team, agent, by_key)]
                values = iter(values)
                for m in plain:
                    if m.in_python:
                        value = m.each(*(next(values) for _ in m.columns))
                        if m.kind == "values":
                            row.lists.setdefault(m.key, []).append(value)
                        else:
                            row.bump(m.key, value)
                    else:
                        row.bump(m.key, next(values))
        groups = [*_pieces(source.time, cuts), *(owner if by_key else ())]
        if plain and not any(m.in_python for m in plain):
            grouped = query(*groups, *(m.aggregate() for m in plain)).group_by(*groups)
            for row in db.session.execute(grouped):
                piece, team, agent, rest = _split(row, cuts, by_key)
                found = out[_group_of(piece, team, agent, by_key)]
                for m, n in zip(plain, rest, strict=True):
                    found.bump(m.key, n)
        for m in (m for m in wanted if m.kind == "tally"):
            grouped = query(*groups, m.sql, func.count()).group_by(*groups, m.sql)
            for row in db.session.execute(grouped):
                piece, team, agent, (value, n) = _split(row, cuts, by_key)
                out[_group_of(piece, team, agent, by_key)].bump(f"{m.key}:{value}", n)
    return dict(out)
