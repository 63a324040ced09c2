"""Automation screens: the scheduled jobs (next run, paused, last run, controls), every run, the outbox."""

import json

from flask import abort, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from admin import job_params as param_form
from admin.base import SecureModelView
from admin.steps import flash_errors, run_step
from models import JobRun, JobSetting, OutboxMessage, db
from models.choices import CHANNELS, JOB_RUN_STATUSES, MESSAGE_EVENTS, MESSAGE_PURPOSES, MESSAGE_STATUSES, SEND_CHANNELS
from services import access, job_control, job_progress, outbox_failures
from services.formatting import format_datetime, format_vnd
from services.job_catalogue import JOBS, job_params, next_fire, scheduler_lease


def _label(mapping):
    return lambda view, context, model, name: mapping.get(getattr(model, name), getattr(model, name))


class JobsView(SecureModelView):
    """One row per declared job; head and admin pause, resume, run now and edit parameters."""

    resource = "job_run"
    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = False
    action_permissions = {}

    @expose("/")
    def index_view(self):
        settings = {s.job_id: s for s in db.session.scalars(select(JobSetting))}
        latest = {}
        last_ids = select(func.max(JobRun.id)).group_by(JobRun.job_id)
        for run in db.session.scalars(select(JobRun).where(JobRun.id.in_(last_ids))):
            latest[run.job_id] = run
        rows = []
        for job_id, spec in JOBS.items():
            setting = settings.get(job_id)
            rows.append(
                {
                    "id": job_id,
                    "title": str(spec.title),
                    "next": format_datetime(next_fire(spec)),
                    "paused": bool(setting and setting.paused),
                    "run_now": bool(setting and setting.run_now_requested_at),
                    "last": latest.get(job_id),
                    "params": param_form.fields(spec.defaults, job_params(job_id)) if spec.defaults else None,
                    "last_at": job_progress.key_text(latest[job_id].scheduled_for) if job_id in latest else "",
                    "behind": job_progress.behind(spec, latest[job_id].scheduled_for if job_id in latest else None),
                }
            )
        lease, active = scheduler_lease()
        return self.render(
            "admin/jobs.html",
            rows=rows,
            lease=lease,
            lease_active=active,
            can_run=access.allowed(current_user, "job_run", "run"),
            can_pause=access.allowed(current_user, "job_run", "pause"),
            statuses=JOB_RUN_STATUSES,
            format_datetime=format_datetime,
            failures=outbox_failures.groups(current_user._get_current_object()),
            channels={**CHANNELS, **SEND_CHANNELS},
            can_retry=outbox_failures.may_retry(current_user),
        )

    def _control(self, change):
        job_id = request.form.get("job_id", "")
        if job_id not in JOBS:
            abort(404)
        return run_step(
            lambda: change(job_id),
            done=_("Saved. The scheduler applies it within a few seconds."),
            redirect_to=url_for(".index_view"),
            on_error=flash_errors(url_for(".index_view")),
        )

    @expose("/pause/", methods=["POST"])
    def pause(self):
        return self._control(lambda job_id: job_control.set_paused(job_id, True, current_user))

    @expose("/resume/", methods=["POST"])
    def resume(self):
        return self._control(lambda job_id: job_control.set_paused(job_id, False, current_user))

    @expose("/run-now/", methods=["POST"])
    def run_now(self):
        return self._control(lambda job_id: job_control.request_run_now(job_id, current_user))

    @expose("/params/", methods=["POST"])
    def params(self):
        def save(job_id):
            raw = request.form.get("params")  # the whole object as JSON (scripts), else the form's fields
            if raw is None:
                raw = json.dumps(param_form.parse(JOBS[job_id].defaults, request.form), ensure_ascii=False)
            job_control.set_params(job_id, raw, current_user)

        return self._control(save)

    @expose("/retry/", methods=["POST"])
    def retry(self):
        """Queue again one group of failed messages (a channel and a reason)."""
        return run_step(
            lambda: outbox_failures.retry(
                current_user._get_current_object(), request.form.get("channel", ""), request.form.get("reason", "")
            ),
            done=lambda count: _("%(count)s messages are queued again.", count=count),
            redirect_to=url_for(".index_view"),
            on_error=flash_errors(url_for(".index_view")),
        )


