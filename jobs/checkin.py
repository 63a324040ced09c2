"""Check-in: customers not contacted for ``days`` (``vip_days`` for VIPs) get a call task for their owner.

One task per silence: the key ``checkin:<customer>:<date of last contact>`` stays the same
until someone contacts the customer, so the daily run adds nothing for a customer already
waiting for a call. Customers who refused contact are left alone. Calls are planned into the
owner's free slots within the daily capacity (``services.call_plan``); a call with no free slot
within the planner's horizon is skipped and counted on the run (the next day's run tries again).
"""

from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from jobs.effects import CHUNK, add_tasks, existing_keys
from jobs.registry import RunContext, cron, job
from models import Appointment, Customer, db
from services.call_plan import CallPlanner

DEFAULTS = {"days": 90, "vip_days": 30, "max_per_run": 5000}


@job("checkin", trigger=cron(hour=7, minute=30), catch_up=True, title=_l("Periodic check-in"), defaults=DEFAULTS)
def checkin(ctx: RunContext) -> None:
    regular = ctx.now - timedelta(days=int(ctx.params.get("days") or 90))
    vip = ctx.now - timedelta(days=int(ctx.params.get("vip_days") or 30))
    limit = int(ctx.params.get("max_per_run") or 5000)
    last_seen = func.coalesce(Customer.last_contact_at, Customer.created_at)
    condition = and_(
        Customer.consent_contact.is_(True),
        Customer.kind == "customer",
        or_(last_seen < regular, and_(Customer.is_vip.is_(True), last_seen < vip)),
    )
    planner = CallPlanner()
    last_id = 0
    while ctx.processed < limit:
        customers = db.session.scalars(
            select(Customer)
            .where(condition, Customer.id > last_id)
            .order_by(Customer.id)
            .limit(min(CHUNK, limit - ctx.processed))
        ).all()
        if not customers:
            break
        keys = {c.id: f"checkin:{c.id}:{(c.last_contact_at or c.created_at):%Y%m%d}" for c in customers}
        planned = existing_keys(Appointment, Appointment.dedupe_key, list(keys.values()))
        rows, skipped = [], 0
        for customer in customers:
            if keys[customer.id] in planned:
                continue
            starts_at = planner.place(customer, ctx.now, customer.owner_id)
            if starts_at is None:
                skipped += 1
                continue
            seen = customer.last_contact_at or customer.created_at
            rows.append(
                dict(
                    customer_id=customer.id,
                    agent_id=customer.owner_id,
                    kind="check_in",
                    purpose=_("Check-in call: no contact since %(date)s", date=seen.strftime("%d/%m/%Y"))[:255],
                    starts_at=starts_at,
                    status="planned",
                    dedupe_key=keys[customer.id],
                )
            )
        last_id = customers[-1].id
        ctx.commit_chunk(processed=len(customers), created=add_tasks(rows), skipped=skipped)
