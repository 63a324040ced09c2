"""SLA escalation: open complaints past ``due_at`` go to the team lead, once, and the lead is told.

The escalation is one conditional UPDATE (``escalated_at IS NULL``), so two schedulers or a
re-run can never escalate a complaint twice; the lead's notice is an outbox email with the
key ``escalation:<complaint>`` and an audit row.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from jobs.effects import CHUNK, existing_keys
from jobs.registry import RunContext, cron, job
from models import Complaint, OutboxMessage, Team, User, db
from services import access, audit
from services.formatting import format_datetime

OPEN = ("new", "in_progress", "waiting")


def lead_for(complaint: Complaint) -> User | None:
    """The lead of the complaint's team (or of its assignee's team); the head when there is none."""
    team_id = complaint.team_id or (complaint.assignee.team_id if complaint.assignee else None)
    lead_id = db.session.scalar(select(Team.lead_id).where(Team.id == team_id)) if team_id else None
    if lead_id:
        lead = db.session.get(User, lead_id)
        if lead is not None and lead.active:
            return lead
    return db.session.scalars(
        select(User)
        .where(User.role.in_(access.roles_with("receives_escalations")), User.active.is_(True))
        .order_by(User.id)
    ).first()


@job("escalation", trigger=cron(minute="*/15"), catch_up=False, title=_l("SLA escalation"))
def escalate(ctx: RunContext) -> None:
    last_id = 0
    while True:
        overdue = db.session.scalars(
            select(Complaint)
            .where(
                Complaint.status.in_(OPEN),
                Complaint.due_at < ctx.now,
                Complaint.escalated_at.is_(None),
                Complaint.id > last_id,
            )
            .order_by(Complaint.id)
            .limit(CHUNK)
        ).all()
        if not overdue:
            break
        created = 0
        for complaint in overdue:
            lead = lead_for(complaint)
            if lead is None:
                continue
            done = db.session.execute(
                update(Complaint)
                .where(Complaint.id == complaint.id, Complaint.escalated_at.is_(None))
                .values(escalated_to_id=lead.id, escalated_to=lead.name, escalated_at=ctx.now)
            ).rowcount
            if done != 1:
                continue
            key = f"escalation:{complaint.id}"
            if not existing_keys(OutboxMessage, OutboxMessage.dedupe_key, [key]):
                db.session.execute(
                    insert(OutboxMessage).values(
                        customer_id=None,
                        channel="email",
                        recipient=lead.email,
                        subject=_("Escalated: %(code)s is past its due time", code=complaint.code)[:200],
                        body=_(
                            "%(code)s (%(subject)s) for %(customer)s was due at %(due)s and is still open.",
                            code=complaint.code,
                            subject=complaint.subject,
                            customer=complaint.customer.name,
                            due=format_datetime(complaint.due_at),  # local, like every time we show
                        ),
                        status="queued",
                        attempts=0,
                        dedupe_key=key,
                    )
                )
            audit.record(
                "escalate",
                complaint,
                actor="scheduler",
                changes={"escalated_to_id": (None, lead.id)},
                detail=_("Past its due time: escalated to %(name)s", name=lead.name),
            )
            created += 1
        last_id = overdue[-1].id
        ctx.commit_chunk(processed=len(overdue), created=created)
