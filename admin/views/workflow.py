"""The decision page every approval-driven view shares: ``/decide/?id=`` shows the row's
history and the steps the user may take, each a POST (CSRF) with a comment box.

Status never changes through the edit form; each step calls one function of services/,
which checks the role matrix, the status and the four-eyes rule itself.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin.steps import error_messages, run_step
from services import access, approvals


@dataclass(frozen=True)
class Step:
    op: str
    label: str
    action: str
    """The services.access action the step needs (used to show the button)."""
    from_statuses: tuple[str, ...]
    run: Callable
    """run(obj, user, comment) -> the row to show next, or None for ``obj``."""
    style: str = "primary"
    decision: bool = False


def acting(service: Callable) -> Callable:
    """A step that calls ``service(row, user)`` (submit, publish, pause…); the comment is not kept."""

    def run(obj, user, comment):
        service(obj, user)

    return run


def deciding(service: Callable, approve: bool | None = None) -> Callable:
    """A decision step: ``service(row, user, approve, comment)``, or ``service(row, user, comment)``
    when the service is already the approval or the rejection (``approve=None``)."""

    def run(obj, user, comment):
        if approve is None:
            service(obj, user, comment)
        else:
            service(obj, user, approve, comment)

    return run


def approval_steps(submit: Callable, decide: Callable) -> list[Step]:
    """The approval cycle of budgets, policies and campaigns: submit (from draft or rejected), then
    the head approves or rejects; ``submit(row, user)``, ``decide(row, user, approve, comment)``."""
    return [
        Step("submit", _l("Submit for approval"), "submit", ("draft", "rejected"), acting(submit)),
        Step("approve", _l("Approve"), "approve", ("submitted",), deciding(decide, True), "success", True),
        Step("reject", _l("Reject"), "approve", ("submitted",), deciding(decide, False), "danger", True),
    ]


class WorkflowMixin:
    """Adds ``/decide/`` to a SecureModelView; subclasses define ``steps()``."""

    workflow_template = "admin/workflow.html"
    details_template = "admin/workflow_details.html"

    def steps(self) -> list[Step]:
        raise NotImplementedError

    def available_steps(self, obj, *, four_eyes: bool = True) -> list[Step]:
        """Steps ``obj``'s status and the matrix allow; decisions are left out when the user wrote
        or submitted the row (``four_eyes``), so nobody is offered a button the server refuses."""
        user = current_user
        own = four_eyes and approvals.authored_by(obj, user)
        return [
            s
            for s in self.steps()
            if obj.status in s.from_statuses
            and not (own and s.decision)
            and access.can(user, s.action, self.resource, obj)
        ]

    def status_label(self, obj) -> str:
        return str(self.column_choices_map().get(obj.status, obj.status))

    def column_choices_map(self) -> dict:
        return dict((self.column_choices or {}).get("status", []))

    def _render_decide(self, obj, error=None, status=200):
        user = current_user
        html = self.render(
            self.workflow_template,
            model=obj,
            steps=self.available_steps(obj),
            error=error,
            status_label=self.status_label(obj),
            own=approvals.authored_by(obj, user)
            and any(s.decision for s in self.available_steps(obj, four_eyes=False)),
            return_url=url_for(".details_view", id=obj.id),
        )
        return html, status

    @expose("/decide/", methods=("GET", "POST"))
    def decide_view(self):
        obj = self.get_one(request.values.get("id", ""))
        if obj is None:
            abort(404)
        if request.method == "GET":
            return self._render_decide(obj)
        step = {s.op: s for s in self.steps()}.get(request.form.get("op", ""))
        if step is None:
            abort(400)
        comment = (request.form.get("comment") or "").strip()[:2000] or None
        user = current_user._get_current_object()
        return run_step(
            lambda: step.run(obj, user, comment),
            done=_("Done: %(step)s.", step=step.label),
            redirect_to=lambda shown: url_for(".details_view", id=(shown or obj).id),
            already_done_to=url_for(".details_view", id=obj.id),
            on_error=lambda exc: self._render_decide(self.get_one(str(obj.id)), " ".join(error_messages(exc)), 400),
            on_forbidden=lambda exc: self._render_decide(self.get_one(str(obj.id)), str(exc.message), 403),
        )
