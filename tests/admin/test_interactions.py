"""Interactions ("my interactions today"), the emotion notebook, SLA rules and canned replies."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from models import CannedReply, EmotionEntry, Interaction, SlaRule
from tests.factories import make_customer, make_team, make_user


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_my_interactions_today_shows_only_mine_of_today(db, login_as):
    team = make_team()
    me = make_user("agent", team=team)
    colleague = make_user("agent", team=team)
    customer = make_customer(owner=me)
    now = datetime.now(UTC)
    db.session.add_all(
        [
            Interaction(
                customer_id=customer.id, channel="phone", summary="Cuộc gọi hôm nay", agent_id=me.id, occurred_at=now
            ),
            Interaction(
                customer_id=customer.id,
                channel="chat",
                summary="Chat hôm kia",
                agent_id=me.id,
                occurred_at=now - timedelta(days=2),
            ),
            Interaction(
                customer_id=customer.id,
                channel="email",
                summary="Email của đồng nghiệp",
                agent_id=colleague.id,
                occurred_at=now,
            ),
        ]
    )
    db.session.commit()
    client = login_as(me)
    everything = client.get("/admin/interactions/").get_data(as_text=True)
    assert "Chat hôm kia" in everything and "Email của đồng nghiệp" in everything
    mine = client.get("/admin/interactions/?mine=today").get_data(as_text=True)
    assert "Cuộc gọi hôm nay" in mine
    assert "Chat hôm kia" not in mine and "Email của đồng nghiệp" not in mine
    assert "/admin/interactions/?mine=today" in client.get("/admin/").get_data(as_text=True)


def test_create_interaction_through_the_form_sets_the_agent(db, login_as):
    team = make_team()
    agent = make_user("agent", team=team)
    customer = make_customer(owner=agent)
    db.session.commit()
    client = login_as(agent)
    r = client.post(
        "/admin/interactions/new/",
        {
            "customer": str(customer.id),
            "channel": "social",
            "direction": "inbound",
            "summary": "Nhắn qua Zalo",
            "occurred_at": "",
            "outcome": "",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:1500]
    row = db.session.scalars(select(Interaction)).one()
    assert row.agent_id == agent.id and row.channel == "social" and row.outcome is None
    listed = client.get("/admin/interactions/").get_data(as_text=True)
    assert "Khách nhắn đến" in listed and "Gọi đến" not in listed


def test_the_form_refuses_an_outgoing_web_chat(db, login_as):
    agent = make_user("agent", team=make_team())
    customer = make_customer(owner=agent)
    db.session.commit()
    form = {"customer": str(customer.id), "channel": "chat", "direction": "outbound", "summary": "Chat đi"}
    r = login_as(agent).post("/admin/interactions/new/", {**form, "occurred_at": "", "outcome": ""})
    assert r.status_code in (200, 400) and "Chiều liên hệ này không hợp với kênh đã chọn." in r.get_data(as_text=True)
    assert db.session.scalars(select(Interaction)).first() is None


def test_emotion_entries_list_and_create(db, login_as):
    team = make_team()
    agent = make_user("agent", team=team)
    customer = make_customer(owner=agent)
    db.session.commit()
    client = login_as(agent)
    r = client.post("/admin/emotions/new/", {"customer": str(customer.id), "mood": "delighted", "note": "Rất vui"})
    assert r.status_code == 302
    entry = db.session.scalars(select(EmotionEntry)).one()
    assert entry.author_id == agent.id
    assert "badge-mood-delighted" in client.get("/admin/emotions/").get_data(as_text=True)


def test_only_the_head_edits_sla_rules(db, login_as):
    lead = login_as("lead")
    assert lead.get("/admin/sla_rules/").status_code == 200
    assert lead.post("/admin/sla_rules/new/", {"priority": "urgent", "hours": "2"}).status_code == 403
    assert _count(db, SlaRule) == 0
    head = login_as("head")
    assert head.post("/admin/sla_rules/new/", {"priority": "urgent", "hours": "2"}).status_code == 302
    bad = head.post("/admin/sla_rules/new/", {"priority": "low", "hours": "0"})
    assert bad.status_code == 200
    rows = db.session.scalars(select(SlaRule)).all()
    assert [(r.priority, r.hours) for r in rows] == [("urgent", 2)]


def test_canned_replies_leads_write_agents_read(db, login_as):
    agent = login_as("agent")
    assert (
        agent.post(
            "/admin/canned_replies/new/",
            {"title": "A", "body": "B", "category": "other", "audience": "agent", "active": "y"},
        ).status_code
        == 403
    )
    assert _count(db, CannedReply) == 0
    lead = login_as("lead")
    r = lead.post(
        "/admin/canned_replies/new/",
        {"title": "Xin lỗi", "body": "Chúng tôi xin lỗi", "category": "service", "audience": "customer", "active": "y"},
    )
    assert r.status_code == 302
    assert "Xin lỗi" in agent.get("/admin/canned_replies/").get_data(as_text=True)
