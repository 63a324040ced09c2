"""The admin home: a dashboard per role, and the head's KPI report (page, print view and XLSX).

Figures come from ``services.kpi`` in the user's scope (``scope_of``); the lists from
``services.worklists``. The templates only loop; numbers are written by ``services.kpi.numbers``.
"""

from datetime import UTC, date, datetime, timedelta

from flask import Response, abort, request, url_for
from flask_admin import AdminIndexView, expose
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import BuildError

from admin.listing.exports import XLSX_MIMETYPE
from admin.pages import SecurePage
from models import db
from services import audit, inbox, worklists
from services.formatting import format_date
from services.kpi import numbers, periods, report, workbook
from services.kpi.board import Board
from services.kpi.periods import Period
from services.kpi.scope import scope_of


def _link(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def kpi_text(value, kpi) -> str:
    return numbers.display(value, kpi.unit, kpi.decimals)


def kpi_change(value, kpi) -> str:
    return numbers.display(value, kpi.unit, kpi.decimals, signed=True)


FORMATTERS = {
    "kpi_text": kpi_text,
    "kpi_change": kpi_change,
    "percent": lambda value: numbers.display(value, "%", 1),
    "count": numbers.number,
    "format_date": format_date,
}
"""How the dashboard templates write figures (in the user's language) and dates."""
LEAD_APPOINTMENTS = 10
"""Today's call-backs on the lead's dashboard: the first few (the inbox lists them all, paged)."""
CHART_LOCALES = {"vi": "vi-VN", "en": "en-GB"}
"""The charts' number format (Intl), by the user's language."""


class DashboardView(SecurePage, AdminIndexView):
    """The home page; what it shows depends on the user's dashboard scope (access.MATRIX["dashboard"])."""

    def __init__(self, **kwargs):
        kwargs.setdefault("name", _l("Dashboard"))
        super().__init__(**kwargs)

    @expose("/")
    def index(self):
        """Agents and leads start the day on their inbox (rendered here, so /admin/ answers 200); the head and
        the administrator on their dashboard."""
        user = current_user._get_current_object()
        if inbox.has_inbox(user):
            view = next((v for v in self.admin._views if v.endpoint == "inbox"), None)
            if view is not None:
                return view.index()
        return self.figures()

    @expose("/dashboard/")
    def figures(self):
        """The dashboard of the user's scope: an agent's or a lead's figures, the head's KPIs."""
        user = current_user._get_current_object()
        scope = scope_of(user)
        today = periods.today()
        if scope is None:
            return self.render("admin/dashboard/admin.html", links=self._admin_links())
        board = Board(scope)
        if scope.kind == "agent":
            page = self._agent(user, board, today)
        elif scope.kind == "team":
            page = self._lead(user, board, today)
        else:
            page = self._head(board, today)
        db.session.commit()  # keeps the figures of closed windows computed here (services.kpi.kept)
        return page

    # ---- per role ----------------------------------------------------------
    def _agent(self, user, board: Board, today: date):
        period = periods.month_of(today)
        monday = today - timedelta(days=today.weekday())
        return self.render(
            "admin/dashboard/agent.html",
            complaints=worklists.open_complaints(user),
            appointments=worklists.appointments_on(user, today),
            birthdays=worklists.birthdays_between(user, monday, 7),
            **self._figures(board, period),
        )

    def _lead(self, user, board: Board, today: date):
        """The per-agent figures first, for the period the lead picks (this week … custom dates); the
        queues are short (the inbox holds the whole day)."""
        period, preset, errors = periods.from_args(request.args, today)
        return self.render(
            "admin/dashboard/lead.html",
            queue=worklists.open_complaints(user, limit=10),
            overdue=worklists.overdue_complaints(user, datetime.now(UTC)),
            escalated=worklists.escalated_complaints(user, limit=10),
            appointments=worklists.appointments_on(user, today, limit=LEAD_APPOINTMENTS),
            agents=report.breakdown(board, period, "agent"),
            **self._picker(period, preset, errors, today),
            **self._figures(board, period),
        )

    def _head(self, board: Board, today: date):
        period, preset, errors = periods.from_args(request.args, today)
        year, q = periods.quarter_of(period.start)
        return self.render(
            "admin/dashboard/head.html",
            teams=report.breakdown(board, period, "team"),
            agents=report.breakdown(board, period, "agent"),
            budget=report.budget_usage(board.scope, year, q),
            budget_quarter=periods.quarter(year, q),
            report_url=self._report_url(period),
            **self._picker(period, preset, errors, today),
            **self._figures(board, period),
        )

    def _figures(self, board: Board, period: Period) -> dict:
        """The KPI table, the charts and the formulas' legend of ``period``."""
        return {
            "table": report.comparison(board, period),
            "period": period,
            "charts": self._charts(board, period),
            **self._common(),
        }

    def _common(self) -> dict:
        return {
            "buckets": report.BACKLOG_BUCKETS,
            "legend": report.legend(),
            "note": {kpi.key: n for n, kpi in enumerate(report.legend(), start=1)},
            "columns": report.breakdown_kpis(),
            "budget_formula": report.BUDGET_FORMULA,
            "complaint_url": lambda c: _link("complaints.details_view", id=c.id),
            "customer_url": lambda c: _link("customers.details_view", id=c.id),
            **FORMATTERS,
        }

    @staticmethod
    def _picker(period: Period, preset: str, errors: list[str], today: date) -> dict:
        return {
            "preset": preset,
            "presets": periods.PRESETS,
            "choices": periods.choices(today),
            "errors": errors,
            "chosen": period.code or "",
        }

    @staticmethod
    def _report_url(period: Period, **extra) -> str:
        if period.code:
            return url_for(".report", period=period.code, **extra)
        return url_for(".report", start=format_date(period.start), end=format_date(period.last), **extra)

    @staticmethod
    def _charts(board: Board, period: Period) -> dict:
        cats = report.categories(board.scope, period)
        return {
            "trend": report.monthly_trend(board.scope, period.end),
            "moods": report.mood_distribution(board, period),
            "categories": {"labels": [c["label"] for c in cats], "values": [c["count"] for c in cats]},
            "locale": CHART_LOCALES.get(str(get_locale()), "vi-VN"),
            "text": {
                "opened": _("Requests opened"),
                "resolved": _("Requests resolved"),
                "nps": _("NPS"),
                "entries": _("Entries"),
            },
        }

    @staticmethod
    def _admin_links() -> list[tuple[str, str]]:
        wanted = [
            ("staff.index_view", _("Staff accounts")),
            ("teams.index_view", _("Teams")),
            ("audit.index_view", _("Audit log")),
            ("jobs.index_view", _("Scheduled jobs")),
            ("job_runs.index_view", _("Job runs")),
        ]
        return [(label, url) for endpoint, label in wanted if (url := _link(endpoint))]

    # ---- the head's report ---------------------------------------------------
    @expose("/report/")
    def report(self):
        """The report of a month, quarter (the default: this one), year or range; ``format=xlsx`` downloads it."""
        today = periods.today()
        period, preset, errors = periods.from_args(request.args, today, default="this_quarter")
        return self._report(period, preset, errors, today)

    @expose("/report/quarter/")
    def report_quarter(self):
        """The report of ``?year=2025&q=4`` (the first address of the quarterly report)."""
        try:
            period = periods.quarter(int(request.args.get("year", 0)), int(request.args.get("q", 0)))
        except ValueError:
            abort(404)
        if not 2000 <= period.start.year <= 2100:
            abort(404)
        return self._report(period, "", [], periods.today())

    def _report(self, period: Period, preset: str, errors: list[str], today: date):
        scope = scope_of(current_user._get_current_object())
        if scope is None or scope.kind != "department":
            abort(403)
        data = report.report(scope, period)
        if request.args.get("format") == "xlsx":
            content = workbook.build(data)
            audit.record("export", object_type="KpiReport", object_id=period.code or period.dates, detail="xlsx")
            db.session.commit()
            name = (period.code or f"{period.start:%Y%m%d}-{period.last:%Y%m%d}").lower()
            return Response(
                content,
                mimetype=XLSX_MIMETYPE,
                headers={"Content-Disposition": f'attachment; filename="kpi-{name}.xlsx"'},
            )
        page = self.render(
            "admin/dashboard/report.html",
            report=data,
            period=period,
            table=data["table"],
            xlsx_url=self._report_url(period, format="xlsx"),
            **self._picker(period, preset, errors, today),
            **self._common(),
        )
        db.session.commit()  # the kept figures of the period (services.kpi.kept)
        return page
