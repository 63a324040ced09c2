"""The KPIs the head reads (NPS, CSAT, FCR, backlog, time to resolve, SLA, retention…), one entry each.

Order here is the order on the dashboard and in the report. docs/kpis.md gives each formula in full
and the recipe to add one ("Add a KPI": an entry here, its Vietnamese, its line in the docs).
"""

from fractions import Fraction

from flask_babel import lazy_gettext as _l

from models import Complaint, Customer, EmotionEntry, Order, SurveyAnswer
from services.kpi import windows
from services.kpi.measures import Measure, Source, count
from services.kpi.registry import Complement, Kpi, Percentile, Ratio, Total, Window, register
from services.kpi.scope import Owner

HOUR = Fraction(1, 3600)

# ---- sources: which rows, on which day, for whom -------------------------------------------------
OPENED = Source("requests_opened", Complaint, Complaint.opened_at, windows.REQUEST)
RESOLVED = Source("requests_resolved", Complaint, Complaint.resolved_at, windows.REQUEST)
SURVEYS = Source(
    "surveys",
    SurveyAnswer,
    SurveyAnswer.answered_at,
    windows.CUSTOMER,
    ((Customer, Customer.id == SurveyAnswer.customer_id),),
)
ORDERS = Source("orders", Order, Order.created_at, windows.CUSTOMER, ((Customer, Customer.id == Order.customer_id),))
EMOTIONS = Source(
    "emotions",
    EmotionEntry,
    EmotionEntry.created_at,
    Owner(Customer.team_id, EmotionEntry.author_id),
    ((Customer, Customer.id == EmotionEntry.customer_id),),
)


def _seconds(opened, resolved) -> int:
    """Whole seconds from opening to resolution, computed in Python so every database agrees."""
    return max(0, int((resolved - opened).total_seconds()))


_TIMES = (Complaint.opened_at, Complaint.resolved_at)
NPS, CSAT = SurveyAnswer.nps, SurveyAnswer.csat
register(
    count("opened", OPENED),
    count("resolved", RESOLVED),
    count("resolved_fcr", RESOLVED, Complaint.first_contact_resolved.is_(True)),
    count("resolved_late", RESOLVED, Complaint.resolved_at > Complaint.due_at),
    Measure("resolve_seconds", RESOLVED, each=_seconds, columns=_TIMES),
    Measure("durations", RESOLVED, each=_seconds, columns=_TIMES, kind="values"),
    count("nps_answers", SURVEYS, NPS.is_not(None)),
    count("promoters", SURVEYS, NPS >= 9),
    count("detractors", SURVEYS, NPS <= 6),
    count("csat_answers", SURVEYS, CSAT.is_not(None)),
    Measure("csat_sum", SURVEYS, CSAT),
    count("csat_satisfied", SURVEYS, CSAT >= 4),
    count("orders", ORDERS),
    Measure("moods", EMOTIONS, EmotionEntry.mood, kind="tally"),
    Window("backlog", windows.backlog, by_key=True),
    Window("resolved_by_end", windows.resolved_by_end),
    Window("activity", windows.activity, windows.activity_since),
    Window("customers", windows.customers, windows.customers_since),
)

RETENTION = Ratio("activity.retained", "activity.previous_active")
register(
    Kpi(
        "nps",
        _l("NPS"),
        _l("Percent of answers scoring 9–10 minus percent scoring 0–6 (answers with an NPS in the period)"),
        Ratio(("promoters", "-detractors"), "nps_answers"),
        decimals=1,
        short=_l("NPS"),
        breakdown=True,
    ),
    Kpi(
        "csat_avg",
        _l("CSAT (average)"),
        _l("Sum of CSAT scores ÷ number of CSAT answers in the period (1–5)"),
        Ratio("csat_sum", "csat_answers", scale=1),
        decimals=2,
        short=_l("CSAT"),
        breakdown=True,
    ),
    Kpi(
        "csat_share",
        _l("Satisfied customers"),
        _l("CSAT answers of 4 or 5 ÷ all CSAT answers × 100"),
        Ratio("csat_satisfied", "csat_answers"),
        unit="%",
        decimals=1,
    ),
    Kpi(
        "fcr",
        _l("First-contact resolution"),
        _l("Complaints resolved at first contact ÷ complaints resolved × 100"),
        Ratio("resolved_fcr", "resolved"),
        unit="%",
        decimals=1,
        short=_l("FCR"),
        breakdown=True,
    ),
    Kpi(
        "resolved_share",
        _l("Opened and resolved"),
        _l("Complaints opened in the period and resolved by its end ÷ complaints opened in it × 100"),
        Ratio("resolved_by_end.resolved", "resolved_by_end.opened"),
        unit="%",
        decimals=1,
    ),
    Kpi(
        "opened",
        _l("Complaints opened"),
        _l("Complaints, support and warranty requests opened in the period"),
        Total("opened"),
        better="down",
        short=_l("Opened"),
        breakdown=True,
    ),
    Kpi(
        "resolved",
        _l("Complaints resolved"),
        _l("Requests whose resolution time falls in the period"),
        Total("resolved"),
        short=_l("Resolved"),
        breakdown=True,
    ),
    Kpi(
        "backlog",
        _l("Open backlog"),
        _l("Requests opened before the end of the period (or now) and not yet resolved or closed then"),
        Total("backlog.total"),
        better="down",
        short=_l("Open"),
        breakdown=True,
    ),
    Kpi(
        "avg_hours",
        _l("Average time to resolve"),
        _l("Mean of (resolved − opened) over requests resolved in the period, in hours"),
        Ratio("resolve_seconds", "resolved", scale=HOUR),
        unit="h",
        decimals=1,
        better="down",
        short=_l("Avg. time"),
        breakdown=True,
    ),
    Kpi(
        "p90_hours",
        _l("90th percentile time to resolve"),
        _l("The ⌈0.9 × n⌉-th shortest (resolved − opened) of the n requests resolved in the period, in hours"),
        Percentile("durations", scale=HOUR),
        unit="h",
        decimals=1,
        better="down",
    ),
    Kpi(
        "resolved_late",
        _l("Resolved late"),
        _l("Requests resolved in the period after their due time"),
        Total("resolved_late"),
        better="down",
        breakdown=True,
        table=False,
    ),
    Kpi(
        "sla_breaches",
        _l("SLA breaches"),
        _l("Requests resolved in the period after their due time + requests open past their due time at its end"),
        Total(("resolved_late", "backlog.overdue")),
        better="down",
    ),
    Kpi(
        "complaint_rate",
        _l("Complaints per 100 orders"),
        _l("Requests opened ÷ orders created in the period × 100"),
        Ratio("opened", "orders"),
        decimals=1,
        better="down",
        short=_l("Per 100 orders"),
        breakdown=True,
    ),
    Kpi(
        "retention",
        _l("Retention"),
        _l(
            "Customers active (order or interaction) in both the previous and this period"
            " ÷ customers active in the previous period × 100"
        ),
        RETENTION,
        unit="%",
        decimals=1,
    ),
    Kpi(
        "churn",
        _l("Churn"),
        _l("100 − retention: customers active in the previous period but not in this one"),
        Complement(RETENTION),
        unit="%",
        decimals=1,
        better="down",
    ),
    Kpi(
        "engaged",
        _l("Engaged customers"),
        _l("Customers with at least one interaction in the period"),
        Total("activity.engaged"),
    ),
    Kpi(
        "engagement",
        _l("Engagement rate"),
        _l("Engaged customers ÷ customers existing at the end of the period × 100"),
        Ratio("activity.engaged", "customers.count"),
        unit="%",
        decimals=1,
    ),
)