class JobRunView(SecureModelView):
    resource = "job_run"
    can_create = False
    can_edit = False
    can_delete = False
    action_permissions = {}
    column_list = ["job_id", "scheduled_for", "status", "processed", "created", "skipped", "total", "attempts", "error"]
    column_details_list = column_list + ["holder", "started_at", "finished_at"]
    column_filters = ["job_id", "status", "scheduled_for", "started_at"]
    column_default_sort = ("id", True)
    column_formatters = {
        "status": _label(JOB_RUN_STATUSES),
        "error": lambda v, c, m, n: Markup.escape((m.error or "")[:300]),
        "scheduled_for": lambda v, c, m, n: job_progress.key_text(m.scheduled_for),
    }
    column_labels = {
        "job_id": _l("Job"),
        "scheduled_for": _l("Scheduled for"),
        "status": _l("Status"),
        "processed": _l("Processed"),
        "created": _l("Created"),
        "skipped": _l("Skipped"),
        "total": _l("Total"),
        "attempts": _l("Attempts"),
        "error": _l("Error"),
        "holder": _l("Scheduler"),
        "started_at": _l("Started"),
        "finished_at": _l("Finished"),
    }


def _readable_error(error: str | None):
    """The reason in words, the provider's own text in the tooltip."""
    if not error:
        return ""
    _key, label = outbox_failures.reason_of(error)
    return Markup('<span title="{}">{}</span>').format(error[:300], label)


class OutboxView(SecureModelView):
    """Every message: its channel, cost, status and, on its page, the history of each step."""

    resource = "outbox"
    can_create = False
    can_edit = False
    can_delete = False
    action_permissions = {}
    details_template = "admin/outbox_details.html"
    column_list = [
        "created_at", "channel", "purpose", "recipient", "subject", "status", "attempts", "cost", "sent_at",
        "last_error",
    ]  # fmt: skip
    column_details_list = column_list + [
        "fallback", "body", "segments", "provider_id", "delivered_at", "next_attempt_at", "dedupe_key", "campaign",
        "customer",
    ]  # fmt: skip
    column_filters = ["status", "channel", "purpose", "recipient", "created_at", "sent_at"]
    column_searchable_list = ["recipient", "subject"]
    column_default_sort = ("id", True)
    column_formatters = {
        "status": _label(MESSAGE_STATUSES),
        "channel": _label({**CHANNELS, **SEND_CHANNELS}),
        "purpose": _label(MESSAGE_PURPOSES),
        "cost": lambda v, c, m, n: format_vnd(m.cost),
        "last_error": lambda v, c, m, n: _readable_error(m.last_error),
    }
    column_labels = {
        "created_at": _l("Created"),
        "channel": _l("Channel"),
        "recipient": _l("Recipient"),
        "subject": _l("Subject"),
        "status": _l("Status"),
        "attempts": _l("Attempts"),
        "sent_at": _l("Sent"),
        "last_error": _l("Last error"),
        "body": _l("Message"),
        "next_attempt_at": _l("Next attempt"),
        "purpose": _l("Purpose"),
        "cost": _l("Cost"),
        "fallback": _l("Next channels"),
        "segments": _l("SMS parts"),
        "provider_id": _l("Provider's message id"),
        "delivered_at": _l("Delivered"),
        "dedupe_key": _l("Key"),
        "campaign": _l("Campaign"),
        "customer": _l("Customer"),
    }

    def render(self, template, **kwargs):
        kwargs.setdefault("event_labels", MESSAGE_EVENTS)
        return super().render(template, **kwargs)


BANNER_PAGES = ("admin.index", "jobs.index_view", "outbox.index_view")
"""Where the head and the administrator see the failed-deliveries banner (pages they open daily,
not every list: each list page keeps its few queries)."""


def _delivery_failures():
    if not current_user.is_authenticated or request.endpoint not in BANNER_PAGES:
        return None
    return outbox_failures.recent_failures(current_user._get_current_object())


def register(admin):
    admin.app.jinja_env.globals["delivery_failures"] = _delivery_failures
    category = _l("Automation")
    admin.add_view(JobsView(JobSetting, db, name=_l("Scheduled jobs"), endpoint="jobs", category=category))
    admin.add_view(JobRunView(JobRun, db, name=_l("Job runs"), endpoint="job_runs", category=category))
    admin.add_view(OutboxView(OutboxMessage, db, name=_l("Outbox"), endpoint="outbox", category=category))
