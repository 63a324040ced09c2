"""Policies: the version workflow, four eyes, new versions and publishing."""

from datetime import date

import pytest
from sqlalchemy import func, select

from models import AuditLog, Policy
from services import policies
from services.approvals import FourEyes
from services.errors import InvalidTransition, NotAllowed, ValidationError
from tests.approval_factories import make_policy
from tests.factories import make_user


def _state(db, policy_id):
    db.session.expire_all()
    p = db.session.get(Policy, policy_id)
    return p.status, p.submitted_by_id, p.decided_by_id, p.version


def test_full_workflow_from_draft_to_retired(app, db):
    lead, head, head2 = make_user("lead"), make_user("head"), make_user("head")
    policy = make_policy(lead)
    policies.submit(policy, lead)
    assert policy.status == "submitted" and policy.submitted_by_id == lead.id
    policies.decide(policy, head, True, "  Ổn  ")
    assert (policy.status, policy.decided_by_id, policy.decision_comment) == ("approved", head.id, "Ổn")
    policies.publish(policy, head2)
    assert policy.status == "published"
    policies.retire(policy, head)
    db.session.commit()
    assert _state(db, policy.id)[0] == "retired"
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.object_type == "Policy")).all()
    assert {"submit", "approve", "publish", "retire"} <= set(actions)


def test_rejected_goes_back_to_draft_on_edit_and_by_reopen(app, db):
    lead, head = make_user("lead"), make_user("head")
    policy = make_policy(lead)
    policies.submit(policy, lead)
    policies.decide(policy, head, False, "Thiếu điều khoản")
    assert policy.status == "rejected" and policy.decision_comment == "Thiếu điều khoản"
    policies.reopen(policy, lead)
    assert policy.status == "draft"
    policies.submit(policy, lead)
    policies.decide(policy, head, False, "Vẫn thiếu")
    before = {"status": "rejected", "code": policy.code}
    policy.body = "Bảo hành 24 tháng."
    policies.prepare(policy, head, is_created=False, before=before)
    assert policy.status == "draft"


def test_submitter_and_author_cannot_approve(app, db):
    head, head2 = make_user("head"), make_user("head")
    policy = make_policy(head)
    policies.submit(policy, head)
    db.session.commit()
    with pytest.raises(FourEyes):
        policies.decide(policy, head, True)
    db.session.rollback()
    assert _state(db, policy.id) == ("submitted", head.id, None, 1)
    written_by_other = make_policy(head2)
    policies.submit(written_by_other, head)
    with pytest.raises(FourEyes):  # head2 wrote it, head submitted it: neither may approve
        policies.decide(written_by_other, head2, True)


def test_lead_may_propose_but_not_approve_or_publish(app, db):
    lead, head = make_user("lead"), make_user("head")
    policy = make_policy(head)
    policies.submit(policy, head)
    db.session.commit()
    with pytest.raises(NotAllowed):
        policies.decide(policy, lead, True)
    db.session.rollback()
    assert _state(db, policy.id)[:3] == ("submitted", head.id, None)
    approved = make_policy(head, status="approved")
    db.session.commit()
    with pytest.raises(NotAllowed):
        policies.publish(approved, lead)
    db.session.rollback()
    assert _state(db, approved.id)[0] == "approved"
    other = make_policy(make_user("lead"))
    with pytest.raises(NotAllowed):  # a lead submits only their own drafts
        policies.submit(other, lead)


