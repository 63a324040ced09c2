"""The outbox's channels: one adapter per provider (email over SMTP, Zalo ZNS, SMS brandname).

An adapter turns a ``Request`` into an ``Outcome``: ``accepted`` (the provider took it),
``retry`` (transient: try the same channel again later, with the same idempotency key),
``fallback`` (this channel will not carry this message: try the next one) or ``fail``.
Adapters only speak HTTP/SMTP; the rules, costs and statuses live in services.delivery.
"""

from dataclasses import dataclass, field

ACCEPTED, RETRY, FALLBACK, FAIL = "accepted", "retry", "fallback", "fail"
CHANNELS = ("zns", "sms", "email")


@dataclass
class Request:
    key: str
    """Idempotency key, the same on every attempt on one channel (ZNS tracking_id, SMS RequestId)."""
    recipient: str
    text: str = ""
    subject: str | None = None
    template_id: str | None = None
    params: dict = field(default_factory=dict)
    purpose: str = "care"


@dataclass
class Outcome:
    kind: str
    reason: str = ""
    provider_id: str | None = None
    duplicate: bool = False
    """The provider said it already had this idempotency key: accepted earlier, not sent again."""


def idempotency_key(message_id: int, channel: str) -> str:
    """One key per message and channel: a retry reuses it, a fallback to another channel gets its own."""
    return f"cskh-{message_id}-{channel}"


def message_id_of(key: str | None) -> int | None:
    """The outbox row a key (a ZNS tracking_id, an SMS RequestId) belongs to, or None."""
    parts = (key or "").split("-")
    if len(parts) == 3 and parts[0] == "cskh" and parts[1].isdigit():
        return int(parts[1])
    return None
