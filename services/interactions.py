"""Quick entries from the customer page: log a call/email/chat, add an emotion-notebook entry."""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l

from models import Customer, EmotionEntry, Interaction, db
from models.choices import CHANNEL_DIRECTIONS, CHANNELS, DIRECTIONS, INTERACTION_OUTCOMES, MOODS
from services import access, audit, validation
from services.errors import NotAllowed, ValidationError


def _duration(raw) -> int | None:
    """Seconds from "5", "5:30" (minutes:seconds) or nothing."""
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    try:
        if ":" in text:
            minutes, seconds = text.split(":", 1)
            value = int(minutes) * 60 + int(seconds)
        else:
            value = int(text) * 60
    except ValueError:
        raise ValidationError({"duration": [_l("Write the duration as minutes or mm:ss.")]}) from None
    if value < 0 or value > 24 * 3600:
        raise ValidationError({"duration": [_l("Write the duration as minutes or mm:ss.")]})
    return value


def check_direction(channel: str, direction: str) -> None:
    """Only the directions that fit the channel (``CHANNEL_DIRECTIONS``): no outgoing web chat."""
    if direction not in CHANNEL_DIRECTIONS.get(channel, DIRECTIONS):
        raise ValidationError({"direction": [_l("This direction does not fit the channel.")]})


def direction_label(channel: str | None, direction: str | None) -> str:
    """The direction in the channel's words ("Gọi đến" only for a phone call)."""
    mapping = CHANNEL_DIRECTIONS.get(channel or "", DIRECTIONS)
    return str(mapping.get(direction or "", DIRECTIONS.get(direction or "", direction or "")))


def log_interaction(
    user,
    customer: Customer,
    *,
    channel: str,
    summary: str,
    direction: str = "inbound",
    outcome: str | None = None,
    duration=None,
    complaint_id: int | None = None,
    now: datetime | None = None,
    session=None,
) -> Interaction:
    """One call/email/chat with ``customer`` by ``user``; updates the customer's last contact. Audited."""
    session = session or db.session
    if not access.can(user, "view", "customer", customer) or not access.allowed(user, "interaction", "create"):
        raise NotAllowed()
    errors: dict[str, list] = {}

    def check(fn):
        try:
            return fn()
        except ValidationError as exc:
            for key, messages in exc.errors.items():
                errors.setdefault(key, []).extend(messages)
            return None

    summary = check(lambda: validation.require_text(summary, "summary", 5000))
    check(lambda: validation.one_of(channel, CHANNELS, "channel"))
    check(lambda: validation.one_of(direction or "inbound", DIRECTIONS, "direction"))
    if channel in CHANNEL_DIRECTIONS and (direction or "inbound") in DIRECTIONS:
        check(lambda: check_direction(channel, direction or "inbound"))
    if outcome:
        check(lambda: validation.one_of(outcome, INTERACTION_OUTCOMES, "outcome"))
    seconds = check(lambda: _duration(duration))
    if errors:
        raise ValidationError(errors)
    moment = now or datetime.now(UTC)
    interaction = Interaction(
        customer_id=customer.id,
        channel=channel,
        direction=direction or "inbound",
        summary=summary,
        agent_id=user.id,
        occurred_at=moment,
        duration_seconds=seconds,
        outcome=outcome or None,
        complaint_id=complaint_id,
    )
    session.add(interaction)
    session.flush()
    if not access.can(user, "create", "interaction", interaction, session=session):
        raise NotAllowed()
    last = customer.last_contact_at
    if last is None or (last if last.tzinfo else last.replace(tzinfo=UTC)) < moment:
        customer.last_contact_at = moment
    audit.record(
        "create", interaction, changes=audit.diff(interaction, {}), user=user, session=session, team_id=customer.team_id
    )
    return interaction


def add_emotion(
    user, customer: Customer, *, mood: str, note: str | None = None, next_care: str | None = None, session=None
) -> EmotionEntry:
    """One emotion-notebook entry for ``customer`` written by ``user``. Audited."""
    session = session or db.session
    if not access.can(user, "view", "customer", customer) or not access.allowed(user, "emotion", "create"):
        raise NotAllowed()
    validation.one_of(mood, MOODS, "mood")
    entry = EmotionEntry(
        customer_id=customer.id,
        mood=mood,
        note=(note or "").strip() or None,
        next_care=(next_care or "").strip() or None,
        author_id=user.id,
    )
    session.add(entry)
    session.flush()
    if not access.can(user, "create", "emotion", entry, session=session):
        raise NotAllowed()
    audit.record("create", entry, changes=audit.diff(entry, {}), user=user, session=session, team_id=customer.team_id)
    return entry
