"""Gifts: the lead's allowance, four eyes, charging the budget line, and the delivery steps."""

import pytest

from models import BudgetLine, Gift
from services import gifts
from services.approvals import FourEyes
from services.errors import BudgetExceeded, InvalidTransition, NotAllowed, ValidationError
from tests.approval_factories import make_budget, make_gift
from tests.factories import make_customer, make_team, make_user


def _setup(db, allowance=500_000, planned=10_000_000, spent=0):
    team = make_team(gift_allowance=allowance)
    lead, agent, head = make_user("lead", team=team), make_user("agent", team=team), make_user("head")
    customer = make_customer("Trần Thị Bình", owner=agent)
    line = make_budget(team=team, status="approved", lines=(("gifts", planned, spent),)).lines[0]
    db.session.commit()
    return team, lead, agent, head, customer, line


def _row(db, gift_id, line_id):
    db.session.expire_all()
    g = db.session.get(Gift, gift_id)
    return g.status, g.decided_by_id, db.session.get(BudgetLine, line_id).spent


def test_lead_approves_within_allowance_and_the_line_is_charged(app, db):
    team, lead, agent, head, customer, line = _setup(db)
    gift = make_gift(customer, value=500_000, line=line, submitted_by=head)
    gifts.approve_gift(gift, lead, "OK")
    db.session.commit()
    assert _row(db, gift.id, line.id) == ("approved", lead.id, 500_000)
    assert db.session.get(Gift, gift.id).decision_comment == "OK"


def test_lead_cannot_approve_above_allowance_but_the_head_can(app, db):
    team, lead, agent, head, customer, line = _setup(db)
    gift = make_gift(customer, value=500_001, line=line, submitted_by=lead)
    db.session.commit()
    with pytest.raises(NotAllowed) as caught:
        gifts.approve_gift(gift, make_user("lead", team=team))
    assert "500.000" in str(caught.value.message)
    db.session.rollback()
    assert _row(db, gift.id, line.id) == ("planned", None, 0)
    gifts.approve_gift(gift, head)
    db.session.commit()
    assert _row(db, gift.id, line.id) == ("approved", head.id, 500_001)


def test_lead_cannot_approve_for_another_team(app, db):
    team, lead, agent, head, customer, line = _setup(db)
    other_lead = make_user("lead")
    gift = make_gift(customer, value=100_000, line=line, submitted_by=head)
    db.session.commit()
    with pytest.raises(NotAllowed):
        gifts.approve_gift(gift, other_lead)
    with pytest.raises(NotAllowed):
        gifts.approve_gift(gift, agent)
    db.session.rollback()
    assert _row(db, gift.id, line.id) == ("planned", None, 0)


def test_four_eyes_the_planner_cannot_approve(app, db):
    team, lead, agent, head, customer, line = _setup(db)
    gift = make_gift(customer, value=100_000, line=line, submitted_by=lead)
    db.session.commit()
    with pytest.raises(FourEyes):
        gifts.approve_gift(gift, lead)
    db.session.rollback()
    assert _row(db, gift.id, line.id) == ("planned", None, 0)


def test_overspend_refuses_the_approval_and_changes_nothing(app, db):
    team, lead, agent, head, customer, line = _setup(db, planned=1_000_000, spent=900_000)
    gift = make_gift(customer, value=200_000, line=line, submitted_by=head)
    db.session.commit()
    with pytest.raises(BudgetExceeded):
        gifts.approve_gift(gift, lead)
    assert gift.status == "planned" and gift.decided_by_id is None
    db.session.rollback()
    assert _row(db, gift.id, line.id) == ("planned", None, 900_000)


def test_a_gift_with_value_needs_a_budget_line(app, db):
    team, lead, agent, head, customer, line = _setup(db)
    gift = make_gift(customer, value=100_000, line=None, submitted_by=head)
    db.session.commit()
    with pytest.raises(ValidationError):
        gifts.approve_gift(gift, lead)
    db.session.rollback()
    assert _row(db, gift.id, line.id) == ("planned", None, 0)


def test_reject_then_sent_and_delivered(app, db):
    team, lead, agent, head, customer, line = _setup(db)
    rejected = make_gift(customer, value=100_000, line=line, submitted_by=head, occasion="tet")
    gifts.reject_gift(rejected, lead, "Trùng quà")
    assert rejected.status == "rejected"
    with pytest.raises(InvalidTransition):
        gifts.approve_gift(rejected, lead)
    gift = make_gift(customer, value=100_000, line=line, submitted_by=head)
    with pytest.raises(InvalidTransition):
        gifts.mark_sent(gift, lead)
    gifts.approve_gift(gift, lead)
    with pytest.raises(NotAllowed):
        gifts.mark_sent(gift, agent)
    with pytest.raises(InvalidTransition):
        gifts.mark_delivered(gift, lead)
    gifts.mark_sent(gift, lead)
    assert gift.status == "sent" and gift.sent_at is not None
    gifts.mark_delivered(gift, head)
    db.session.commit()
    assert _row(db, gift.id, line.id) == ("delivered", lead.id, 100_000)


def test_prepare_sets_the_submitter_and_refuses_duplicates(app, db):
    team, lead, agent, head, customer, line = _setup(db)
    make_gift(customer, occasion="birthday", year=2026)
    gift = Gift(customer_id=customer.id, occasion="birthday", year=2026, item=" Hoa ", value=0)
    with pytest.raises(ValidationError) as caught:
        gifts.prepare(gift, lead, is_created=True)
    assert set(caught.value.errors) == {"occasion"}
    gift.occasion = "tet"
    gifts.prepare(gift, lead, is_created=True)
    assert (gift.status, gift.submitted_by_id, gift.item, gift.campaign_key) == ("planned", lead.id, "Hoa", 0)
    approved = make_gift(customer, occasion="vip", status="approved")
    with pytest.raises(ValidationError):
        gifts.prepare(approved, head, is_created=False, before_status="approved")
