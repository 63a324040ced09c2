"""What a campaign will cost its budget line, shown on the form before anyone approves it.

Messages: ``services.message_costs.projection`` (each matching customer reached once, on the first
channel of the order they consent to, at that channel's price). A single-channel campaign is projected
the same way with its own message as the template. Gifts: each matching customer × the gift's value.
The total is set against what the budget line has left; ``over`` when it does not fit (the job would
stop at the line's limit).
"""

from types import SimpleNamespace

from sqlalchemy import ColumnElement

from models.choices import SEND_CHANNELS
from services import message_costs, segments


def _as_projected(campaign):
    """``campaign`` itself when it has a channel order; a single channel as an order of one, its
    message as that channel's (approved) template."""
    if campaign.channel_order:
        return campaign
    template = SimpleNamespace(body=campaign.message_template or "", status="approved")
    return SimpleNamespace(
        audience=campaign.audience,
        purpose=campaign.purpose or "care",
        channel=campaign.channel,
        channel_order=campaign.channel,
        **{f"{c}_template": template if c == campaign.channel else None for c in SEND_CHANNELS},
    )


def projected(campaign, within: ColumnElement[bool] | None = None) -> dict:
    """{"customers", "channels": [{channel, messages, cost}], "unreachable", "if_all_fall_back", "gifts":
    {count, value, cost}, "total", "line", "remaining", "over"} for ``campaign`` (a model or any object
    with its fields) among the customers of ``within`` (the reader's scope; None: all)."""
    customers = segments.count(campaign.audience, within=within)
    if campaign.channel_order or campaign.channel in SEND_CHANNELS:
        messages = message_costs.projection(_as_projected(campaign), within=within)
        channels, unreachable, worst = messages["channels"], messages["unreachable"], messages["if_all_fall_back"]
    else:  # phone, chat…: no provider price
        channels, unreachable, worst = [{"channel": campaign.channel, "messages": customers, "cost": 0}], 0, 0
    value = int(campaign.gift_value or 0) if campaign.gift_item or campaign.gift_value else 0
    gifts = {"count": customers if value else 0, "value": value, "cost": customers * value}
    total = sum(row["cost"] for row in channels) + gifts["cost"]
    line = campaign.budget_line
    remaining = line.remaining if line is not None else None
    return {
        "customers": customers,
        "channels": channels,
        "unreachable": unreachable,
        "if_all_fall_back": worst + gifts["cost"],
        "gifts": gifts,
        "total": total,
        "line": line,
        "remaining": remaining,
        "over": remaining is not None and total > remaining,
    }
