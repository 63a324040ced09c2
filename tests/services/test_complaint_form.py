"""The complaint form's rules in services.complaints (apply_form, reopen), without the admin."""

import pytest

from models import Complaint
from services import audit
from services import complaints as rules
from services.errors import InvalidTransition, ValidationError
from tests.factories import make_complaint, make_customer, make_team, make_user


def _world(db):
    team = make_team()
    lead = make_user("lead", team=team)
    agent = make_user("agent", team=team)
    customer = make_customer(owner=agent)
    db.session.commit()
    return lead, agent, customer


def test_a_new_request_goes_to_its_author_and_gets_its_due_time(app, db):
    _, agent, customer = _world(db)
    complaint = Complaint(customer=customer, subject="Máy kêu to", priority="high")
    db.session.add(complaint)
    with db.session.no_autoflush:
        rules.apply_form(complaint, agent, True, {})
    assert complaint.assignee_id == agent.id and complaint.status == "new"
    assert complaint.team_id == customer.team_id and complaint.due_at is not None


def test_a_request_without_customer_or_with_a_bad_score_is_refused_on_its_fields(app, db):
    _, agent, _ = _world(db)
    complaint = Complaint(subject="x", satisfaction=9)
    with pytest.raises(ValidationError) as exc:
        rules.apply_form(complaint, agent, True, {})
    assert set(exc.value.errors) == {"customer", "satisfaction"}


def test_an_agent_may_not_reassign_but_the_lead_may(app, db):
    lead, agent, customer = _world(db)
    complaint = make_complaint(customer, assignee=agent)
    db.session.commit()
    before = audit.snapshot(complaint)
    complaint.assignee = lead
    with pytest.raises(ValidationError) as exc:
        rules.apply_form(complaint, agent, False, before)
    assert list(exc.value.errors) == ["assignee"]
    db.session.rollback()
    complaint = db.session.get(Complaint, complaint.id)
    assert complaint.assignee_id == agent.id
    complaint.assignee = lead
    rules.apply_form(complaint, lead, False, audit.snapshot(complaint) | {"assignee_id": agent.id})
    assert complaint.assignee_id == lead.id


def test_a_new_priority_moves_the_due_time(app, db):
    _, agent, customer = _world(db)
    complaint = make_complaint(customer, assignee=agent, priority="low")
    db.session.commit()
    before = audit.snapshot(complaint)
    complaint.priority = "urgent"
    rules.apply_form(complaint, agent, False, before)
    assert complaint.due_at == rules.due_at_for("urgent", complaint.opened_at)


def test_only_a_resolved_or_closed_request_reopens(app, db):
    _, agent, customer = _world(db)
    complaint = make_complaint(customer, assignee=agent, status="in_progress")
    db.session.commit()
    with pytest.raises(InvalidTransition):
        rules.reopen(complaint, agent)
    db.session.rollback()
    assert db.session.get(Complaint, complaint.id).status == "in_progress"
