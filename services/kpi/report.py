"""The KPI tables the dashboards and the report show: a period against the previous one, per team and
per agent, by month, by mood and category, and the budget; every figure from the registry's KPIs."""

from datetime import timedelta
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from models import Budget, BudgetLine, Complaint, Team, User, db
from models.choices import BUDGET_CATEGORIES, COMPLAINT_CATEGORIES, MOODS
from services.kpi import registry, snapshot
from services.kpi.board import Board, Figures, breakdown_kpis, table_kpis
from services.kpi.measures import Counts, total
from services.kpi.numbers import ratio, round_half_up
from services.kpi.periods import Period, local_start, month_of, quarter, quarter_of
from services.kpi.scope import Owner, Scope
from services.kpi.windows import REQUEST

BACKLOG_BUCKETS = [
    ("under_1d", _l("< 1 day")),
    ("1_3d", _l("1–3 days")),
    ("3_7d", _l("3–7 days")),
    ("over_7d", _l("> 7 days")),
]
BUDGET_FORMULA = _l("Spent ÷ planned × 100 over the lines of the quarter's approved budgets")
BUDGET = Owner(Budget.team_id)
"""A budget counts for its team (a team scope reads its team's; an agent none; the department all)."""


def legend() -> list[registry.Kpi]:
    """The KPIs the pages show, whose formulas they list as numbered notes (registry order)."""
    return [k for k in registry.KPIS.values() if k.table or k.breakdown]


def change(kpi: registry.Kpi, value, previous):
    """``value − previous`` in the KPI's decimals (from the rounded figures shown); None without both."""
    if value is None or previous is None:
        return None
    return round_half_up(Fraction(str(value)) - Fraction(str(previous)), kpi.decimals)


def is_good(kpi: registry.Kpi, delta) -> bool | None:
    """Whether a change is an improvement (None for no change)."""
    return None if not delta else (delta > 0) == (kpi.better == "up")


def backlog_ages(figures: dict[str, int]) -> dict[str, int]:
    """The open backlog by age at the end of the period: < 1 day, 1–3, 3–7, > 7 days, and past due."""
    n, over1, over3, over7 = (figures.get(k, 0) for k in ("total", "over1", "over3", "over7"))
    return {
        "total": n,
        "under_1d": n - over1,
        "1_3d": over1 - over3,
        "3_7d": over3 - over7,
        "over_7d": over7,
        "overdue": figures.get("overdue", 0),
    }


def comparison(board: Board, period: Period) -> dict:
    """The KPI table: each KPI of ``period`` and of the previous period, with the change."""
    previous = period.previous()
    now, before = board.values(period), board.values(previous)
    rows = []
    for k in table_kpis():
        delta = change(k, now[k.key], before[k.key])
        rows.append(
            {"kpi": k, "value": now[k.key], "previous": before[k.key], "delta": delta, "good": is_good(k, delta)}
        )
    return {
        "rows": rows,
        "period": period,
        "previous": previous,
        "backlog": backlog_ages(board.figures(period).windows.get("backlog", {})),
    }


def _names(grain: str, ids) -> dict[int, str]:
    model = Team if grain == "team" else User
    wanted = [i for i in ids if i]
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(wanted))).all()) if wanted else {}


def breakdown(board: Board, period: Period, grain: str, *, compare: bool = False) -> list[dict]:
    """Per team (``grain="team"``) or per agent: the breakdown KPIs (``values``), and with ``compare`` the
    previous period's (``previous``) and the changes (``change``); "—" names rows without a team/agent."""
    now = board.per(period, grain)
    before = board.per(period.previous(), grain) if compare else {}
    names = _names(grain, now)
    kpis = breakdown_kpis()
    rows = []
    for i, values in now.items():
        row = {"id": i, "name": names.get(i) or "—", "values": values}
        if compare:
            old = before.get(i, {})
            row["previous"] = {k.key: old.get(k.key) for k in kpis}
            row["change"] = {k.key: change(k, values[k.key], old.get(k.key)) for k in kpis}
        rows.append(row)
    return sorted(rows, key=lambda r: (r["id"] == 0, str(r["name"])))


