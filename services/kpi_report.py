"""KPI tables the dashboard and the quarterly report show: labels, formulas, comparisons, charts.

Everything is computed by ``services.kpis``; this module only arranges the figures
(current vs previous period, per team and per agent, by month) and writes the XLSX.
"""

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select

from models import Complaint, Team, User, db
from models.choices import BUDGET_CATEGORIES, COMPLAINT_CATEGORIES, MOODS
from services import kpi_periods, kpis


@dataclass(frozen=True)
class Kpi:
    key: str
    label: object
    formula: object
    unit: str = ""
    better: str = "up"
    """"up" when a larger value is better, "down" when smaller is."""


KPIS = [
    Kpi(
        "nps",
        _l("NPS"),
        _l("Percent of answers scoring 9–10 minus percent scoring 0–6 (answers with an NPS in the period)"),
    ),
    Kpi("csat_avg", _l("CSAT (average)"), _l("Sum of CSAT scores ÷ number of CSAT answers in the period (1–5)")),
    Kpi("csat_share", _l("Satisfied customers"), _l("CSAT answers of 4 or 5 ÷ all CSAT answers × 100"), "%"),
    Kpi(
        "fcr",
        _l("First-contact resolution"),
        _l("Complaints resolved at first contact ÷ complaints resolved × 100"),
        "%",
    ),
    Kpi(
        "resolved_share",
        _l("Opened and resolved"),
        _l("Complaints opened in the period and resolved by its end ÷ complaints opened in it × 100"),
        "%",
    ),
    Kpi(
        "opened",
        _l("Complaints opened"),
        _l("Complaints, support and warranty requests opened in the period"),
        "",
        "down",
    ),
    Kpi("resolved", _l("Complaints resolved"), _l("Requests whose resolution time falls in the period")),
    Kpi(
        "backlog",
        _l("Open backlog"),
        _l("Requests opened before the end of the period (or now) and not yet resolved or closed then"),
        "",
        "down",
    ),
    Kpi(
        "avg_hours",
        _l("Average time to resolve"),
        _l("Mean of (resolved − opened) over requests resolved in the period, in hours"),
        "h",
        "down",
    ),
    Kpi(
        "p90_hours",
        _l("90th percentile time to resolve"),
        _l("The ⌈0.9 × n⌉-th shortest (resolved − opened) of the n requests resolved in the period, in hours"),
        "h",
        "down",
    ),
    Kpi(
        "sla_breaches",
        _l("SLA breaches"),
        _l("Requests resolved in the period after their due time + requests open past their due time at its end"),
        "",
        "down",
    ),
    Kpi(
        "complaint_rate",
        _l("Complaints per 100 orders"),
        _l("Requests opened ÷ orders created in the period × 100"),
        "",
        "down",
    ),
    Kpi(
        "retention",
        _l("Retention"),
        _l(
            "Customers active (order or interaction) in both the previous and this period"
            " ÷ customers active in the previous period × 100"
        ),
        "%",
    ),
    Kpi(
        "churn",
        _l("Churn"),
        _l("100 − retention: customers active in the previous period but not in this one"),
        "%",
        "down",
    ),
    Kpi("engaged", _l("Engaged customers"), _l("Customers with at least one interaction in the period")),
    Kpi(
        "engagement",
        _l("Engagement rate"),
        _l("Engaged customers ÷ customers existing at the end of the period × 100"),
        "%",
    ),
]
KPI_BY_KEY = {k.key: k for k in KPIS}
BACKLOG_BUCKETS = [
    ("under_1d", _l("< 1 day")),
    ("1_3d", _l("1–3 days")),
    ("3_7d", _l("3–7 days")),
    ("over_7d", _l("> 7 days")),
]
BUDGET_FORMULA = _l("Spent ÷ planned × 100 over the lines of the quarter's approved budgets")


