"""The admin home: a dashboard per role, and the head's quarterly report (page and XLSX).

Figures come from ``services.kpis`` / ``services.kpi_report`` in the user's dashboard scope;
the lists from ``services.worklists``. The templates only loop and format.
"""

from datetime import UTC, date, datetime, timedelta

from flask import Response, abort, redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import BuildError

from admin.exports import XLSX_MIMETYPE
from models import db
from services import audit, kpi_report, kpis, worklists
from services.errors import ValidationError
from services.formatting import format_date
from services.validation import parse_date

PRESETS = {
    "this_month": _l("This month"),
    "last_month": _l("Last month"),
    "this_quarter": _l("This quarter"),
    "last_quarter": _l("Last quarter"),
}


def resolve_period(args, today: date) -> tuple[date, date, str, list[str]]:
    """``[start, end)`` from ``?start=dd/mm/yyyy&end=dd/mm/yyyy`` (end inclusive) or ``?preset=``.

    Returns (start, end, preset or "", errors); a bad or reversed range falls back to this month.
    """
    errors: list[str] = []
    if args.get("start") or args.get("end"):
        try:
            start = parse_date(args.get("start"), "start", required=True)
            last = parse_date(args.get("end"), "end", required=True)
            if last < start:
                raise ValidationError({"end": [_("The end date is before the start date.")]})
            if (last - start).days > 3 * 366:
                raise ValidationError({"end": [_("Choose a period of at most three years.")]})
            return start, last + timedelta(days=1), "", errors
        except ValidationError as exc:
            errors = [str(m) for messages in exc.errors.values() for m in messages]
    preset = args.get("preset") if args.get("preset") in PRESETS else "this_month"
    if preset == "last_month":
        start, end = kpis.month_period(today.replace(day=1) - timedelta(days=1))
    elif preset in ("this_quarter", "last_quarter"):
        year, q = kpis.quarter_of(today)
        if preset == "last_quarter":
            year, q = (year - 1, 4) if q == 1 else (year, q - 1)
        start, end = kpis.quarter_period(year, q)
    else:
        start, end = kpis.month_period(today)
    return start, end, preset, errors


def _link(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


class DashboardView(AdminIndexView):
    """The home page; what it shows depends on the role (access.MATRIX["dashboard"])."""

    def __init__(self, **kwargs):
        kwargs.setdefault("name", _l("Dashboard"))
        super().__init__(**kwargs)

    def is_accessible(self):
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    @expose("/")
    def index(self):
        user = current_user._get_current_object()
        scope = kpis.dashboard_scope(user)
        today = kpis.today()
        if scope == "own":
            page = self._agent(user, today)
        elif scope == "team":
            page = self._lead(user, today)
        elif scope == "all":
            page = self._head(user, today)
        else:
            return self.render("admin/dashboard/admin.html", links=self._admin_links())
        db.session.commit()  # keeps the figures of closed windows computed here (services.kpi_periods)
        return page

    # ---- per role ----------------------------------------------------------
    def _agent(self, user, today: date):
        start, end = kpis.month_period(today)
        monday = today - timedelta(days=today.weekday())
        src = kpi_report.Source(user)
        return self.render(
            "admin/dashboard/agent.html",
            complaints=worklists.open_complaints(user),
            appointments=worklists.appointments_on(user, today),
            birthdays=worklists.birthdays_between(user, monday, 7),
            table=kpi_report.comparison(user, start, end, src),
            start=start,
            last=end - timedelta(days=1),
            charts=self._charts(user, start, end, src),
            **self._common(),
        )

    def _lead(self, user, today: date):
        start, end = kpis.month_period(today)
        src = kpi_report.Source(user)
        return self.render(
            "admin/dashboard/lead.html",
            queue=worklists.open_complaints(user, limit=30),
            overdue=worklists.overdue_complaints(user, datetime.now(UTC)),
            escalated=worklists.escalated_complaints(user),
            appointments=worklists.appointments_on(user, today),
            agents=kpi_report.breakdown(user, start, end, "agent", src),
            table=kpi_report.comparison(user, start, end, src),
            start=start,
            last=end - timedelta(days=1),
            charts=self._charts(user, start, end, src),
            **self._common(),
        )

    def _head(self, user, today: date):
        start, end, preset, errors = resolve_period(request.args, today)
        year, q = kpis.quarter_of(start)
        src = kpi_report.Source(user)
        table = kpi_report.comparison(user, start, end, src)
        return self.render(
            "admin/dashboard/head.html",
            table=table,
            teams=kpi_report.breakdown(user, start, end, "team", src),
            agents=kpi_report.breakdown(user, start, end, "agent", src),
            budget=kpis.budget_usage(user, year, q),
            budget_quarter=f"{year}-Q{q}",
            report_url=url_for(".report_quarter", year=year, q=q),
            start=start,
            last=end - timedelta(days=1),
            previous_last=table["previous_end"] - timedelta(days=1),
            preset=preset,
            presets=PRESETS,
            errors=errors,
            charts=self._charts(user, start, end, src),
            **self._common(),
        )

    def _common(self) -> dict:
        return {
            "buckets": kpi_report.BACKLOG_BUCKETS,
            "kpi_info": kpi_report.KPI_BY_KEY,
            "budget_formula": kpi_report.BUDGET_FORMULA,
            "complaint_url": lambda c: _link("complaints.details_view", id=c.id),
            "customer_url": lambda c: _link("customers.details_view", id=c.id),
            "format_date": format_date,
        }

    @staticmethod
    def _charts(user, start: date, end: date, src: kpi_report.Source) -> dict:
        cats = kpi_report.categories(user, start, end)
        return {
            "trend": kpi_report.monthly_trend(user, end),
            "moods": kpi_report.mood_distribution(user, start, end, src),
            "categories": {"labels": [c["label"] for c in cats], "values": [c["count"] for c in cats]},
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

    # ---- the quarterly report ---------------------------------------------------
    @expose("/report/quarter/")
    def report_quarter(self):
        user = current_user._get_current_object()
        if kpis.dashboard_scope(user) != "all":
            abort(403)
        today = kpis.today()
        year, q = kpis.quarter_of(today)
        try:
            year = int(request.args.get("year", year))
            q = int(request.args.get("q", q))
        except ValueError:
            abort(404)
        if not (2000 <= year <= 2100 and 1 <= q <= 4):
            abort(404)
        report = kpi_report.quarter_report(user, year, q)
        if request.args.get("format") == "xlsx":
            data = kpi_report.quarter_xlsx(report)
            audit.record("export", object_type="KpiReport", object_id=f"{year}-Q{q}", detail="xlsx")
            db.session.commit()
            return Response(
                data,
                mimetype=XLSX_MIMETYPE,
                headers={"Content-Disposition": f'attachment; filename="kpi-{year}-Q{q}.xlsx"'},
            )
        page = self.render(
            "admin/dashboard/quarter.html",
            report=report,
            last=report["end"] - timedelta(days=1),
            xlsx_url=url_for(".report_quarter", year=year, q=q, format="xlsx"),
            **self._common(),
        )
        db.session.commit()  # the kept figures of the quarter (services.kpi_periods)
        return page
