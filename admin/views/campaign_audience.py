"""``/admin/campaign-audience/``: the campaign form's live answers: how many customers its audience
selects, the message for one of them, its schedule in words, and what it will cost its budget line.
Read-only; counts and costs are limited to the customers the user may see."""

import json
import re
from types import SimpleNamespace

from flask import jsonify, request
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_login import current_user

from admin.auth import SignInRequired
from models import BudgetLine, db, utcnow
from models.choices import CHANNELS, SEND_CHANNELS
from services import access, campaign_cost, message_costs, schedule_builder, segment_builder, segments
from services.errors import ValidationError
from services.formatting import format_vnd


def _errors(exc: ValidationError, prefix: str = ""):
    return jsonify({"errors": {prefix + k: [str(m) for m in v] for k, v in exc.errors.items()}}), 400


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class CampaignAudienceView(SignInRequired, BaseView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated and access.allowed(current_user, "campaign", "create")

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        try:
            segment = segment_builder.from_form(request.args)
        except ValidationError as exc:
            errors = {k: [str(m) for m in v] for k, v in exc.errors.items()}
            return jsonify({"errors": errors}), 400
        within = access.scope_clause(current_user, "customer", "view")
        count = segments.count(segment, within=within)
        return jsonify({"count": count, "audience": json.dumps(segment, ensure_ascii=False, sort_keys=True)})

    @expose("/preview/")
    def preview(self):
        """The message for the first customer of the audience (builder fields and ``message_template``)."""
        args = {k.removeprefix("aud_"): v for k, v in request.args.items()}
        try:
            segment = segment_builder.from_form(args)
            customer, text = segment_builder.preview(
                request.args.get("message_template"),
                segment,
                within=access.scope_clause(current_user, "customer", "view"),
            )
        except ValidationError as exc:
            errors = {k: [str(m) for m in v] for k, v in exc.errors.items()}
            return jsonify({"errors": errors}), 400
        return jsonify({"customer": customer.name if customer else None, "text": text})

    @expose("/schedule/")
    def schedule(self):
        """The builder's schedule (``sch_*``) in words with its next fire times, or its field errors."""
        values = {k.removeprefix("sch_"): v for k, v in request.args.items() if k.startswith("sch_")}
        try:
            cron, occasion = schedule_builder.to_stored(values, now=utcnow())
            upcoming = schedule_builder.next_runs(cron)
        except ValidationError as exc:
            return _errors(exc, "sch_")
        return jsonify(
            {"cron": cron, "occasion": occasion, "summary": schedule_builder.describe(cron, occasion), "next": upcoming}
        )

    @expose("/cost/")
    def cost(self):
        """The projected cost per channel and of the gifts, against the chosen budget line's remainder."""
        args = request.args
        try:
            audience = segment_builder.from_form({k.removeprefix("aud_"): v for k, v in args.items()})
            if not audience and (args.get("audience") or "").strip():
                audience = segments.parse(args.get("audience"))
        except ValidationError as exc:
            return _errors(exc)
        line = None
        if (args.get("budget_line") or "").isdigit():
            line = db.session.get(BudgetLine, int(args["budget_line"]))
            if line is not None and not access.can(current_user, "view", "budget", line.budget):
                line = None
        channel = args.get("channel") if args.get("channel") in CHANNELS else "email"
        order = ",".join(c for c in (args.get("channel_order") or "").replace(" ", "").split(",") if c in SEND_CHANNELS)
        campaign = SimpleNamespace(
            audience=audience,
            purpose=args.get("purpose") or "care",
            channel=channel,
            channel_order=order or None,
            message_template=args.get("message_template") or "",
            gift_item=(args.get("gift_item") or "").strip(),
            gift_value=int(re.sub(r"\D", "", args.get("gift_value") or "")[:15] or 0),
            budget_line=line,
            **{f"{c}_template": message_costs.approved_template(_id(args.get(f"{c}_template"))) for c in SEND_CHANNELS},
        )
        result = campaign_cost.projected(campaign, within=access.scope_clause(current_user, "customer", "view"))
        rows = [
            {"label": str(SEND_CHANNELS.get(r["channel"]) or CHANNELS.get(r["channel"], r["channel"])),
             "messages": _number(r["messages"]), "cost": format_vnd(r["cost"])}
            for r in result["channels"]
        ]  # fmt: skip
        if result["gifts"]["count"]:
            gifts = result["gifts"]
            rows.append(
                {"label": _("Gifts (%(value)s each)", value=format_vnd(gifts["value"])),
                 "messages": _number(gifts["count"]), "cost": format_vnd(gifts["cost"])}
            )  # fmt: skip
        over = result["over"]
        return jsonify(
            {
                "customers": result["customers"],
                "rows": rows,
                "total": format_vnd(result["total"]),
                "line": str(line) if line is not None else None,
                "remaining": format_vnd(result["remaining"]) if line is not None else None,
                "over": over,
                "warning": _(
                    "The projected cost %(cost)s is more than the %(left)s left on this budget line.",
                    cost=format_vnd(result["total"]),
                    left=format_vnd(result["remaining"]),
                )
                if over
                else None,
            }
        )


def _id(value) -> int | None:
    return int(value) if (value or "").isdigit() and len(value) < 12 else None


def register(admin):
    admin.add_view(
        CampaignAudienceView(name="campaign audience", endpoint="campaign_audience", url="campaign-audience")
    )
