"""Follow-up: ``days`` after a complaint is resolved, a call-back task for its agent in a free slot.

One task per resolution: the key ``followup:<complaint>:<times reopened>`` means a complaint
that is reopened and resolved again gets a new follow-up, and a re-run adds nothing.

Calls are planned by ``services.call_plan`` (the agent's daily capacity, breaks, the customer's
hours, the agent's booked calls; spilling to the next working days). A follow-up that came due
more than ``max_late_days`` ago is not worth a call any more: it is skipped and counted on the
run (``JobRun.skipped``) once, by the run during which it became that late. So the first start
over two months of old data plans the last week's follow-ups, not 1,200 calls for today.
"""

from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from jobs.effects import CHUNK, add_tasks, existing_keys
from jobs.registry import RunContext, cron, job
from models import Appointment, Complaint, Customer, JobRun, db
from services.call_plan import CallPlanner

DEFAULTS = {"days": 3, "window_days": 60, "max_late_days": 7}


@job(
    "followup", trigger=cron(hour=8, minute=0), catch_up=True, title=_l("Follow-up after resolution"), defaults=DEFAULTS
)
def followup(ctx: RunContext) -> None:
    days = int(ctx.params.get("days") or 3)
    late = int(ctx.params.get("max_late_days") if ctx.params.get("max_late_days") is not None else 7)
    until = ctx.now - timedelta(days=days)
    since = until - timedelta(days=int(ctx.params.get("window_days") or 60))
    too_late = until - timedelta(days=late)
    ctx.commit_chunk(skipped=_newly_too_late(ctx, days, late, since, too_late))
    planner = CallPlanner()
    last_id = 0
    while True:
        complaints = db.session.scalars(
            select(Complaint)
            .where(
                Complaint.status.in_(("resolved", "closed")),
                Complaint.resolved_at <= until,
                Complaint.resolved_at > max(since, too_late),
                Complaint.id > last_id,
            )
            .order_by(Complaint.id)
            .limit(CHUNK)
        ).all()
        if not complaints:
            break
        rows, skipped = [], 0
        keys = {c.id: f"followup:{c.id}:{c.reopened_count or 0}" for c in complaints}
        planned = existing_keys(Appointment, Appointment.dedupe_key, list(keys.values()))
        for complaint in complaints:
            customer: Customer = complaint.customer
            agent_id = complaint.assignee_id or customer.owner_id
            key = keys[complaint.id]
            if key in planned:
                continue
            starts_at = planner.place(customer, max(ctx.now, complaint.resolved_at + timedelta(days=days)), agent_id)
            if starts_at is None:
                skipped += 1
                continue
            rows.append(
                dict(
                    customer_id=customer.id,
                    agent_id=agent_id,
                    kind="follow_up",
                    purpose=_("Follow-up call after %(code)s: is the customer satisfied?", code=complaint.code)[:255],
                    starts_at=starts_at,
                    status="planned",
                    complaint_id=complaint.id,
                    dedupe_key=key,
                )
            )
        last_id = complaints[-1].id
        ctx.commit_chunk(processed=len(complaints), created=add_tasks(rows), skipped=skipped)


def _newly_too_late(ctx: RunContext, days: int, late: int, since, too_late) -> int:
    """Resolutions whose follow-up became too late since the previous successful run (on a first start:
    all of the window's) and that have no follow-up: the ones this run skips."""
    previous = db.session.scalar(
        select(func.max(JobRun.started_at)).where(
            JobRun.job_id == ctx.job_id, JobRun.status == "success", JobRun.id != ctx.run_id
        )
    )
    floor = since if previous is None else max(since, previous - timedelta(days=days + late))
    if floor >= too_late:
        return 0
    has_followup = exists().where(Appointment.complaint_id == Complaint.id, Appointment.kind == "follow_up")
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Complaint)
            .where(
                Complaint.status.in_(("resolved", "closed")),
                Complaint.resolved_at > floor,
                Complaint.resolved_at <= too_late,
                ~has_followup,
            )
        )
        or 0
    )
