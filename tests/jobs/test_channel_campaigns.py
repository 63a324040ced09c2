"""A campaign on ZNS → SMS → email: its projection, set-based queueing once per run, then delivery."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from jobs.registry import run_job
from models import Campaign, OutboxMessage, SurveyInvite, db
from services import campaigns as campaign_rules
from services import message_costs
from services.errors import ValidationError
from services.message_queue import queue_campaign
from tests.factories import make_budget_line, make_complaint, make_customer, make_templates, make_user
from tests.jobs.helpers import count


def _campaign(head, templates, line, **kw) -> Campaign:
    campaign = Campaign(
        name="Tết 2027", audience='{"is_vip": true}', schedule_cron="0 8 * * *", channel="email",
        message_template="Chúc mừng năm mới {name}", purpose=kw.pop("purpose", "care"),
        channel_order="zns,sms,email", zns_template_id=templates["zns"].id, sms_template_id=templates["sms"].id,
        email_template_id=templates["email"].id, budget_line_id=line.id, created_by_id=head.id, **kw,
    )  # fmt: skip
    db.session.add(campaign)
    db.session.flush()
    return campaign


def test_projection_queueing_and_delivery(app, now, providers):
    head = make_user("head")
    templates = make_templates()
    line = make_budget_line(1_000_000, category="campaigns")
    make_customer("Khách 1", is_vip=True, phone="0961000001")  # ZNS
    make_customer("Khách 2", is_vip=True, phone="0961000002", consent_care_zns=False)  # SMS, Viettel
    make_customer("Khách 3", is_vip=True, phone="0961000003", consent_care_zns=False, consent_care_sms=False,
                  email="k3@example.vn")  # fmt: skip
    make_customer("Khách 4", is_vip=True, phone="0961000004", consent_contact=False)  # nobody
    make_customer("Khách 5", is_vip=False, phone="0961000005")  # not in the audience
    campaign = _campaign(head, templates, line, status="approved", decided_at=now - timedelta(days=2))
    db.session.commit()

    projection = message_costs.projection(campaign)
    by = {row["channel"]: row for row in projection["channels"]}
    sms_unit = app.config["PRICE_SMS_VIETTEL"]
    assert (by["zns"]["messages"], by["sms"]["messages"], by["email"]["messages"]) == (1, 1, 1)
    assert (by["zns"]["cost"], by["sms"]["cost"], by["email"]["cost"]) == (250, sms_unit, 0)
    assert projection["total"] == 250 + sms_unit and projection["if_all_fall_back"] == 2 * sms_unit

    run_job("campaigns", now, now=now)
    assert count(OutboxMessage) == 3
    assert queue_campaign(campaign, "again-same-key", now)[1] == 3, "another run key queues again"
    db.session.execute(OutboxMessage.__table__.delete().where(OutboxMessage.dedupe_key.like("%again-same-key%")))
    db.session.commit()
    run_job("campaigns", now + timedelta(minutes=5), now=now + timedelta(minutes=5))
    assert count(OutboxMessage) == 3, "the same fire time queues nothing twice"

    from jobs.outbox import deliver_due

    counts = deliver_due(now)
    assert counts.get("sent") == 2, counts  # the email waits: no SMTP server in this test
    sent = {m.channel: m for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "sent"))}
    assert set(sent) == {"zns", "sms"} and sent["zns"].cost == 250 and sent["sms"].cost == sms_unit
    assert db.session.get(type(line), line.id).spent == 250 + sms_unit


def test_a_campaign_on_channels_needs_templates_of_those_channels_and_a_line(app):
    lead = make_user("lead")
    templates = make_templates()
    campaign = Campaign(name="Tri ân", message_template="Chào {name}", channel="email", channel_order="zns,fax")
    with pytest.raises(ValidationError) as caught:
        campaign_rules.prepare(campaign, lead, is_created=True)
    assert "channel_order" in caught.value.errors
    campaign.channel_order, campaign.zns_template_id = "zns,sms", templates["sms"].id
    with pytest.raises(ValidationError) as caught:
        campaign_rules.prepare(campaign, lead, is_created=True)
    assert set(caught.value.errors) == {"zns_template", "sms_template", "budget_line"}


def test_the_survey_job_invites_once_per_resolution(app, now):
    customer = make_customer(email="s@example.vn")
    complaint = make_complaint(customer, status="resolved", resolution="Xong", resolved_at=now - timedelta(hours=1))
    make_templates("survey")
    db.session.commit()
    assert run_job("surveys", now, now=now).created == 1
    assert run_job("surveys", now + timedelta(minutes=10), now=now + timedelta(minutes=10)).created == 0
    invite = db.session.scalars(select(SurveyInvite)).one()
    assert invite.complaint_id == complaint.id and invite.used_at is None
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.dedupe_key == f"survey:{complaint.id}:0" and "/khao-sat/" in message.params
