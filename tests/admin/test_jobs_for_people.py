"""Jobs and outbox for people: local dates, parameters as a form, catching up, failed emails in words, retry, banner."""

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from models import JobRun, JobSetting, MessageEvent, OutboxMessage, db
from services import outbox_failures
from tests.factories import make_customer


def _failed(customer, n: int, error: str, channel: str = "email", days_ago: int = 1):
    for i in range(n):
        db.session.add(OutboxMessage(
            customer_id=customer.id, channel=channel, recipient=f"k{i}@x.vn", body="Chào", status="failed",
            attempts=5, last_error=error, dedupe_key=f"{channel}-{error[:10]}-{i}-{days_ago}",
            created_at=datetime.now(UTC) - timedelta(days=days_ago),
        ))  # fmt: skip
    db.session.commit()


def test_reasons_are_words_not_exceptions():
    key, label = outbox_failures.reason_of("ConnectionRefusedError: [Errno 111] Connection refused")
    assert key == "refused" and "Connection" not in str(label) and "SMTP" in str(label)
    assert outbox_failures.reason_of("550 5.1.1 Mailbox unavailable")[0] == "address"
    assert outbox_failures.reason_of("socket.timeout: timed out")[0] == "timeout"
    assert outbox_failures.reason_of("weird")[0] == "other"


def test_failed_emails_are_grouped_retried_and_bannered(app, login_as):
    customer = make_customer("Khách Email")
    _failed(customer, 3, "ConnectionRefusedError: [Errno 111] Connection refused")
    _failed(customer, 1, "550 Mailbox unavailable")
    _failed(customer, 2, "ConnectionRefusedError: [Errno 111]", days_ago=30)
    head = login_as("head")
    page = head.get("/admin/jobs/").get_data(as_text=True)
    assert 'id="failure-email-refused"' in page and 'id="failure-email-address"' in page
    assert 'id="delivery-banner"' in page  # 4 in the last 7 days
    home = head.get("/admin/").get_data(as_text=True)
    assert 'id="delivery-banner"' in home
    outbox = head.get("/admin/outbox/").get_data(as_text=True)
    assert "ConnectionRefusedError</td>" not in outbox and "SMTP" in outbox
    lead = login_as("lead")
    assert 'id="delivery-banner"' not in lead.get("/admin/").get_data(as_text=True)
    # a lead may not retry: nothing changes
    assert lead.post("/admin/jobs/retry/", {"channel": "email", "reason": "refused"}).status_code == 403
    failed = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "failed")
    assert db.session.scalar(failed) == 6
    assert head.post("/admin/jobs/retry/", {"channel": "email", "reason": "refused"}).status_code == 302
    db.session.expire_all()
    statuses = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all())  # fmt: skip
    assert statuses == {"queued": 5, "failed": 1}
    assert db.session.scalar(select(func.count()).select_from(MessageEvent)) == 5


def test_parameters_are_a_form_and_bad_numbers_are_refused(app, login_as):
    head = login_as("head")
    page = head.get("/admin/jobs/").get_data(as_text=True)
    assert 'name="p_lead_days"' in page and 'name="p_vip_only"' in page and "Parameters (JSON)" not in page
    form = {
        "job_id": "birthday",
        "p_lead_days": "5",
        "p_vip_only": "on",
        "p_segment": '{"kind": "customer"}',
        "p_item": "Hoa",
        "p_value": "200.000",
        "p_budget_line_id": "",
        "p_subject": "",
        "p_template": "Chào {name}",
    }
    assert head.post("/admin/jobs/params/", form).status_code == 302
    db.session.expire_all()
    saved = json.loads(db.session.get(JobSetting, "birthday").params)
    assert (saved["lead_days"], saved["vip_only"], saved["value"], saved["budget_line_id"]) == (5, True, 200_000, None)
    bad = form | {"p_lead_days": "năm"}
    response = head.post("/admin/jobs/params/", bad, follow_redirects=True)
    assert "alert-danger" in response.get_data(as_text=True)
    db.session.expire_all()
    assert json.loads(db.session.get(JobSetting, "birthday").params)["lead_days"] == 5


def test_dates_are_local_and_a_job_behind_shows_it_is_catching_up(app, login_as):
    old = (datetime.now(UTC) - timedelta(days=5)).astimezone().replace(hour=7, minute=0, second=0, microsecond=0)
    key = old.replace(tzinfo=None).isoformat(timespec="minutes")
    db.session.add(JobRun(job_id="birthday", scheduled_for=key, status="success", holder="t"))
    db.session.commit()
    page = login_as("head").get("/admin/jobs/").get_data(as_text=True)
    row = page[page.index('data-job="birthday"') :]
    row = row[: row.index("</tr>")]
    assert "job-catching-up" in row and "T07:00" not in row
    assert old.strftime("%d/%m/%Y") in row
