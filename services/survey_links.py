"""The satisfaction loop: a one-question survey after a resolution, on the customer's best channel.

The link is signed (itsdangerous, the app's SECRET_KEY, valid ``SURVEY_LINK_DAYS``) and names a
``SurveyInvite``; the first answer marks it used with a conditional UPDATE, so a link answers
once even when it is opened twice at the same moment. A low score (CSAT ≤ 2, NPS ≤ 6) opens a
follow-up request for the team lead.
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update

from models import Complaint, MessageTemplate, SurveyAnswer, SurveyInvite, Team, User, db, utcnow
from services import audit
from services.complaints import prepare_new
from services.errors import CSKHError, ValidationError
from services.message_queue import queue_message
from services.messaging_rules import MessageRefused

SALT = "survey-link"
LOW = {"csat": 2, "nps": 6}
RANGE = {"csat": (1, 5), "nps": (0, 10)}


class LinkNotValid(CSKHError):
    default = _l("This survey link is not valid or has expired.")


class LinkUsed(CSKHError):
    default = _l("This survey has already been answered. Thank you!")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(invite: SurveyInvite) -> str:
    return _serializer().dumps({"i": invite.id})


def link_for(invite: SurveyInvite) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}/khao-sat/{token_for(invite)}"


def survey_templates() -> dict[str, MessageTemplate]:
    """The newest approved survey template of each channel."""
    found: dict[str, MessageTemplate] = {}
    for template in db.session.scalars(
        select(MessageTemplate)
        .where(MessageTemplate.purpose == "survey", MessageTemplate.status == "approved")
        .order_by(MessageTemplate.id.desc())
    ):
        found.setdefault(template.channel, template)
    return found


def invite_after_resolution(complaint: Complaint, now: datetime | None = None, kind: str = "csat"):
    """Queue the survey for a resolved request, once per resolution; the invite, or None when the
    rules refuse it (the reason is returned as the second value)."""
    now = now or utcnow()
    key = f"survey:{complaint.id}:{complaint.reopened_count or 0}"
    if db.session.scalar(select(SurveyInvite.id).where(SurveyInvite.dedupe_key == key)):
        return None, None
    invite = SurveyInvite(
        customer_id=complaint.customer_id,
        complaint_id=complaint.id,
        kind=kind,
        dedupe_key=key,
        created_at=now,
        expires_at=now + timedelta(days=int(current_app.config.get("SURVEY_LINK_DAYS", 14))),
    )
    db.session.add(invite)
    db.session.flush()
    params = {"link": link_for(invite), "code": complaint.code}
    try:
        queue_message(complaint.customer, key=key, purpose="care", templates=survey_templates(), params=params, now=now)
    except MessageRefused as exc:
        db.session.rollback()
        return None, str(exc.message)
    db.session.commit()
    return invite, None


def open_invite(token: str, now: datetime | None = None) -> SurveyInvite:
    """The invite a link names; LinkNotValid for a forged, expired or unknown one, LinkUsed once answered."""
    days = int(current_app.config.get("SURVEY_LINK_DAYS", 14))
    try:
        data = _serializer().loads(token, max_age=days * 86400)
    except (SignatureExpired, BadSignature) as exc:
        raise LinkNotValid() from exc
    invite = db.session.get(SurveyInvite, data.get("i")) if isinstance(data, dict) else None
    if invite is None or invite.expires_at < (now or utcnow()):
        raise LinkNotValid()
    if invite.used_at is not None:
        raise LinkUsed()
    return invite


def answer(token: str, score, comment: str | None = None, now: datetime | None = None) -> SurveyAnswer:
    """Record the answer of a link, once; a low score opens a follow-up request for the team lead."""
    now = now or utcnow()
    invite = open_invite(token, now)
    low, high = RANGE[invite.kind]
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = None
    if score is None or not low <= score <= high:
        raise ValidationError({"score": [_("Choose a score from %(low)s to %(high)s.", low=low, high=high)]})
    taken = db.session.execute(
        update(SurveyInvite)
        .where(SurveyInvite.id == invite.id, SurveyInvite.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        db.session.rollback()
        raise LinkUsed()
    result = SurveyAnswer(
        customer_id=invite.customer_id,
        complaint_id=invite.complaint_id,
        csat=score if invite.kind == "csat" else None,
        nps=score if invite.kind == "nps" else None,
        comment=(comment or "").strip()[:2000] or None,
        answered_at=now,
    )
    db.session.add(result)
    db.session.flush()
    db.session.execute(update(SurveyInvite).where(SurveyInvite.id == invite.id).values(answer_id=result.id))
    complaint = db.session.get(Complaint, invite.complaint_id) if invite.complaint_id else None
    if complaint is not None and invite.kind == "csat":
        complaint.satisfaction = score
    if complaint is not None and score <= LOW[invite.kind]:
        follow_up(complaint, invite.kind, score, result.comment, now)
    db.session.commit()
    return result


def follow_up(complaint: Complaint, kind: str, score: int, comment: str | None, now: datetime) -> Complaint:
    """A high-priority request for the team lead of the request's team (else its assignee)."""
    lead = None
    if complaint.team_id is not None:
        lead = db.session.scalar(select(User).join(Team, Team.lead_id == User.id).where(Team.id == complaint.team_id))
    assignee_id = lead.id if lead is not None and lead.active else complaint.assignee_id
    label = "CSAT" if kind == "csat" else "NPS"
    request = Complaint(
        customer_id=complaint.customer_id,
        kind="support",
        category="service",
        priority="high",
        subject=_("Low %(kind)s score (%(score)s) after %(code)s", kind=label, score=score, code=complaint.code)[:200],
        description=_("The customer's comment: %(comment)s", comment=comment or "—"),
        channel="survey",
        assignee_id=assignee_id,
        team_id=complaint.team_id,
        escalated_to_id=lead.id if lead is not None else None,
        escalated_to=lead.name if lead is not None else None,
        escalated_at=now if lead is not None else None,
        opened_at=now,
    )
    prepare_new(request, now=now)
    db.session.add(request)
    db.session.flush()
    audit.record("create", request, changes=audit.diff(request, {}), actor="survey")
    return request
