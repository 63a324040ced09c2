"""Campaigns: message placeholders, the head's approval with four eyes, pause and finish."""

import pytest

from models import Campaign
from services import campaigns
from services.approvals import FourEyes
from services.errors import InvalidTransition, NotAllowed, ValidationError
from tests.approval_factories import make_campaign
from tests.factories import make_user


def _state(db, campaign_id):
    db.session.expire_all()
    c = db.session.get(Campaign, campaign_id)
    return c.status, c.submitted_by_id, c.decided_by_id


@pytest.mark.parametrize("text", ["Chào {name}", "{name} {phone} {email} {province}", "Giá {{cố định}}", "Không có"])
def test_known_placeholders_pass(text):
    campaigns.check_template(text)


@pytest.mark.parametrize("text", ["Chào {ten}", "Chào {name!r}", "Chào {name:>10}", "Chào {", "Chào {0}", "{}", ""])
def test_unknown_placeholders_and_bad_braces_are_refused(text):
    with pytest.raises(ValidationError) as caught:
        campaigns.check_template(text)
    assert list(caught.value.errors) == ["message_template"]


def test_prepare_validates_every_field(app, db):
    lead = make_user("lead")
    campaign = Campaign(
        name=" ", message_template="Chào {ho_ten}", message_subject="{x}", audience='{"vip": 1}',
        occasion="xmas", channel="fax", gift_value=100_000,
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        campaigns.prepare(campaign, lead, is_created=True)
    assert set(caught.value.errors) == {
        "name", "message_template", "message_subject", "audience", "occasion", "channel", "budget_line"
    }  # fmt: skip
    good = Campaign(name="Tết", message_template="Chúc mừng năm mới {name}", channel="email")
    campaigns.prepare(good, lead, is_created=True)
    assert (good.status, good.created_by_id, good.team_id) == ("draft", lead.id, lead.team_id)


def test_lead_submits_head_approves(app, db):
    lead, head = make_user("lead"), make_user("head")
    campaign = make_campaign(lead)
    campaigns.submit(campaign, lead)
    db.session.commit()
    with pytest.raises(NotAllowed):
        campaigns.decide(campaign, lead, True)
    with pytest.raises(NotAllowed):
        campaigns.decide(campaign, make_user("lead"), True)
    db.session.rollback()
    assert _state(db, campaign.id) == ("submitted", lead.id, None)
    campaigns.decide(campaign, head, True, "Chạy đi")
    db.session.commit()
    assert _state(db, campaign.id) == ("approved", lead.id, head.id)


def test_head_cannot_approve_own_campaign(app, db):
    head, head2 = make_user("head"), make_user("head")
    campaign = make_campaign(head)
    campaigns.submit(campaign, head)
    db.session.commit()
    with pytest.raises(FourEyes):
        campaigns.decide(campaign, head, True)
    db.session.rollback()
    assert _state(db, campaign.id) == ("submitted", head.id, None)
    campaigns.decide(campaign, head2, False, "Sai đối tượng")
    assert campaign.status == "rejected"
    campaigns.prepare(campaign, head, is_created=False, before_status="rejected")
    assert campaign.status == "draft"


def test_pause_resume_finish_and_refusals(app, db):
    lead, head = make_user("lead"), make_user("head")
    campaign = make_campaign(lead, status="approved")
    db.session.commit()
    with pytest.raises(NotAllowed):
        campaigns.pause(campaign, lead)
    db.session.rollback()
    assert _state(db, campaign.id)[0] == "approved"
    campaigns.pause(campaign, head)
    assert campaign.status == "paused"
    with pytest.raises(InvalidTransition):
        campaigns.pause(campaign, head)
    campaigns.resume(campaign, head)
    campaigns.finish(campaign, head)
    assert campaign.status == "finished"
    for step in (campaigns.resume, campaigns.finish, campaigns.submit):
        with pytest.raises((InvalidTransition, NotAllowed)):
            step(campaign, head)
    with pytest.raises(ValidationError):
        campaigns.prepare(campaign, head, is_created=False, before_status="finished")
    db.session.commit()
    assert _state(db, campaign.id)[0] == "finished"


def test_prepare_refuses_a_schedule_that_is_not_cron(app, db):
    lead = make_user("lead")
    campaign = Campaign(name="Tết", message_template="Chúc {name}", channel="email", schedule_cron="every monday")
    with pytest.raises(ValidationError) as caught:
        campaigns.prepare(campaign, lead, is_created=True)
    assert list(caught.value.errors) == ["schedule_cron"]
    campaign.schedule_cron = "0 9 * * mon"
    campaigns.prepare(campaign, lead, is_created=True)
    assert campaign.status == "draft"
