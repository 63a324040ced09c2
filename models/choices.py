"""The closed vocabularies of the domain: stored value -> translatable label.

Stored values are short English codes (stable across languages); labels are shown
through Flask-Babel, Vietnamese by default.
"""

from flask_babel import lazy_gettext as _l

CUSTOMER_TYPES = {"customer": _l("Customer"), "supplier": _l("Supplier"), "partner": _l("Partner")}
POTENTIAL_LEVELS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}
CHANNELS = {
    "phone": _l("Phone"),
    "email": _l("Email"),
    "chat": _l("Chat"),
    "in_person": _l("In person"),
    "social": _l("Social network"),
}
DIRECTIONS = {"inbound": _l("Inbound"), "outbound": _l("Outbound")}
CHANNEL_DIRECTIONS = {
    "phone": {"inbound": _l("Incoming call"), "outbound": _l("Outgoing call")},
    "email": {"inbound": _l("Email from the customer"), "outbound": _l("Email to the customer")},
    "chat": {"inbound": _l("Message from the customer")},
    "in_person": {"inbound": _l("The customer came to us"), "outbound": _l("Visit to the customer")},
    "social": {"inbound": _l("Message from the customer"), "outbound": _l("Message to the customer")},
}
"""The directions that fit each channel, in the channel's own words: a chat is opened by the customer
(the web chat); nothing but a phone call is "incoming/outgoing call"."""
INTERACTION_OUTCOMES = {
    "answered": _l("Answered"),
    "resolved": _l("Resolved"),
    "follow_up": _l("Needs follow-up"),
    "no_answer": _l("No answer"),
    "escalated": _l("Escalated"),
}
MOODS = {
    "delighted": _l("Delighted"),
    "happy": _l("Happy"),
    "neutral": _l("Neutral"),
    "worried": _l("Worried"),
    "disappointed": _l("Disappointed"),
    "angry": _l("Angry"),
}
MOOD_SCORES = {"delighted": 5, "happy": 4, "neutral": 3, "worried": 2, "disappointed": 1, "angry": 0}
REQUEST_KINDS = {"complaint": _l("Complaint"), "support": _l("Support request"), "warranty": _l("Warranty claim")}
PRIORITIES = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "urgent": _l("Urgent")}
COMPLAINT_STATUSES = {
    "new": _l("New"),
    "in_progress": _l("In progress"),
    "waiting": _l("Waiting for customer"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}
COMPLAINT_CATEGORIES = {
    "product_quality": _l("Product quality"),
    "delivery": _l("Delivery"),
    "billing": _l("Billing and payment"),
    "service": _l("Service attitude"),
    "warranty": _l("Warranty"),
    "technical": _l("Technical support"),
    "other": _l("Other"),
}
ORDER_STATUSES = {
    "new": _l("New"),
    "confirmed": _l("Confirmed"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "cancelled": _l("Cancelled"),
    "returned": _l("Returned"),
    "refunded": _l("Refunded"),
}
POLICY_KINDS = {
    "warranty": _l("Warranty"),
    "return": _l("Return"),
    "promotion": _l("Promotion"),
    "service": _l("Service"),
}
POLICY_STATUSES = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "approved": _l("Approved"),
    "published": _l("Published"),
    "retired": _l("Retired"),
}
PUBLISH_CHANNELS = {
    "website": _l("Website"),
    "email": _l("Email"),
    "zalo": _l("Zalo"),
    "store": _l("Store"),
    "hotline": _l("Hotline"),
}
APPOINTMENT_KINDS = {
    "call_back": _l("Call-back"),
    "appointment": _l("Appointment"),
    "follow_up": _l("Follow-up call"),
    "check_in": _l("Check-in"),
    "delivery_task": _l("Message to deliver by hand"),
}
APPOINTMENT_STATUSES = {
    "planned": _l("Planned"),
    "done": _l("Done"),
    "no_answer": _l("No answer"),
    "cancelled": _l("Cancelled"),
}
BUDGET_STATUSES = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
}
BUDGET_CATEGORIES = {"gifts": _l("Gifts"), "campaigns": _l("Campaigns"), "staff": _l("Staff"), "tools": _l("Tools")}
OCCASIONS = {
    "birthday": _l("Birthday"),
    "tet": _l("Lunar New Year (Tết)"),
    "reunification": _l("30/4 – 1/5"),
    "national_day": _l("National Day 2/9"),
    "anniversary": _l("Anniversary"),
    "vip": _l("VIP appreciation"),
    "campaign": _l("Campaign"),
}
GIFT_STATUSES = {
    "planned": _l("Planned"),
    "approved": _l("Approved"),
    "sent": _l("Sent"),
    "delivered": _l("Delivered"),
    "rejected": _l("Rejected"),
}
CAMPAIGN_STATUSES = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "approved": _l("Approved"),
    "paused": _l("Paused"),
    "finished": _l("Finished"),
    "rejected": _l("Rejected"),
}
REPLY_AUDIENCES = {"agent": _l("For agents"), "customer": _l("For customers")}
MESSAGE_STATUSES = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "delivered": _l("Delivered to the phone"),
    "failed": _l("Failed"),
    "refused": _l("Refused by the sending rules"),
    "held": _l("Held: budget line exhausted"),
    "task": _l("Handed to an agent"),
    "skipped": _l("Skipped"),
}
MESSAGE_EVENTS = {
    **MESSAGE_STATUSES,
    "retry": _l("Will retry"),
    "fallback": _l("Next channel"),
    "deferred": _l("Deferred"),
    "reclaimed": _l("Taken again"),
    "skipped": _l("Channel skipped"),
}
SEND_CHANNELS = {"zns": _l("Zalo ZNS"), "sms": _l("SMS brandname"), "email": _l("Email")}
"""Channels the outbox delivers through a provider (services/channels/)."""
MESSAGE_PURPOSES = {"care": _l("Customer care"), "advertising": _l("Advertising")}
TEMPLATE_PURPOSES = {**MESSAGE_PURPOSES, "survey": _l("Satisfaction survey (care)")}
TEMPLATE_STATUSES = {
    "draft": _l("Draft"),
    "pending": _l("Waiting for the provider's approval"),
    "approved": _l("Approved by the provider"),
    "rejected": _l("Rejected by the provider"),
    "disabled": _l("Disabled"),
}
JOB_RUN_STATUSES = {
    "running": _l("Running"),
    "success": _l("Succeeded"),
    "failed": _l("Failed"),
    "blocked": _l("Waiting for approval"),
}


def choices(mapping: dict) -> list[tuple[str, str]]:
    """WTForms ``choices`` from one of the vocabularies above."""
    return list(mapping.items())