def monthly_trend(scope: Scope | None, end, months: int = 6, keys=("opened", "resolved", "nps")) -> dict:
    """``keys`` (KPIs that add up by day) for each of the ``months`` months up to ``end``'s month.

    Stored days come from the snapshot in one query grouped by day, the rest live.
    """
    starts = [month_of(end - timedelta(days=1)).start]
    for _i in range(months - 1):
        starts.insert(0, month_of(starts[0] - timedelta(days=1)).start)
    kpis = [registry.KPIS[k] for k in keys]
    found = {}
    if scope is not None:
        found = snapshot.monthly(scope, starts[0], month_of(starts[-1]).end, registry.measures_of(kpis))
    series: dict[str, list] = {k: [] for k in keys}
    for start in starts:
        fig = Figures(found.get(start, Counts()), {})
        for k in kpis:
            series[k.key].append(registry.evaluate(k, fig))
    return {"labels": [s.strftime("%m/%Y") for s in starts], **series}


def mood_distribution(board: Board, period: Period) -> dict:
    """Emotion-notebook entries of the period by mood (the customer's team, the entry's author)."""
    moods = total(board.counts(period)).tally("moods")
    return {"labels": [str(label) for label in MOODS.values()], "values": [moods.get(k, 0) for k in MOODS]}


def categories(scope: Scope | None, period: Period, limit: int | None = None) -> list[dict]:
    """Requests opened in the period by category, most frequent first."""
    if scope is None:
        return []
    c = Complaint
    rows = db.session.execute(
        select(c.category, func.count().label("n"))
        .where(c.opened_at >= local_start(period.start), c.opened_at < local_start(period.end), scope.clause(REQUEST))
        .group_by(c.category)
        .order_by(func.count().desc(), c.category)
    ).all()
    result = [{"key": k, "label": str(COMPLAINT_CATEGORIES.get(k, k)), "count": n} for k, n in rows]
    return result[:limit] if limit else result


def budget_usage(scope: Scope | None, year: int, q: int) -> dict:
    """Planned and spent VND of the quarter's approved budgets in ``scope``, by category; ``used`` in %."""
    rows = []
    if scope is not None:
        rows = db.session.execute(
            select(BudgetLine.category, func.sum(BudgetLine.planned), func.sum(BudgetLine.spent))
            .join(Budget, Budget.id == BudgetLine.budget_id)
            .where(Budget.quarter == f"{year}-Q{q}", Budget.status == "approved", scope.clause(BUDGET))
            .group_by(BudgetLine.category)
            .order_by(BudgetLine.category)
        ).all()

    def used(spent, planned):
        return round_half_up(ratio(spent, planned), 1)

    lines = {cat: {"planned": int(p or 0), "spent": int(s or 0)} for cat, p, s in rows}
    for line in lines.values():
        line["used"] = used(line["spent"], line["planned"])
    care = [lines[k] for k in ("gifts", "campaigns") if k in lines]
    planned, spent = sum(x["planned"] for x in care), sum(x["spent"] for x in care)
    return {"lines": lines, "gifts_campaigns": {"planned": planned, "spent": spent, "used": used(spent, planned)}}


def report(scope: Scope, period: Period, board: Board | None = None) -> dict:
    """The head's report of ``period``: KPIs against the previous period, budget of the quarter the
    period starts in, top categories, and the per-team and per-agent figures with their changes."""
    board = board or Board(scope)
    year, q = quarter_of(period.start)
    budget = budget_usage(scope, year, q)
    lines = [{"key": k, "label": str(BUDGET_CATEGORIES.get(k, k)), **v} for k, v in budget["lines"].items()]
    planned, spent = sum(x["planned"] for x in lines), sum(x["spent"] for x in lines)
    return {
        "period": period,
        "table": comparison(board, period),
        "budget_quarter": quarter(year, q),
        "budget_lines": lines,
        "budget_total": {"planned": planned, "spent": spent, "used": round_half_up(ratio(spent, planned), 1)},
        "gifts_campaigns": budget["gifts_campaigns"],
        "categories": categories(scope, period, limit=10),
        "teams": breakdown(board, period, "team", compare=True),
        "agents": breakdown(board, period, "agent", compare=True),
        "columns": breakdown_kpis(),
    }
