"""Satisfaction surveys: every 10 minutes, one survey per request resolved in the last days.

services.survey_links picks the channel (an approved survey template, ZNS → SMS → email) and
keys the invite ``survey:<complaint>:<times reopened>``, so a re-run or a second scheduler adds
nothing and a request resolved again gets a new survey.
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from jobs.effects import CHUNK
from jobs.registry import RunContext, cron, job
from models import Complaint, db
from services.survey_links import invite_after_resolution

DEFAULTS = {"window_days": 2, "kind": "csat"}


@job("surveys", trigger=cron(minute="*/10"), catch_up=False, title=_l("Satisfaction surveys"), defaults=DEFAULTS)
def send_surveys(ctx: RunContext) -> None:
    since = ctx.now - timedelta(days=int(ctx.params.get("window_days") or 2))
    kind = ctx.params.get("kind") if ctx.params.get("kind") in ("csat", "nps") else "csat"
    last_id = 0
    while True:
        complaints = db.session.scalars(
            select(Complaint)
            .where(
                Complaint.status.in_(("resolved", "closed")),
                Complaint.resolved_at > since,
                Complaint.resolved_at <= ctx.now,
                Complaint.channel.is_distinct_from("survey"),
                Complaint.id > last_id,
            )
            .order_by(Complaint.id)
            .limit(CHUNK)
        ).all()
        if not complaints:
            break
        created = 0
        for complaint in complaints:
            invite, _refused = invite_after_resolution(complaint, ctx.now, kind)
            created += invite is not None
        last_id = complaints[-1].id
        ctx.commit_chunk(processed=len(complaints), created=created)
