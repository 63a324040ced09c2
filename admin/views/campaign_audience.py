"""``/admin/campaign-audience/``: how many customers a campaign audience selects, for the builder's
live count. Read-only; the count is limited to the customers the user may see."""

import json

from flask import abort, jsonify, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from services import access, segment_builder, segments
from services.errors import ValidationError


class CampaignAudienceView(BaseView):
    def is_accessible(self) -> bool:
        return access.allowed(current_user, "campaign", "create")

    def is_visible(self) -> bool:
        return False

    def _handle_view(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if not self.is_accessible():
            abort(403)
        return None

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


def register(admin):
    admin.add_view(
        CampaignAudienceView(name="campaign audience", endpoint="campaign_audience", url="campaign-audience")
    )
