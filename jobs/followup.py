"""Follow-up: ``days`` after a complaint is resolved, a call-back task for its agent at an allowed time.

One task per resolution: the key ``followup:<complaint>:<times reopened>`` means a complaint
that is reopened and resolved again gets a new follow-up, and a re-run adds nothing.
"""

from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from jobs.effects import CHUNK, add_tasks, call_time
from jobs.registry import RunContext, cron, job
from models import Complaint, Customer, db

DEFAULTS = {"days": 3, "window_days": 60}


@job(
    "followup", trigger=cron(hour=8, minute=0), catch_up=True, title=_l("Follow-up after resolution"), defaults=DEFAULTS
)
def followup(ctx: RunContext) -> None:
    days = int(ctx.params.get("days") or 3)
    until = ctx.now - timedelta(days=days)
    since = until - timedelta(days=int(ctx.params.get("window_days") or 60))
    last_id = 0
    while True:
        complaints = db.session.scalars(
            select(Complaint)
            .where(
                Complaint.status.in_(("resolved", "closed")),
                Complaint.resolved_at <= until,
                Complaint.resolved_at > since,
                Complaint.id > last_id,
            )
            .order_by(Complaint.id)
            .limit(CHUNK)
        ).all()
        if not complaints:
            break
        rows = []
        for complaint in complaints:
            customer: Customer = complaint.customer
            agent_id = complaint.assignee_id or customer.owner_id
            due = max(ctx.now, complaint.resolved_at + timedelta(days=days))
            rows.append(
                dict(
                    customer_id=customer.id,
                    agent_id=agent_id,
                    kind="follow_up",
                    purpose=_("Follow-up call after %(code)s: is the customer satisfied?", code=complaint.code)[:255],
                    starts_at=call_time(customer, due, agent_id),
                    status="planned",
                    complaint_id=complaint.id,
                    dedupe_key=f"followup:{complaint.id}:{complaint.reopened_count or 0}",
                )
            )
        last_id = complaints[-1].id
        ctx.commit_chunk(processed=len(complaints), created=add_tasks(rows))
