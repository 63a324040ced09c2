"""Campaigns the head defines: an audience, a cron schedule or an occasion, a message, a gift, a budget line.

The ``campaigns`` job looks every 5 minutes at approved campaigns; each fire time of a
campaign is its own claimed run ``campaign:<id>`` (so it happens once and shows on the jobs
screen), and each customer gets one message per campaign run (``campaign:<id>:<run>:<customer>``)
and at most one gift per campaign and year.
"""

from datetime import datetime, timedelta
from functools import partial

from apscheduler.triggers.cron import CronTrigger
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from jobs.birthday import birthday_clause
from jobs.effects import CUSTOMER_FIELDS, grant
from jobs.holidays import occasions_on
from jobs.registry import MANUAL_PREFIX, RunContext, cron, fire_key, job, local_tz, run_job
from models import Campaign, JobRun, db, utcnow
from services import message_queue, segments
from services.job_catalogue import validate_cron
from services.schedule_builder import OCCASION_HOUR, OCCASION_LEAD_DAYS

WINDOW = timedelta(days=1)
"""How far back a missed campaign fire time is still sent (a late promotion is worse than none)."""


def preview_next_runs(expr: str, n: int = 5, now: datetime | None = None) -> list[datetime]:
    """The next ``n`` fire times of ``expr`` (local time), for the campaign form's preview."""
    trigger = validate_cron(expr)
    fire = trigger.get_next_fire_time(None, (now or utcnow()).astimezone(local_tz()))
    out = []
    while fire is not None and len(out) < n:
        out.append(fire)
        fire = trigger.get_next_fire_time(fire, fire)
    return out


def due_fire_times(campaign: Campaign, now: datetime) -> list[datetime]:
    """Fire times of ``campaign`` in the last day (and after its approval), oldest first."""
    start = now - WINDOW
    if campaign.decided_at and campaign.decided_at > start:
        start = campaign.decided_at
    if campaign.schedule_cron:
        trigger = validate_cron(campaign.schedule_cron)
    elif campaign.occasion:
        trigger = CronTrigger(hour=OCCASION_HOUR, minute=0, timezone=local_tz())
    else:
        return []
    out = []
    fire = trigger.get_next_fire_time(None, start.astimezone(local_tz()) + timedelta(seconds=1))
    while fire is not None and fire <= now and len(out) < 500:
        out.append(fire)
        fire = trigger.get_next_fire_time(fire, fire)
    return out


def send_campaign(campaign_id: int, ctx: RunContext) -> None:
    """One run of one campaign: its audience (on its occasion's day), a message each, a gift each."""
    campaign = db.session.get(Campaign, campaign_id)
    audience = select(*CUSTOMER_FIELDS).where(segments.clause(campaign.audience))
    occasion = campaign.occasion or "campaign"
    year = ctx.day.year
    if not campaign.schedule_cron and campaign.occasion == "birthday":
        audience = audience.where(birthday_clause(ctx.day))
    elif not campaign.schedule_cron:
        target = ctx.day + timedelta(days=OCCASION_LEAD_DAYS)
        if campaign.occasion not in {code for code, _name in occasions_on(target)}:
            ctx.total = 0
            return
        year = target.year
    run_key = fire_key(ctx.scheduled_for)
    if campaign.channel_order:
        # ZNS / SMS / email with templates and a fallback order: queued set-based (services.message_queue)
        if campaign.gift_item:
            grant(ctx, audience, occasion=occasion, year=year, item=campaign.gift_item, value=campaign.gift_value or 0,
                  budget_line_id=campaign.budget_line_id, subject="", template="", message_key=str,
                  campaign_id=campaign_id, queue_messages=False)  # fmt: skip
        total, queued = message_queue.queue_campaign(campaign, run_key, ctx.now, audience.whereclause)
        ctx.total = total
        ctx.commit_chunk(processed=total, created=queued)
        return
    grant(
        ctx,
        audience,
        occasion=occasion,
        year=year,
        item=campaign.gift_item or None,
        value=campaign.gift_value or 0,
        budget_line_id=campaign.budget_line_id,
        subject=campaign.message_subject or campaign.name,
        template=campaign.message_template,
        message_key=lambda cid: f"campaign:{campaign_id}:{run_key}:{cid}",
        campaign_id=campaign_id,
        channel=campaign.channel,
    )


def run_campaign(campaign: Campaign, fire: datetime, *, now: datetime, holder: str) -> JobRun | None:
    return run_job(f"campaign:{campaign.id}", fire, now=now, holder=holder, func=partial(send_campaign, campaign.id))


@job("campaigns", trigger=cron(minute="*/5"), catch_up=False, title=_l("Campaigns"))
def dispatch(ctx: RunContext) -> None:
    campaigns = db.session.scalars(select(Campaign).where(Campaign.status == "approved").order_by(Campaign.id)).all()
    ctx.total = len(campaigns)
    for campaign in campaigns:
        job_id = f"campaign:{campaign.id}"
        taken = set(
            db.session.scalars(
                select(JobRun.scheduled_for).where(
                    JobRun.job_id == job_id, ~JobRun.scheduled_for.like(MANUAL_PREFIX + "%")
                )
            )
        )
        created = 0
        for fire in due_fire_times(campaign, ctx.now):
            if fire_key(fire) in taken:
                continue
            run = run_campaign(campaign, fire, now=ctx.now, holder=ctx.holder)
            created += run.created if run is not None else 0
        ctx.commit_chunk(processed=1, created=created)


def runs_of(campaign_id: int) -> int:
    return db.session.scalar(select(func.count()).where(JobRun.job_id == f"campaign:{campaign_id}")) or 0
