"""The individual jobs: follow-up, check-in, escalation, holidays, campaigns and segments."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from jobs.campaigns import preview_next_runs, validate_cron
from jobs.holidays import occasions_on
from jobs.registry import run_job
from models import Appointment, AuditLog, Campaign, Complaint, Gift, JobRun, OutboxMessage, db
from services import segments
from services.errors import ValidationError
from tests.factories import make_complaint, make_customer, make_team, make_user
from tests.jobs.helpers import count, set_params


def test_followup_once_per_resolution_for_the_assignee(app, now):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    complaint = make_complaint(customer, assignee=agent, status="resolved", resolved_at=now - timedelta(days=4))
    make_complaint(customer, assignee=agent, status="resolved", resolved_at=now - timedelta(days=1))
    db.session.commit()
    cid = complaint.id
    run = run_job("followup", now, now=now)
    assert (run.processed, run.created) == (1, 1)
    task = db.session.scalars(select(Appointment)).one()
    assert task.kind == "follow_up" and task.agent_id == agent.id and task.complaint_id == cid
    assert task.starts_at >= now
    assert run_job("followup", "manual:2026-11-23T10:00:00", now=now).created == 0
    # Reopened and resolved again: a new follow-up for the new resolution.
    complaint = db.session.get(Complaint, cid)
    complaint.reopened_count = 1
    db.session.commit()
    assert run_job("followup", "manual:2026-11-23T11:00:00", now=now).created == 1
    assert count(Appointment) == 2


def test_checkin_for_silent_customers_vip_sooner_without_consent_never(app, now):
    agent = make_user("agent")
    old = make_customer("Lâu", owner=agent, last_contact_at=now - timedelta(days=100))
    vip = make_customer("VIP", owner=agent, is_vip=True, last_contact_at=now - timedelta(days=40))
    make_customer("Mới", owner=agent, last_contact_at=now - timedelta(days=40))
    make_customer("Từ chối", owner=agent, consent_contact=False, last_contact_at=now - timedelta(days=400))
    db.session.commit()
    run = run_job("checkin", now, now=now)
    assert run.created == 2
    assert set(db.session.scalars(select(Appointment.customer_id))) == {old.id, vip.id}
    assert run_job("checkin", now + timedelta(days=1), now=now + timedelta(days=1)).created == 0
    assert count(Appointment) == 2


def test_overdue_complaint_is_escalated_once_to_the_team_lead(app, now):
    team = make_team()
    lead = make_user("lead", team=team)
    agent = make_user("agent", team=team)
    customer = make_customer(owner=agent)
    overdue = make_complaint(customer, assignee=agent, status="in_progress", due_at=now - timedelta(hours=1))
    make_complaint(customer, assignee=agent, status="in_progress", due_at=now + timedelta(hours=1))
    make_complaint(customer, assignee=agent, status="resolved", due_at=now - timedelta(hours=5))
    db.session.commit()
    cid = overdue.id
    run = run_job("escalation", now, now=now)
    assert run.created == 1
    db.session.expire_all()
    escalated = db.session.get(Complaint, cid)
    assert escalated.escalated_to_id == lead.id and escalated.escalated_at == now
    note = db.session.scalars(select(OutboxMessage)).one()
    assert note.recipient == lead.email and note.dedupe_key == f"escalation:{cid}"
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.object_id == str(cid))) == "escalate"
    later = now + timedelta(minutes=15)
    assert run_job("escalation", later, now=later).created == 0
    assert count(OutboxMessage) == 1 and count(Complaint, Complaint.escalated_at.is_not(None)) == 1


def test_tet_from_the_vietnam_calendar_with_lead_time(app):
    assert ("tet", "Lunar New Year") in occasions_on(date(2027, 2, 6))
    assert occasions_on(date(2027, 2, 5)) == []
    assert [o for o, _ in occasions_on(date(2026, 9, 2))] == ["national_day"]
    vip = make_customer("VIP", is_vip=True, email="vip@example.vn")
    make_customer("Thường", email="thuong@example.vn")
    db.session.commit()
    set_params("holidays", lead_days=7, item="Hộp mứt Tết", value=0)
    fire = datetime(2027, 1, 30, 0, 5, tzinfo=UTC)  # 07:05 on 30/01/2027, seven days before Tết
    run = run_job("holidays", fire, now=fire)
    assert run.status == "success"
    gift = db.session.scalars(select(Gift)).one()
    assert (gift.customer_id, gift.occasion, gift.year) == (vip.id, "tet", 2027)


def test_cron_validation_and_preview(app, now):
    with pytest.raises(ValidationError) as refused:
        validate_cron("61 9 * * *")
    assert "schedule_cron" in refused.value.errors
    with pytest.raises(ValidationError):
        validate_cron("every monday")
    runs = preview_next_runs("0 9 * * mon", n=3, now=now)
    assert [r.strftime("%d/%m/%Y %H:%M") for r in runs] == ["23/11/2026 09:00", "30/11/2026 09:00", "07/12/2026 09:00"]


def test_segments_filter_and_refuse_unknown_fields(app):
    make_customer("A", is_vip=True, province="Hà Nội")
    make_customer("B", is_vip=False, province="Hà Nội")
    make_customer("C", is_vip=True, province="Đà Nẵng")
    db.session.commit()
    assert segments.count('{"is_vip": true, "province": "Hà Nội"}') == 1
    assert segments.count({}) == 3
    with pytest.raises(ValidationError):
        segments.parse('{"vip": true}')
    with pytest.raises(ValidationError):
        segments.parse({"birth_month": 13})


def test_campaign_sends_one_message_per_customer_per_run(app, now):
    head = make_user("head")
    a = make_customer("Nguyễn An", is_vip=True, email="an@example.vn")
    make_customer("Trần Bình", is_vip=False, email="binh@example.vn")
    campaign = Campaign(
        name="Ưu đãi tháng 11",
        audience='{"is_vip": true}',
        schedule_cron="0 8 * * *",
        channel="email",
        message_subject="Ưu đãi cho {name}",
        message_template="Chào {name}, ưu đãi dành riêng cho bạn.",
        status="approved",
        decided_at=now - timedelta(days=2),
        created_by_id=head.id,
    )
    db.session.add(campaign)
    db.session.commit()
    run_job("campaigns", now, now=now)
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.customer_id == a.id and message.subject == "Ưu đãi cho Nguyễn An"
    assert message.body == "Chào Nguyễn An, ưu đãi dành riêng cho bạn."
    assert count(JobRun, JobRun.job_id == f"campaign:{campaign.id}") == 1
    later = now + timedelta(minutes=5)
    run_job("campaigns", later, now=later)
    assert count(OutboxMessage) == 1
    tomorrow = now + timedelta(days=1)
    run_job("campaigns", tomorrow, now=tomorrow)
    assert count(OutboxMessage) == 2
