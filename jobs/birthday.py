"""Birthday: each morning, a gift and a greeting for customers whose birthday is ``lead_days`` ahead.

Parameters (JobSetting.params, edited by the head): ``lead_days``, ``vip_only``, ``segment``
(a saved customer filter, services.segments), ``item`` and ``value`` of the gift (no item:
greeting only), ``budget_line_id``, ``subject`` and ``template`` of the greeting. One gift per
customer per year (the Gift unique key) and one greeting per customer per year (dedupe key).
"""

from calendar import isleap
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from jobs.effects import CUSTOMER_FIELDS, grant
from jobs.registry import RunContext, cron, job
from models import Customer
from services import segments

DEFAULTS = {
    "lead_days": 3,
    "vip_only": False,
    "segment": {"kind": "customer"},
    "item": "",
    "value": 0,
    "budget_line_id": None,
    "subject": "",
    "template": "",
}


def birthday_clause(target: date):
    """Customers born on ``target``'s day and month; 29/2 birthdays count on 28/2 in common years."""
    same_day = and_(Customer.birth_month == target.month, Customer.birth_day == target.day)
    if target.month == 2 and target.day == 28 and not isleap(target.year):
        return or_(same_day, and_(Customer.birth_month == 2, Customer.birth_day == 29))
    return same_day


@job("birthday", trigger=cron(hour=7, minute=0), catch_up=True, title=_l("Birthday gifts"), defaults=DEFAULTS)
def birthday(ctx: RunContext) -> None:
    params = ctx.params
    target = ctx.day + timedelta(days=int(params.get("lead_days") or 0))
    audience = select(*CUSTOMER_FIELDS).where(birthday_clause(target), segments.clause(params.get("segment")))
    if params.get("vip_only"):
        audience = audience.where(Customer.is_vip.is_(True))
    grant(
        ctx,
        audience,
        occasion="birthday",
        year=target.year,
        item=params.get("item") or None,
        value=int(params.get("value") or 0),
        budget_line_id=params.get("budget_line_id"),
        subject=params.get("subject") or _("Happy birthday, {name}!"),
        template=params.get("template")
        or _("Dear {name}, the customer care team wishes you a happy birthday and a wonderful year."),
        message_key=lambda cid: f"birthday:{target.year}:{cid}",
    )
