"""Failed messages for people: grouped by channel and a readable reason, retried as a group.

A provider's or the mail library's text ("ConnectionRefusedError: [Errno 111]…") means
nothing to a head; ``reason_of`` names the cause and what to check. Retrying puts the
group's messages back in the queue (due now, attempts from zero); the delivery worker
sends them as any other, charging again only what it sends. Who may retry: whoever may run
jobs (``services.access`` "run" on job runs: the head and the administrator).
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update

from models import MessageEvent, OutboxMessage, db, utcnow
from services import access, audit
from services.errors import NotAllowed

REASONS = [
    ("refused", re.compile(r"ConnectionRefused|Connection refused|Errno 111", re.I),
     _l("The server refused the connection: check the mail (SMTP) or provider settings and that the server is up.")),
    ("timeout", re.compile(r"timed? ?out|Timeout", re.I), _l("The provider did not answer in time.")),
    ("dns", re.compile(r"getaddrinfo|Name or service not known|nodename nor servname|Errno -[23]", re.I),
     _l("The server's name could not be found: check the host name in the settings.")),
    ("login", re.compile(r"SMTPAuthentication|\b535\b|authentication|unauthori[sz]ed|\b401\b|invalid token", re.I),
     _l("The provider refused our login: check the user name, password or access token.")),
    ("address", re.compile(r"\b55[0-4]\b|Recipients?Refused|mailbox unavailable|invalid (phone|recipient)", re.I),
     _l("The recipient's address or number was refused.")),
    ("tls", re.compile(r"SSL|TLS|certificate", re.I), _l("A secure connection could not be made (TLS).")),
    ("quota", re.compile(r"quota|rate limit|too many|\b429\b", re.I), _l("The provider's limit was reached.")),
]  # fmt: skip
OTHER = ("other", _l("Another error (see a message's page for the provider's text)."))
RECENT_DAYS = 7
"""How far back the banner looks for failed deliveries."""


def reason_of(error: str | None) -> tuple[str, str]:
    """(reason key, readable reason) for a message's ``last_error``."""
    text = error or ""
    for key, pattern, label in REASONS:
        if pattern.search(text):
            return key, label
    return OTHER


@dataclass
class Group:
    channel: str
    reason: str
    label: str
    count: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    ids: list[int] = field(default_factory=list)
    example: str = ""


def _failed(user):
    return select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.last_error, OutboxMessage.created_at).where(
        OutboxMessage.status == "failed", access.scope_clause(user, "outbox", "view")
    )


def groups(user, session=None) -> list[Group]:
    """The failed messages ``user`` may see, grouped by (channel, reason), the largest group first."""
    session = session or db.session
    found: dict[tuple[str, str], Group] = {}
    for row in session.execute(_failed(user).order_by(OutboxMessage.id)):
        key, label = reason_of(row.last_error)
        group = found.setdefault((row.channel, key), Group(row.channel, key, str(label), example=row.last_error or ""))
        group.count += 1
        group.ids.append(row.id)
        group.first_at = min(filter(None, (group.first_at, row.created_at)), default=None)
        group.last_at = max(filter(None, (group.last_at, row.created_at)), default=None)
    return sorted(found.values(), key=lambda g: (-g.count, g.channel, g.reason))


def may_retry(user) -> bool:
    return access.allowed(user, "job_run", "run")


def retry(user, channel: str, reason: str, session=None) -> int:
    """Queue again the failed messages of one group; how many. The caller commits."""
    session = session or db.session
    if not may_retry(user):
        raise NotAllowed()
    group = next((g for g in groups(user, session) if g.channel == channel and g.reason == reason), None)
    if group is None:
        return 0
    now = utcnow()
    done = 0
    for start in range(0, len(group.ids), 500):
        chunk = group.ids[start : start + 500]
        done += session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(chunk), OutboxMessage.status == "failed")
            .values(status="queued", attempts=0, next_attempt_at=now, lease_until=None, claimed_by=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.execute(
            insert(MessageEvent),
            [dict(message_id=i, at=now, status="queued", channel=channel, detail="retry by hand") for i in chunk],
        )
    audit.record("update", object_type="OutboxMessage", user=user, detail=f"retry {done} failed {channel} ({reason})")
    return done


def recent_failures(user, session=None, now: datetime | None = None) -> int | None:
    """Failed deliveries of the last ``RECENT_DAYS`` for the banner; None for those who do not get it."""
    if not access.is_department_wide(user):
        return None
    session = session or db.session
    since = (now or utcnow()) - timedelta(days=RECENT_DAYS)
    return session.scalar(
        select(func.count().label("delivery_failures"))
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == "failed", OutboxMessage.created_at >= since)
    )
