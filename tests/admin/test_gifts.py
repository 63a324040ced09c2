"""Gift and campaign screens: approvals by allowance, four eyes, budget charges, the head's campaigns."""

from sqlalchemy import func, select

from models import BudgetLine, Campaign, Gift
from tests.approval_factories import make_budget, make_campaign, make_gift
from tests.factories import make_customer, make_team, make_user


def _setup(db, planned=10_000_000, spent=0):
    team = make_team(gift_allowance=500_000)
    lead, agent, head = make_user("lead", team=team), make_user("agent", team=team), make_user("head")
    customer = make_customer("Lê Văn Cường", owner=agent)
    line = make_budget(team=team, status="approved", lines=(("gifts", planned, spent),)).lines[0]
    db.session.commit()
    return lead, agent, head, customer, line


def _gift(db, pk):
    db.session.expire_all()
    gift = db.session.get(Gift, pk)
    return gift.status, gift.decided_by_id, db.session.get(BudgetLine, gift.budget_line_id).spent


def test_lead_plans_a_gift_and_cannot_approve_it_but_another_can(app, db, login_as):
    lead_user, agent, head_user, customer, line = _setup(db)
    lead = login_as(lead_user)
    data = {"customer": str(customer.id), "occasion": "birthday", "year": "2026", "item": "Giỏ quà",
            "value": "400.000", "budget_line": str(line.id), "status": "approved"}  # fmt: skip
    assert lead.post("/admin/gifts/new/", data).status_code == 302
    gift = db.session.scalar(select(Gift))
    assert (gift.status, gift.submitted_by_id, gift.value) == ("planned", lead_user.id, 400_000)
    response = lead.post("/admin/gifts/decide/", {"id": gift.id, "op": "approve"})
    assert response.status_code == 403
    assert _gift(db, gift.id) == ("planned", None, 0)
    head = login_as(head_user)
    assert head.post("/admin/gifts/decide/", {"id": gift.id, "op": "approve", "comment": "OK"}).status_code == 302
    assert _gift(db, gift.id) == ("approved", head_user.id, 400_000)
    details = head.get(f"/admin/gifts/details/?id={gift.id}").get_data(as_text=True)
    assert "400.000 ₫" in details and head_user.name in details and lead_user.name in details


def test_lead_approves_within_allowance_not_above(app, db, login_as):
    lead_user, agent, head_user, customer, line = _setup(db)
    small = make_gift(customer, value=500_000, line=line, submitted_by=head_user, occasion="tet")
    big = make_gift(customer, value=600_000, line=line, submitted_by=head_user, occasion="vip")
    db.session.commit()
    lead = login_as(lead_user)
    page = lead.get(f"/admin/gifts/decide/?id={big.id}").get_data(as_text=True)
    assert 'value="approve"' not in page
    response = lead.post("/admin/gifts/decide/", {"id": big.id, "op": "approve"})
    assert response.status_code == 403 and "500.000" in response.get_data(as_text=True)
    assert _gift(db, big.id) == ("planned", None, 0)
    assert lead.post("/admin/gifts/decide/", {"id": small.id, "op": "approve"}).status_code == 302
    assert _gift(db, small.id) == ("approved", lead_user.id, 500_000)
    assert lead.post("/admin/gifts/decide/", {"id": small.id, "op": "sent"}).status_code == 302
    assert lead.post("/admin/gifts/decide/", {"id": small.id, "op": "delivered"}).status_code == 302
    assert _gift(db, small.id)[0] == "delivered"


def test_overspend_refuses_and_changes_nothing(app, db, login_as):
    lead_user, agent, head_user, customer, line = _setup(db, planned=1_000_000, spent=800_000)
    gift = make_gift(customer, value=300_000, line=line, submitted_by=head_user)
    db.session.commit()
    lead = login_as(lead_user)
    response = lead.post("/admin/gifts/decide/", {"id": gift.id, "op": "approve"})
    assert response.status_code == 400 and 'id="workflow-error"' in response.get_data(as_text=True)
    assert _gift(db, gift.id) == ("planned", None, 800_000)


def test_agent_sees_own_gifts_and_cannot_decide(app, db, login_as):
    lead_user, agent_user, head_user, customer, line = _setup(db)
    gift = make_gift(customer, value=100_000, line=line, submitted_by=head_user)
    db.session.commit()
    agent = login_as(agent_user)
    assert agent.get(f"/admin/gifts/decide/?id={gift.id}").status_code == 200
    assert agent.post("/admin/gifts/decide/", {"id": gift.id, "op": "approve"}).status_code == 403
    stranger = login_as("agent")
    assert stranger.get(f"/admin/gifts/decide/?id={gift.id}").status_code == 403
    assert _gift(db, gift.id) == ("planned", None, 0)


def test_budget_line_lookup_shows_only_lines_of_visible_budgets(app, db, login_as):
    lead_user, agent, head_user, customer, line = _setup(db)
    foreign = make_budget(team=make_team(), status="approved", lines=(("gifts", 1, 0),)).lines[0]
    db.session.commit()
    lead = login_as(lead_user)
    ids = {row[0] for row in lead.get("/admin/gifts/ajax/lookup/?name=budget_line&query=").get_json()}
    assert ids == {line.id} and foreign.id not in ids


def test_campaign_template_is_validated_on_the_form(app, db, login_as):
    lead = login_as("lead")
    data = {"name": "Tri ân", "channel": "email", "message_template": "Chào {ho_ten}", "gift_value": "0"}
    response = lead.post("/admin/campaigns/new/", data)
    assert response.status_code == 200 and "{ho_ten}" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0
    data["message_template"] = "Chào {name}"
    assert lead.post("/admin/campaigns/new/", data).status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.status, campaign.created_by_id) == ("draft", lead.user.id)


def test_lead_cannot_approve_a_campaign_the_head_can(app, db, login_as):
    lead_user, head_user = make_user("lead"), make_user("head")
    campaign = make_campaign(lead_user)
    db.session.commit()
    lead, head = login_as(lead_user), login_as(head_user)
    assert lead.post("/admin/campaigns/decide/", {"id": campaign.id, "op": "submit"}).status_code == 302
    assert lead.post("/admin/campaigns/decide/", {"id": campaign.id, "op": "approve"}).status_code == 403
    db.session.expire_all()
    assert (db.session.get(Campaign, campaign.id).status, db.session.get(Campaign, campaign.id).decided_by_id) == (
        "submitted", None
    )  # fmt: skip
    assert (
        head.post("/admin/campaigns/decide/", {"id": campaign.id, "op": "approve", "comment": "Chạy"}).status_code
        == 302
    )
    assert head.post("/admin/campaigns/decide/", {"id": campaign.id, "op": "pause"}).status_code == 302
    db.session.expire_all()
    c = db.session.get(Campaign, campaign.id)
    assert (c.status, c.decided_by_id, c.decision_comment) == ("paused", head_user.id, "Chạy")


def test_head_cannot_approve_own_campaign_on_the_page(app, db, login_as):
    head_user = make_user("head")
    campaign = make_campaign(head_user, status="submitted", submitted_by_id=head_user.id)
    db.session.commit()
    head = login_as(head_user)
    page = head.get(f"/admin/campaigns/decide/?id={campaign.id}").get_data(as_text=True)
    assert 'id="four-eyes-hint"' in page
    assert head.post("/admin/campaigns/decide/", {"id": campaign.id, "op": "approve"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "submitted"
