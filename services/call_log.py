"""One call (or email, chat, visit) logged in one submit from the 360 page.

What happened (channel, direction, summary, outcome, duration), how the customer felt (mood, note,
next care step) and, optionally, a request opened about one of the customer's orders: all written or
none. Every part's field errors come back together, so the form can show them all at once; the caller
rolls the session back on any error (the parts already flushed go with it).

The form carries a one-time token (``new_form_token``, made when the form is rendered): the first
submit claims it, a second submit of the same form (a double click, a resend) is ``AlreadyDone`` and
writes nothing.
"""

import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from models import CallLogToken, Complaint, Customer, EmotionEntry, Interaction, db
from models.choices import MOODS
from services import complaints as complaint_rules
from services import interactions as interaction_rules
from services import validation
from services.errors import AlreadyDone, ValidationError

COMPLAINT_FIELDS = ("subject", "kind", "category", "priority", "description", "order")
"""The request's fields; in the form (and its errors) they are prefixed ``complaint_``."""
TOKEN_FIELD = "form_token"
"""The form's hidden field holding its one-time token."""


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def _claim(token: str, session) -> CallLogToken:
    """Take the form's token, or raise AlreadyDone when a submit of the same form took it (committed,
    or a moment ago in a parallel request: the primary key makes the second insert wait, then fail)."""
    claimed = CallLogToken(token=token[:64])
    try:
        with session.begin_nested():
            session.add(claimed)
            session.flush()
    except IntegrityError:
        raise AlreadyDone(_l("Already recorded: this call was logged a moment ago.")) from None
    return claimed


@dataclass
class LoggedCall:
    interaction: Interaction
    emotion: EmotionEntry | None = None
    complaint: Complaint | None = None


def _collect(errors: dict, fn, prefix: str = ""):
    try:
        return fn()
    except ValidationError as exc:
        for key, messages in exc.errors.items():
            errors.setdefault(prefix + key, []).extend(messages)
        return None


def log_call(user, customer: Customer, data, *, now=None, session=None) -> LoggedCall:
    """Log what ``data`` (the form: a mapping of strings) says; raises ValidationError with every field's
    errors, NotAllowed outside the user's rights, AlreadyDone when the form's token was used already.
    Writes nothing the caller keeps unless it returns."""
    session = session or db.session
    token = (data.get(TOKEN_FIELD) or "").strip()
    claimed = _claim(token, session) if token else None
    errors: dict[str, list] = {}
    channel = (data.get("channel") or "").strip()
    mood = (data.get("mood") or "").strip()
    note, next_care = data.get("note"), data.get("next_care")
    if mood:
        _collect(errors, lambda: validation.one_of(mood, MOODS, "mood"))
    elif (note or "").strip() or (next_care or "").strip():
        errors["mood"] = [_l("Choose the customer's mood for this note.")]
    complaint = None
    if data.get("open_complaint"):
        raw_order = (data.get("complaint_order") or "").strip()
        complaint = _collect(
            errors,
            lambda: complaint_rules.open_complaint(
                user,
                customer,
                data.get("complaint_subject", ""),
                description=data.get("complaint_description"),
                kind=data.get("complaint_kind", "complaint"),
                category=data.get("complaint_category", "other"),
                priority=data.get("complaint_priority", "normal"),
                channel=channel or None,
                order_id=raw_order or None,
                now=now,
                session=session,
            ),
            prefix="complaint_",
        )
    interaction = _collect(
        errors,
        lambda: interaction_rules.log_interaction(
            user,
            customer,
            channel=channel,
            summary=data.get("summary", ""),
            direction=data.get("direction") or "inbound",
            outcome=data.get("outcome") or None,
            duration=data.get("duration") or None,
            complaint_id=complaint.id if complaint is not None else None,
            now=now,
            session=session,
        ),
    )
    emotion = None
    if mood and not errors:
        emotion = _collect(
            errors,
            lambda: interaction_rules.add_emotion(
                user, customer, mood=mood, note=note, next_care=next_care, session=session
            ),
        )
    if errors:
        raise ValidationError(errors)
    if claimed is not None:
        claimed.interaction_id = interaction.id
    return LoggedCall(interaction=interaction, emotion=emotion, complaint=complaint)
