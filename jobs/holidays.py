"""Holidays: Tết, 30/4 and 2/9 from the ``holidays`` package's Vietnam calendar, plus company dates.

Runs each morning; when a holiday falls ``lead_days`` ahead, every customer of the segment
(VIP only by default) gets a gift and a greeting, once per occasion and year. Company dates
come from params ``company_dates``: ``[{"date": "03-15", "occasion": "anniversary", "name": "…"}]``.
"""

from datetime import date, timedelta

import holidays as holiday_calendars
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from jobs.effects import CUSTOMER_FIELDS, grant
from jobs.registry import RunContext, cron, job
from models import Customer
from services import segments

DEFAULTS = {
    "lead_days": 7,
    "vip_only": True,
    "segment": {"kind": "customer"},
    "occasions": ["tet", "reunification", "national_day"],
    "company_dates": [],
    "item": "",
    "value": 0,
    "budget_line_id": None,
}


def occasions_on(day: date, company_dates: list[dict] | None = None) -> list[tuple[str, str]]:
    """(occasion code, name) of the national and company dates falling on ``day``."""
    found = []
    calendar = holiday_calendars.country_holidays("VN", years=day.year, language="en_US")
    name = calendar.get(day)
    if name == "Lunar New Year":
        found.append(("tet", name))
    elif (day.month, day.day) == (4, 30):
        found.append(("reunification", name or "30/4"))
    elif (day.month, day.day) == (9, 2):
        found.append(("national_day", name or "2/9"))
    for entry in company_dates or []:
        if entry.get("date") == day.strftime("%m-%d"):
            found.append((entry.get("occasion") or "anniversary", entry.get("name") or ""))
    return found


@job("holidays", trigger=cron(hour=7, minute=5), catch_up=True, title=_l("Holiday gifts"), defaults=DEFAULTS)
def holiday_gifts(ctx: RunContext) -> None:
    params = ctx.params
    target = ctx.day + timedelta(days=int(params.get("lead_days") or 0))
    wanted = set(params.get("occasions") or [])
    for occasion, name in occasions_on(target, params.get("company_dates")):
        if occasion not in wanted and occasion not in {e.get("occasion") for e in params.get("company_dates") or []}:
            continue
        audience = select(*CUSTOMER_FIELDS).where(segments.clause(params.get("segment")))
        if params.get("vip_only"):
            audience = audience.where(Customer.is_vip.is_(True))
        grant(
            ctx,
            audience,
            occasion=occasion,
            year=target.year,
            item=params.get("item") or None,
            value=int(params.get("value") or 0),
            budget_line_id=params.get("budget_line_id"),
            subject=params.get("subject") or _("Season's greetings, {name}!"),
            template=params.get("template")
            or _("Dear {name}, the customer care team sends you its best wishes for %(holiday)s.", holiday=name),
            message_key=lambda cid, o=occasion, y=target.year: f"{o}:{y}:{cid}",
        )
