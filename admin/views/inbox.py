"""The inbox: the agent's and the lead's queue (services.inbox), one item's call screen and its actions.

Every POST carries the CSRF token (CSRFProtect) and goes through ``services.inbox``, which refuses an
item outside the user's queue scope (403, nothing written).
"""

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin.pages import SecurePage
from admin.steps import error_messages, flash_errors, run_step
from services import inbox
from services.datetimes import parse_local_datetime
from services.errors import ValidationError
from services.formatting import format_datetime
from services.text import fold

OPEN_ENDPOINTS = {"call": "appointments.details_view", "sla": "complaints.details_view"}
OPEN_ENDPOINTS["waiting"] = OPEN_ENDPOINTS["sla"]
OPEN_ENDPOINTS["birthday"] = "customers.details_view"


class InboxView(SecurePage, BaseView):
    def allows(self, user) -> bool:
        return inbox.has_inbox(user)

    @property
    def user(self):
        return current_user._get_current_object()

    @expose("/")
    def index(self):
        section = request.args.get("section") if request.args.get("section") in inbox.SECTIONS else None
        page = min(max(request.args.get("page", 1, type=int) or 1, 1), inbox.MAX_PAGE)
        counts = inbox.counts(self.user)
        total = sum(counts[k] for k in counts if section in (None, k))
        items = inbox.queue(self.user, page, section)
        pages = min(max((total + inbox.PAGE_SIZE - 1) // inbox.PAGE_SIZE, 1), inbox.MAX_PAGE)
        return self.render(
            "admin/inbox/index.html",
            items=items,
            counts=counts,
            sections=inbox.SECTIONS,
            section=section,
            page=page,
            pages=pages,
            lead=inbox.is_lead(self.user),
            agents=inbox.team_agents(self.user),
            fold=fold,
            open_url=self._open_url,
            format_datetime=format_datetime,
        )

    @expose("/item/<kind>/<int:item_id>/")
    def item(self, kind, item_id):
        found = inbox.find(self.user, kind, item_id)
        if found is None:
            abort(404)
        return self._item_page(found, [])

    def _item_page(self, found, errors, status=200, *, field_errors=None, suggest=None):
        return self.render(
            "admin/inbox/item.html",
            item=found,
            errors=errors,
            values=request.form,
            lead=inbox.is_lead(self.user),
            agents=inbox.team_agents(self.user),
            sections=inbox.SECTIONS,
            open_url=self._open_url,
            format_datetime=format_datetime,
            fold=fold,
            field_errors=field_errors or {},
            suggest=suggest,
        ), status

    @staticmethod
    def _open_url(item) -> str:
        return url_for(OPEN_ENDPOINTS[item.kind], id=item.id)

    # ---- actions ---------------------------------------------------------------
    def _call_refused(self, item_id: int, messages: list[str], **page):
        """The call's page again with the refusal's messages (400), or 404 once it left the queue."""
        found = inbox.find(self.user, "call", item_id)
        if found is None:
            abort(404)
        return self._item_page(found, messages, 400, **page)

    @expose("/done/", methods=("POST",))
    def done(self):
        """Close a call as done / no answer; "Done, call next" then opens the next item of the queue."""
        item_id = request.form.get("id", type=int) or 0
        status = "no_answer" if request.form.get("status") == "no_answer" else "done"

        def then(_result) -> str:
            if request.form.get("next"):
                following = inbox.next_item(self.user, after=f"call-{item_id}")
                if following is not None:
                    return url_for(".item", kind=following.kind, item_id=following.id)
            return url_for(".index")

        return run_step(
            lambda: inbox.complete_call(
                self.user, item_id, status, request.form.get("outcome"), request.form.get("csat") or None
            ),
            done=_("Call recorded."),
            redirect_to=then,
            on_error=lambda exc: self._call_refused(item_id, error_messages(exc)),
        )

    @expose("/reschedule/", methods=("POST",))
    def reschedule(self):
        item_id = request.form.get("id", type=int) or 0

        def move():
            when = parse_local_datetime(request.form.get("starts_at"))
            inbox.reschedule(self.user, item_id, when)
            return when

        def refused(exc):
            on_field = exc.errors.pop("starts_at", []) if isinstance(exc, ValidationError) else []
            return self._call_refused(
                item_id,
                error_messages(exc) if not on_field or exc.errors else [],
                field_errors={"starts_at": [str(m) for m in on_field]},
                suggest=(exc.details or {}).get("suggest", {}).get("starts_at"),
            )

        return run_step(
            move,
            done=lambda when: _("Call moved to %(when)s.", when=format_datetime(when)),
            redirect_to=url_for(".index"),
            on_error=refused,
        )

    @expose("/reassign/", methods=("POST",))
    def reassign(self):
        """A lead hands the ticked items (or the one item) to an agent of the team."""
        keys = request.form.getlist("item")
        if not keys:
            flash(_("Tick at least one item."), "error")
            return redirect(url_for(".index"))
        return run_step(
            lambda: inbox.reassign(self.user, keys, request.form.get("agent", type=int) or 0),
            done=lambda moved: _("%(n)d items reassigned.", n=moved),
            redirect_to=url_for(".index"),
            on_error=flash_errors(url_for(".index")),
        )


def register(admin):
    admin.add_view(InboxView(name=_l("Inbox"), endpoint="inbox", url="/admin/inbox"))