class Source:
    """One request's memo of the shared queries: the counts and the non-additive figures of a period.

    The dashboard asks for the same period's figures in the KPI table, the per-team and the
    per-agent tables; with one ``Source`` they are queried once. ``keep=False`` bypasses the
    kept figures of closed windows (``services.kpi_periods``), for tests comparing both paths.
    """

    def __init__(self, user, *, keep: bool = True, now: datetime | None = None):
        self.user = user
        self.keep = keep
        self.now = now or datetime.now(UTC)
        self._counts: dict = {}
        self._figures: dict = {}

    def counts(self, start: date, end: date) -> dict:
        if (start, end) not in self._counts:
            self._counts[start, end] = kpis.counts(self.user, start, end, snapshots=self.keep)
        return self._counts[start, end]

    def figures(self, start: date, end: date) -> dict:
        if (start, end) not in self._figures:
            self._figures[start, end] = kpi_periods.figures(self.user, start, end, now=self.now, keep=self.keep)
        return self._figures[start, end]

    def backlog_rows(self, start: date, end: date) -> dict:
        return {(r[0], r[1]): tuple(r[2:]) for r in self.figures(start, end)["backlog_rows"]}


def values(user, start: date, end: date, src: Source | None = None) -> dict:
    """Every KPI of ``[start, end)`` in ``user``'s scope, keyed like ``KPIS``."""
    src = src or Source(user)
    c = kpis.total(src.counts(start, end))
    fig = src.figures(start, end)
    backlog = kpis.backlog(user, end, rows=src.backlog_rows(start, end))
    act = fig["activity"]
    kept = kpis.retention(user, start, end, act=act)
    return {
        "nps": kpis.nps_of(c),
        "csat_avg": kpis.csat_avg_of(c),
        "csat_share": kpis.csat_share_of(c),
        "fcr": kpis.fcr_of(c),
        "resolved_share": fig["resolved_share"],
        "opened": c.opened,
        "resolved": c.resolved,
        "backlog": backlog["total"],
        "avg_hours": kpis.avg_resolve_hours_of(c),
        "p90_hours": fig["p90"] if "p90" in fig else kpis.p90_hours_of(c),
        "sla_breaches": c.resolved_late + backlog["overdue"],
        "complaint_rate": kpis.complaint_rate_of(c),
        "retention": kept["retention"],
        "churn": kept["churn"],
        "engaged": act["engaged"],
        "engagement": kpis.ratio(act["engaged"], fig["customers"]),
        "_backlog": backlog,
    }


def comparison(user, start: date, end: date, src: Source | None = None) -> dict:
    """The KPI table: each KPI now and in the previous period of the same length, with the change."""
    src = src or Source(user)
    now = values(user, start, end, src)
    p_start, p_end = kpis.previous_period(start, end)
    before = values(user, p_start, p_end, src)
    rows = []
    for k in KPIS:
        cur, prev = now[k.key], before[k.key]
        delta = None if cur is None or prev is None else round(cur - prev, 2)
        good = None if not delta else (delta > 0) == (k.better == "up")
        rows.append({"kpi": k, "value": cur, "previous": prev, "delta": delta, "good": good})
    return {
        "rows": rows,
        "backlog": now["_backlog"],
        "previous_start": p_start,
        "previous_end": p_end,
    }


def breakdown(user, start: date, end: date, grain: str, src: Source | None = None) -> list[dict]:
    """Per team (``grain="team"``) or per agent: the additive KPIs and the open backlog."""
    src = src or Source(user)
    rows = kpis.by(src.counts(start, end), grain)
    index = 0 if grain == "team" else 1
    open_now: dict[int, int] = {}
    for key, figures in src.backlog_rows(start, end).items():
        open_now[key[index]] = open_now.get(key[index], 0) + figures[0]
    for key in open_now:
        rows.setdefault(key, kpis.Counts())
    model = Team if grain == "team" else User
    names = dict(db.session.execute(select(model.id, model.name).where(model.id.in_([k for k in rows if k]))).all())
    result = []
    for key, c in rows.items():
        result.append(
            {
                "id": key,
                "name": names.get(key) or "—",
                "opened": c.opened,
                "resolved": c.resolved,
                "fcr": kpis.fcr_of(c),
                "avg_hours": kpis.avg_resolve_hours_of(c),
                "late": c.resolved_late,
                "nps": kpis.nps_of(c),
                "csat_avg": kpis.csat_avg_of(c),
                "orders": c.orders,
                "complaint_rate": kpis.complaint_rate_of(c),
                "backlog": open_now.get(key, 0),
            }
        )
    return sorted(result, key=lambda r: (r["id"] == 0, str(r["name"])))


