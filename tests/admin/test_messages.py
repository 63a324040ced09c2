"""The screens of care messages: templates, a message's history and cost, the head's spend panel."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from models import Campaign, MessageEvent, MessageTemplate, db
from tests.factories import make_budget_line, make_customer, make_message, make_templates, make_user


def test_template_form_checks_placeholders_and_zalo_id(app, login_as):
    head = login_as("head")
    bad = {"channel": "zns", "name": "Xác nhận đơn", "purpose": "care", "status": "approved", "body": "Chào {ho_ten}"}
    html = head.post("/admin/message_templates/new/", bad).get_data(as_text=True)
    assert "Biến không hợp lệ: {ho_ten}" in html and "phải có mã mẫu (template_id) của Zalo" in html
    assert db.session.scalar(select(func.count()).select_from(MessageTemplate)) == 0
    good = bad | {"body": "Chào {name}", "provider_template_id": "231677", "params": "customer_name=name"}
    assert head.post("/admin/message_templates/new/", good).status_code == 302
    template = db.session.scalars(select(MessageTemplate)).one()
    assert (template.channel, template.provider_template_id, template.status) == ("zns", "231677", "approved")
    agent = login_as("agent")
    assert agent.get("/admin/message_templates/").status_code == 403


def test_message_page_shows_channel_cost_and_history(app, login_as):
    customer = make_customer("Phạm Thu", phone="0912000200")
    message = make_message(customer, make_templates())
    message.status, message.channel, message.cost, message.last_error = "failed", "email", 0, "550 Mailbox unavailable"
    db.session.add_all([
        MessageEvent(message_id=message.id, at=datetime(2026, 11, 23, 5, tzinfo=UTC), status="fallback", channel="zns",
                     detail="Zalo error -118: the phone number has no Zalo account (Zalo account not existed)"),
        MessageEvent(message_id=message.id, at=datetime(2026, 11, 23, 5, 1, tzinfo=UTC), status="failed",
                     channel="email", detail="550 Mailbox unavailable"),
    ])  # fmt: skip
    db.session.commit()
    head = login_as("head")
    listing = head.get("/admin/outbox/?flt0_0=failed").get_data(as_text=True)
    assert "550 Mailbox unavailable" in listing
    html = head.get(f"/admin/outbox/details/?id={message.id}").get_data(as_text=True)
    assert 'id="message-history"' in html and "-118" in html and "Zalo ZNS" in html and "23/11/2026 12:00" in html


def test_head_sees_spend_per_channel_and_the_campaign_projection(app, login_as):
    customer = make_customer(phone="0961000009", is_vip=True)
    sent = make_message(customer, make_templates())
    sent.status, sent.cost, sent.sent_at = "sent", 250, datetime.now(UTC)
    line = make_budget_line(5_000_000, category="campaigns")
    head_user = make_user("head")
    templates = make_templates()
    campaign = Campaign(name="Tết", audience="", channel="email", message_template="Chúc mừng {name}",
                        channel_order="zns,sms", zns_template_id=templates["zns"].id,
                        sms_template_id=templates["sms"].id, budget_line_id=line.id, status="draft",
                        created_by_id=head_user.id)  # fmt: skip
    db.session.add(campaign)
    db.session.commit()
    head = login_as("head")
    html = head.get("/admin/").get_data(as_text=True)
    assert 'id="channel-spend"' in html and "250 ₫" in html
    details = head.get(f"/admin/campaigns/details/?id={campaign.id}").get_data(as_text=True)
    assert 'id="campaign-projection"' in details and "250 ₫" in details
    lead = login_as("lead")
    assert 'id="channel-spend"' not in lead.get("/admin/").get_data(as_text=True)


def test_customer_form_has_consent_per_channel_and_purpose(app, login_as):
    agent_user = make_user("agent")
    customer = make_customer(owner=agent_user)
    db.session.commit()
    html = login_as(agent_user).get(f"/admin/customers/edit/?id={customer.id}").get_data(as_text=True)
    for name in ("consent_care_zns", "consent_care_sms", "consent_ads_email"):
        assert f'name="{name}"' in html
