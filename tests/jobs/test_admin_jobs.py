"""The jobs screen: who sees it, pause / resume / run now by the head with CSRF, the runs and the outbox."""

import json

from models import AuditLog, JobRun, JobSetting, OutboxMessage, db
from tests.factories import make_customer
from tests.jobs.helpers import count


def test_head_sees_jobs_with_next_run_and_last_run(app, login_as, now):
    db.session.add(JobRun(job_id="birthday", scheduled_for="2026-11-23T07:00", status="failed", error="Boom 42"))
    db.session.commit()
    head = login_as("head")
    page = head.get("/admin/jobs/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for job_id in ("birthday", "holidays", "followup", "checkin", "escalation", "campaigns", "outbox"):
        assert f'data-job="{job_id}"' in html
    assert "Boom 42" in html and 'action="/admin/jobs/run-now/"' in html
    runs = head.get("/admin/job_runs/")
    assert runs.status_code == 200 and "Boom 42" in runs.get_data(as_text=True)


def test_head_pauses_resumes_runs_now_and_edits_params(app, login_as):
    head = login_as("head")
    assert head.post("/admin/jobs/pause/", {"job_id": "birthday"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(JobSetting, "birthday").paused is True
    head.post("/admin/jobs/resume/", {"job_id": "birthday"})
    head.post("/admin/jobs/run-now/", {"job_id": "birthday"})
    db.session.expire_all()
    setting = db.session.get(JobSetting, "birthday")
    assert setting.paused is False and setting.run_now_requested_at is not None
    head.post("/admin/jobs/params/", {"job_id": "birthday", "params": '{"lead_days": 5, "vip_only": true}'})
    db.session.expire_all()
    assert json.loads(db.session.get(JobSetting, "birthday").params) == {"lead_days": 5, "vip_only": True}
    assert count(AuditLog, AuditLog.action.in_(("pause", "resume", "run_now", "update"))) == 4
    head.post("/admin/jobs/params/", {"job_id": "birthday", "params": "[1, 2"})
    db.session.expire_all()
    assert json.loads(db.session.get(JobSetting, "birthday").params) == {"lead_days": 5, "vip_only": True}


def test_others_cannot_control_jobs_and_csrf_is_required(app, login_as):
    agent = login_as("agent")
    assert agent.get("/admin/jobs/").status_code == 403
    assert agent.post("/admin/jobs/pause/", {"job_id": "birthday"}).status_code == 403
    lead = login_as("lead")
    assert lead.get("/admin/jobs/").status_code == 200
    assert lead.post("/admin/jobs/pause/", {"job_id": "birthday"}).status_code == 403
    head = login_as("head")
    assert head.post("/admin/jobs/pause/", {"job_id": "birthday"}, csrf=False).status_code == 400
    db.session.expire_all()
    assert db.session.get(JobSetting, "birthday") is None


def test_outbox_list_shows_messages_to_the_head(app, login_as):
    customer = make_customer("Đỗ Thị Hoa", email="hoa@example.vn")
    db.session.add(
        OutboxMessage(
            customer_id=customer.id,
            channel="email",
            recipient="hoa@example.vn",
            subject="Chào",
            body="x",
            status="failed",
            last_error="550 nope",
            dedupe_key="t1",
        )
    )
    db.session.commit()
    html = login_as("head").get("/admin/outbox/").get_data(as_text=True)
    assert "hoa@example.vn" in html and "550 nope" in html
    assert login_as("agent").get("/admin/outbox/").status_code == 403
