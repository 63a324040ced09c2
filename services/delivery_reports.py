"""What comes back from the providers: delivery reports and the customer's opt-out by keyword.

A report finds its message by our idempotency key (ZNS ``tracking_id``, eSMS ``RequestId``) or
by the provider's id, turns it ``delivered`` (or ``failed``) once, and adds the step to its history.
A report for a message still ``sending`` or queued for a retry settles it: it was delivered, so it
is not sent again.
"""

from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from models import Customer, MessageEvent, OutboxMessage, db, utcnow
from services import audit
from services.channels import message_id_of
from services.errors import ValidationError
from services.text import fold
from services.validation import normalize_phone

ADS_CONSENTS = ("consent_ads_zns", "consent_ads_sms", "consent_ads_email")


def _message(key: str | None, provider_id: str | None, channel: str) -> OutboxMessage | None:
    message_id = message_id_of(key)
    if message_id is not None:
        return db.session.get(OutboxMessage, message_id)
    if provider_id:
        return db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.provider_id == provider_id, OutboxMessage.channel == channel)
        )
    return None


def record_report(message: OutboxMessage | None, outcome: str, at: datetime, detail: str) -> bool:
    """Apply one report; False when there is no such message or it was already final."""
    if message is None or message.status in ("delivered",) or outcome not in ("delivered", "failed"):
        return False
    if outcome == "failed" and message.status not in ("sent", "sending"):
        return False
    message.status = outcome
    if outcome == "delivered":
        message.delivered_at = at
        message.sent_at = message.sent_at or at
        message.lease_until = None
        message.next_attempt_at = None
    else:
        message.last_error = detail[:2000]
    db.session.add(MessageEvent(message_id=message.id, at=utcnow(), status=outcome, channel=message.channel,
                                detail=detail[:2000]))  # fmt: skip
    db.session.commit()
    return True


def zns_event(payload: dict) -> bool:
    """``user_received_message``: the ZNS reached the phone (``message.delivery_time`` in ms)."""
    if payload.get("event_name") != "user_received_message":
        return False
    body = payload.get("message") or {}
    message = _message(body.get("tracking_id"), body.get("msg_id"), "zns")
    try:
        at = datetime.fromtimestamp(int(body.get("delivery_time")) / 1000, tz=UTC)
    except (TypeError, ValueError):
        at = utcnow()
    return record_report(message, "delivered", at, _("Zalo: delivered to the phone."))


def sms_report(request_id: str | None, sms_id: str | None, outcome: str | None, raw: str) -> bool:
    message = _message(request_id, sms_id, "sms")
    detail = _("eSMS report: %(raw)s", raw=raw[:300])
    return record_report(message, outcome or "", utcnow(), detail)


# ---- opting out ------------------------------------------------------------
def keywords() -> list[str]:
    raw = current_app.config.get("OPT_OUT_KEYWORDS", "TU CHOI,HUY,STOP")
    return [fold(k) for k in raw.split(",") if k.strip()]


def is_opt_out(text: str | None) -> bool:
    """ "TU CHOI", "Từ chối QC", "huy" …: the text starts with one of ``OPT_OUT_KEYWORDS``."""
    words = fold(text)
    return any(words == k or words.startswith(k + " ") for k in keywords())


def opt_out(customer: Customer, *, source: str, user=None, now: datetime | None = None) -> None:
    """Refuse advertising on every channel, at once (the workers check it before each send)."""
    before = {name: getattr(customer, name) for name in ADS_CONSENTS}
    for name in ADS_CONSENTS:
        setattr(customer, name, False)
    customer.opted_out_at = now or utcnow()
    changes = {name: (before[name], False) for name in ADS_CONSENTS if before[name]}
    changes["opted_out_at"] = (None, customer.opted_out_at)
    audit.record("update", customer, changes=changes, user=user, detail=source[:200], actor=None if user else "sms")
    db.session.commit()


def inbound_sms(phone: str | None, text: str | None) -> Customer | None:
    """A customer's reply by SMS: an opt-out keyword from a known number opts them out."""
    if not is_opt_out(text):
        return None
    try:
        number = normalize_phone(phone)
    except ValidationError:
        return None
    customer = db.session.scalar(select(Customer).where(Customer.phone == number))
    if customer is None:
        return None
    opt_out(customer, source=_("SMS keyword: %(text)s", text=(text or "")[:60]))
    return customer