def monthly_trend(user, end: date, months: int = 6) -> dict:
    """Requests opened, resolved and NPS for each of the ``months`` months up to ``end``'s month.

    Past days come from the daily snapshots in one query grouped by day, the rest live.
    """
    first, _ = kpis.month_period(end - timedelta(days=1))
    starts = []
    for _i in range(months):
        starts.insert(0, first)
        first = (first - timedelta(days=1)).replace(day=1)
    per_month = kpis.monthly_counts(user, starts[0], kpis.month_period(starts[-1])[1])
    labels, opened, resolved, nps = [], [], [], []
    for start in starts:
        c = per_month.get(start, kpis.Counts())
        labels.append(start.strftime("%m/%Y"))
        opened.append(c.opened)
        resolved.append(c.resolved)
        nps.append(kpis.nps_of(c))
    return {"labels": labels, "opened": opened, "resolved": resolved, "nps": nps}


def mood_distribution(user, start: date, end: date, src: Source | None = None) -> dict:
    """Emotion-notebook entries of the period by mood (the emotion scope: own entries, team, all).

    Counted with the period's other counts (``kpis.counts``: snapshot days plus live rows).
    """
    c = kpis.total(src.counts(start, end) if src else kpis.counts(user, start, end))
    return {"labels": [str(label) for label in MOODS.values()], "values": [c.moods.get(k, 0) for k in MOODS]}


def categories(user, start: date, end: date, limit: int | None = None) -> list[dict]:
    """Requests opened in the period by category, most frequent first."""
    c = Complaint
    rows = db.session.execute(
        select(c.category, func.count().label("n"))
        .where(
            c.opened_at >= kpis.local_start(start),
            c.opened_at < kpis.local_start(end),
            kpis.row_scope(user, "complaint"),
        )
        .group_by(c.category)
        .order_by(func.count().desc(), c.category)
    ).all()
    result = [{"key": k, "label": str(COMPLAINT_CATEGORIES.get(k, k)), "count": n} for k, n in rows]
    return result[:limit] if limit else result


def quarter_report(user, year: int, q: int) -> dict:
    """The head's quarterly report: KPIs with the previous quarter, budget, top categories."""
    start, end = kpis.quarter_period(year, q)
    src = Source(user)
    budget = kpis.budget_usage(user, year, q)
    lines = [{"key": k, "label": str(BUDGET_CATEGORIES.get(k, k)), **v} for k, v in budget["lines"].items()]
    return {
        "year": year,
        "q": q,
        "start": start,
        "end": end,
        "table": comparison(user, start, end, src),
        "budget_lines": lines,
        "budget_total": {
            "planned": sum(x["planned"] for x in lines),
            "spent": sum(x["spent"] for x in lines),
        },
        "gifts_campaigns": budget["gifts_campaigns"],
        "categories": categories(user, start, end, limit=10),
        "teams": breakdown(user, start, end, "team", src),
    }


def quarter_xlsx(report: dict) -> bytes:
    """The quarterly report as an XLSX workbook: KPIs, Budget and Categories sheets."""
    wb = Workbook()
    ws = wb.active
    ws.title = "KPI"
    bold = Font(bold=True)
    ws.append([str(_l("Quarterly report")), f"{report['year']}-Q{report['q']}"])
    ws.append([str(_l("KPI")), str(_l("This quarter")), str(_l("Previous quarter")), str(_l("Formula"))])
    for cell in ws[2]:
        cell.font = bold
    for row in report["table"]["rows"]:
        ws.append([str(row["kpi"].label), row["value"], row["previous"], str(row["kpi"].formula)])
    sheet = wb.create_sheet("Budget")
    sheet.append([str(_l("Category")), str(_l("Planned (VND)")), str(_l("Spent (VND)")), str(_l("Used (%)"))])
    for line in report["budget_lines"]:
        sheet.append([line["label"], line["planned"], line["spent"], line["used"]])
    sheet.append([str(_l("Total")), report["budget_total"]["planned"], report["budget_total"]["spent"]])
    sheet = wb.create_sheet("Categories")
    sheet.append([str(_l("Category")), str(_l("Requests"))])
    for cat in report["categories"]:
        sheet.append([cat["label"], cat["count"]])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
