"""The rules a Vietnamese sender keeps, in one place (Decree 91/2020/NĐ-CP on spam messages).

- Consent per channel and purpose: ``Customer.consent_{care|ads}_{zns|sms|email}``; care is
  assumed (the customer's own order, request or appointment), advertising needs an opt-in.
- A customer who refused contact (``consent_contact``) gets nothing; one who refused advertising
  (keyword "TU CHOI"/"HUY" by SMS, or staff) gets no advertising, on any channel, at once.
- Advertising only inside ``ADS_HOURS`` (default 07:00–22:00, Decree 91 Art. 13) and at most
  ``ADS_MAX_PER_DAY`` (default 3) per subscriber in 24 hours; the phone channels (ZNS, SMS)
  count together, email apart. Care messages go out at any hour and are not counted.

Every refusal is a sentence in the user's language, recorded on the message and shown.
"""

from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, or_, select, true

from models import Customer, OutboxMessage, db
from services.errors import CSKHError
from services.formatting import local_tz

PURPOSES = ("care", "advertising")
PHONE_CHANNELS = ("zns", "sms")


class MessageRefused(CSKHError):
    """A message the rules do not allow; ``message`` says why, in the user's language."""


def consent_attr(channel: str, purpose: str) -> str:
    return f"consent_{'ads' if purpose == 'advertising' else 'care'}_{channel}"


def refusal(customer, purpose: str) -> str | None:
    """Why nothing at all may go to ``customer`` for ``purpose`` (None: some channel may)."""
    if customer is None:
        return None
    if not customer.consent_contact:
        return _("The customer does not consent to be contacted.")
    if purpose == "advertising" and customer.opted_out_at is not None:
        return _("The customer opted out of advertising messages.")
    return None


def channel_refusal(customer, channel: str, purpose: str) -> str | None:
    """Why ``channel`` may not carry a ``purpose`` message to ``customer`` (None: it may)."""
    if customer is None or channel not in ("zns", "sms", "email"):
        return None
    if not getattr(customer, consent_attr(channel, purpose), False):
        if purpose == "advertising":
            return _("No consent to advertising by %(channel)s.", channel=channel_name(channel))
        return _("No consent to care messages by %(channel)s.", channel=channel_name(channel))
    return None


def channel_name(channel: str) -> str:
    from models.choices import SEND_CHANNELS

    return str(SEND_CHANNELS.get(channel, channel))


# ---- Decree 91: hours and daily count of advertising ---------------------
def ads_hours() -> tuple[time, time]:
    text = current_app.config.get("ADS_HOURS", "07:00-22:00")
    start, end = (part.strip() for part in text.split("-"))
    return time.fromisoformat(start), time.fromisoformat(end)


def in_ads_hours(now: datetime) -> bool:
    start, end = ads_hours()
    local = now.astimezone(local_tz()).time()
    return start <= local < end


def next_ads_opening(now: datetime) -> datetime:
    """The next moment advertising may go out (today's or tomorrow's opening hour)."""
    start, _end = ads_hours()
    local = now.astimezone(local_tz())
    opening = datetime.combine(local.date(), start, tzinfo=local.tzinfo)
    if opening <= local:
        opening += timedelta(days=1)
    return opening


def ads_limit() -> int:
    return int(current_app.config.get("ADS_MAX_PER_DAY", 3))


def ads_group(channel: str) -> str:
    return "phone" if channel in PHONE_CHANNELS else channel


def ads_sent_since(customer_ids: list[int], since: datetime, exclude: list[int] = ()) -> dict[tuple[int, str], int]:
    """Advertising messages sent or in flight (planned by a worker, ``sent_at`` set) per (customer, channel
    group) since ``since``; ``exclude``: message ids the caller is planning itself."""
    if not customer_ids:
        return {}
    query = (
        select(OutboxMessage.customer_id, OutboxMessage.channel, func.count())
        .where(
            OutboxMessage.customer_id.in_(bindparam("ids", expanding=True)),
            OutboxMessage.purpose == "advertising",
            OutboxMessage.sent_at >= since,
            OutboxMessage.status.in_(("sending", "sent", "delivered")),
        )
        .group_by(OutboxMessage.customer_id, OutboxMessage.channel)
    )
    params = {"ids": list(customer_ids)}
    if exclude:
        query = query.where(OutboxMessage.id.not_in(bindparam("own", expanding=True)))
        params["own"] = list(exclude)
    rows = db.session.execute(query, params).all()
    counts: dict[tuple[int, str], int] = {}
    for customer_id, channel, n in rows:
        key = (customer_id, ads_group(channel))
        counts[key] = counts.get(key, 0) + n
    return counts


def ads_limit_reason() -> str:
    return _(
        "The customer already received %(n)s advertising messages in 24 hours (Decree 91/2020 allows %(n)s).",
        n=ads_limit(),
    )


def outside_hours_reason(now: datetime) -> str:
    start, end = ads_hours()
    return _(
        "Advertising is sent only between %(start)s and %(end)s (Decree 91/2020); held until %(when)s.",
        start=start.strftime("%H:%M"),
        end=end.strftime("%H:%M"),
        when=next_ads_opening(now).strftime("%H:%M %d/%m/%Y"),
    )


# ---- set-based: who may be queued at all ---------------------------------
def audience_clause(channels: list[str], purpose: str):
    """SQL on Customer: the customers some channel of ``channels`` may reach for ``purpose``."""
    conditions = [Customer.consent_contact.is_(True)]
    if purpose == "advertising":
        conditions.append(Customer.opted_out_at.is_(None))
    reachable = [
        getattr(Customer, consent_attr(c, purpose)).is_(True) for c in channels if c in PHONE_CHANNELS + ("email",)
    ]
    conditions.append(or_(*reachable) if reachable else true())
    return and_(*conditions)


def check(customer, channels: list[str], purpose: str, now: datetime) -> None:
    """MessageRefused unless some channel may carry the message now (one message queued by hand)."""
    if not channels:
        raise MessageRefused(_("No channel has an approved template for this message."))
    reason = refusal(customer, purpose)
    if reason is None:
        reasons = [channel_refusal(customer, c, purpose) for c in channels]
        reason = None if any(r is None for r in reasons) else "; ".join(r for r in reasons if r)
    if reason is None and purpose == "advertising":
        counts = ads_sent_since([customer.id], now - timedelta(hours=24))
        if all(counts.get((customer.id, ads_group(c)), 0) >= ads_limit() for c in channels):
            reason = ads_limit_reason()
    if reason:
        raise MessageRefused(reason)
