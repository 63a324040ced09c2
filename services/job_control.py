"""What the head does to a scheduled job from the admin: pause, resume, run now, edit its parameters.

The scheduler process reads these flags from JobSetting on its next tick (~10 s), so the web
workers never run a job themselves. Every change is audited.
"""

import json

from flask_babel import lazy_gettext as _l

from models import JobSetting, db, utcnow
from services import access, audit
from services.errors import NotAllowed, ValidationError


def _setting(job_id: str) -> JobSetting:
    setting = db.session.get(JobSetting, job_id)
    if setting is None:
        setting = JobSetting(job_id=job_id, paused=False)
        db.session.add(setting)
    return setting


def _require(user, action: str) -> None:
    if not access.can(user, action, "job_run"):
        raise NotAllowed()


def set_paused(job_id: str, paused: bool, user) -> JobSetting:
    _require(user, "pause")
    setting = _setting(job_id)
    before = bool(setting.paused)
    setting.paused = paused
    audit.record(
        "pause" if paused else "resume", setting, user=user, object_id=job_id, changes={"paused": (before, paused)}
    )
    db.session.commit()
    return setting


def request_run_now(job_id: str, user) -> JobSetting:
    _require(user, "run")
    setting = _setting(job_id)
    setting.run_now_requested_at = utcnow()
    audit.record("run_now", setting, user=user, object_id=job_id)
    db.session.commit()
    return setting


def set_params(job_id: str, raw: str, user) -> JobSetting:
    """Store the job's parameters; they must be a JSON object (the job merges them over its defaults)."""
    _require(user, "pause")
    try:
        params = json.loads(raw or "{}")
    except ValueError as exc:
        raise ValidationError({"params": [_l("The parameters are not valid JSON.")]}) from exc
    if not isinstance(params, dict):
        raise ValidationError({"params": [_l("The parameters must be a JSON object.")]})
    setting = _setting(job_id)
    before = setting.params
    setting.params = json.dumps(params, ensure_ascii=False, sort_keys=True)
    audit.record("update", setting, user=user, object_id=job_id, changes={"params": (before, setting.params)})
    db.session.commit()
    return setting