@pytest.mark.parametrize(
    ("status", "step"),
    [
        ("draft", lambda p, u: policies.decide(p, u, True)),
        ("draft", lambda p, u: policies.publish(p, u)),
        ("submitted", lambda p, u: policies.submit(p, u)),
        ("submitted", lambda p, u: policies.publish(p, u)),
        ("approved", lambda p, u: policies.retire(p, u)),
        ("published", lambda p, u: policies.decide(p, u, False)),
        ("retired", lambda p, u: policies.publish(p, u)),
        ("draft", lambda p, u: policies.edit_published(p, u)),
        ("draft", lambda p, u: policies.reopen(p, u)),
    ],
)
def test_refused_transitions_change_nothing(app, db, status, step):
    head, other = make_user("head"), make_user("head")
    policy = make_policy(other, status=status)
    db.session.commit()
    before = _state(db, policy.id)
    count = db.session.scalar(select(func.count()).select_from(Policy))
    with pytest.raises(InvalidTransition):
        step(policy, head)
    db.session.rollback()
    assert _state(db, policy.id) == before
    assert db.session.scalar(select(func.count()).select_from(Policy)) == count


def test_edit_published_makes_a_new_draft_version_and_publishing_retires_the_old(app, db):
    head, lead, head2 = make_user("head"), make_user("lead"), make_user("head")
    v1 = make_policy(head, status="published", code="BH-01", effective_from=date(2026, 1, 1))
    db.session.commit()
    v2 = policies.edit_published(v1, lead)
    db.session.commit()
    assert v2.id != v1.id
    assert (v2.code, v2.version, v2.status, v2.author_id) == ("BH-01", 2, "draft", lead.id)
    assert (v2.title, v2.body, v2.channels, v2.effective_from) == (v1.title, v1.body, v1.channels, v1.effective_from)
    assert _state(db, v1.id)[0] == "published"
    with pytest.raises(InvalidTransition):  # one pending version at a time
        policies.edit_published(v1, head)
    db.session.rollback()
    v2.body = "Bảo hành 18 tháng."
    policies.submit(v2, lead)
    policies.decide(v2, head, True)
    retired = policies.publish(v2, head2)
    db.session.commit()
    assert [p.id for p in retired] == [v1.id]
    assert _state(db, v1.id)[0] == "retired" and _state(db, v2.id)[0] == "published"
    assert db.session.get(Policy, v1.id).body == "Bảo hành 12 tháng."
    v3 = policies.edit_published(v2, head)
    assert v3.version == 3


def test_agent_cannot_make_a_new_version(app, db):
    head, agent = make_user("head"), make_user("agent")
    v1 = make_policy(head, status="published")
    db.session.commit()
    with pytest.raises(NotAllowed):
        policies.edit_published(v1, agent)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Policy)) == 1


def test_validation_of_channels_dates_and_code(app, db):
    head = make_user("head")
    make_policy(head, code="BH-01")
    policy = Policy(code=" bh-01 ", title="", kind="nope", body="x", channels="website, fax",
                    effective_from=date(2026, 5, 1), effective_to=date(2026, 4, 30))  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        policies.prepare(policy, head, is_created=True)
    assert set(caught.value.errors) == {"title", "kind", "channels", "effective_to", "code"}
    good = Policy(code="bh-02", title="Đổi trả", kind="return", body="7 ngày", channels=" zalo,WEBSITE ,",
                  effective_from=date(2026, 5, 1), effective_to=date(2026, 5, 2))  # fmt: skip
    policies.prepare(good, head, is_created=True)
    assert (good.code, good.channels, good.version, good.status, good.author_id) == (
        "BH-02", "website,zalo", 1, "draft", head.id
    )  # fmt: skip
    same_day = Policy(code="BH-03", title="x", kind="return", body="x",
                      effective_from=date(2026, 5, 1), effective_to=date(2026, 5, 1))  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        policies.prepare(same_day, head, is_created=True)
    assert set(caught.value.errors) == {"effective_to"}


def test_publish_needs_a_channel_and_published_cannot_be_edited_in_place(app, db):
    head, head2 = make_user("head"), make_user("head")
    policy = make_policy(head2, status="approved", channels=None)
    db.session.commit()
    with pytest.raises(ValidationError):
        policies.publish(policy, head)
    db.session.rollback()
    assert _state(db, policy.id)[0] == "approved"
    published = make_policy(head2, status="published")
    with pytest.raises(ValidationError):
        policies.prepare(published, head, is_created=False, before={"status": "published", "code": published.code})
