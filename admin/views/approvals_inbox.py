"""The approvals inbox: everything waiting for this user's decision, decided in place.

Rows and rules come from ``services.approvals_inbox`` (a view over the access matrix, the
kinds' own services and the four-eyes rule); this module only shows them, takes the POST
(CSRF through Flask-WTF's global protection), commits or rolls back, and puts the count in
the navbar.
"""

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin.auth import SignInRequired
from models import db
from services import approvals_inbox as inbox
from services.errors import CSKHError

KIND_LABELS = {
    "budget": _l("Budget"),
    "policy": _l("Policy"),
    "campaign": _l("Campaign"),
    "gift": _l("Gift"),
}
DETAILS = {"budget": "budgets", "policy": "policies", "campaign": "campaigns", "gift": "gifts"}
"""The endpoint of each kind's admin view, for the link to the row and its decision page."""


def _error_text(exc: CSKHError) -> str:
    messages = [str(m) for msgs in getattr(exc, "errors", {}).values() for m in msgs]
    return " ".join(messages) or str(exc.message)


class ApprovalsInboxView(SignInRequired, BaseView):
    """``/admin/approvals/``: for leads and heads (whoever may approve some kind)."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and bool(inbox.deciding_kinds(current_user))

    @expose("/")
    def index(self):
        user = current_user._get_current_object()
        items = inbox.waiting(user)
        total = inbox.count_waiting(user) or 0
        return self.render(
            "admin/approvals_inbox.html",
            items=items,
            total=total,
            kind_labels=KIND_LABELS,
            link=self._link,
        )

    @staticmethod
    def _link(item, page: str = "details_view") -> str:
        return url_for(f"{DETAILS[item.kind]}.{page}", id=item.row.id)

    @expose("/decide/", methods=("POST",))
    def decide(self):
        op = request.form.get("op", "")
        if op not in ("approve", "reject", "approve_publish"):
            abort(400)
        user = current_user._get_current_object()
        try:
            row = inbox.decide(
                request.form.get("kind", ""),
                request.form.get("id", ""),
                user,
                approve=op != "reject",
                comment=request.form.get("comment"),
                publish=op == "approve_publish",
            )
            db.session.commit()
        except CSKHError as exc:
            db.session.rollback()
            flash(_("Not done: %(reason)s", reason=_error_text(exc)), "error")
            return redirect(url_for(".index"))
        done = {
            "approve": _("Approved: %(row)s.", row=row),
            "reject": _("Rejected: %(row)s.", row=row),
            "approve_publish": _("Approved and published: %(row)s.", row=row),
        }[op]
        flash(done, "success")
        return redirect(url_for(".index"))


def _badge_count():
    """The navbar's count (None: no inbox for this user); one query per page for leads and heads."""
    if not current_user.is_authenticated:
        return None
    return inbox.count_waiting(current_user._get_current_object())


def register(admin):
    admin.add_view(ApprovalsInboxView(name=_l("Waiting for my decision"), endpoint="approvals_inbox", url="approvals"))
    admin.app.jinja_env.globals["approvals_waiting"] = _badge_count
