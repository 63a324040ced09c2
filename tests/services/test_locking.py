"""services.locking: a step whose effect is already there answers AlreadyDone and changes nothing;
a step that is simply not allowed from the row's status stays InvalidTransition."""

import pytest
from sqlalchemy import func, select, update

from models import AuditLog, Budget, Complaint, db
from services import budgets, complaints, locking
from services.errors import AlreadyDone, InvalidTransition
from tests.approval_factories import make_budget
from tests.factories import make_complaint, make_customer, make_user


def _audits() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditLog))


def test_approving_an_approved_budget_is_already_done_and_writes_nothing(app):
    head, lead = make_user("head"), make_user("lead")
    budget = make_budget(created_by=lead, status="approved")
    db.session.commit()
    before = _audits()
    with pytest.raises(AlreadyDone):
        budgets.decide(budget, head, True)
    db.session.rollback()
    assert _audits() == before and db.session.get(Budget, budget.id).status == "approved"


def test_a_draft_cannot_be_approved_and_that_is_not_already_done(app):
    head, lead = make_user("head"), make_user("lead")
    budget = make_budget(created_by=lead, status="draft")
    db.session.commit()
    with pytest.raises(InvalidTransition) as caught:
        budgets.decide(budget, head, True)
    assert not isinstance(caught.value, AlreadyDone)


def test_a_row_changed_under_the_lock_is_already_done(app):
    agent = make_user("agent")
    complaint = make_complaint(make_customer(owner=agent), assignee=agent, status="closed")
    db.session.commit()
    assert complaint.status == "closed"
    db.session.execute(  # another request reopened it after this one read the row
        update(Complaint).where(Complaint.id == complaint.id).values(status="in_progress"),
        execution_options={"synchronize_session": False},
    )
    with pytest.raises(AlreadyDone):
        complaints.transition(complaint, "in_progress", agent)
    db.session.rollback()
    assert db.session.get(Complaint, complaint.id).reopened_count in (0, None)


def test_compare_and_set_refuses_a_stale_status(app):
    agent = make_user("agent")
    complaint = make_complaint(make_customer(owner=agent), assignee=agent, status="new")
    db.session.commit()
    with pytest.raises(AlreadyDone):
        locking.compare_and_set(complaint, "waiting", "in_progress")
    db.session.rollback()
    assert db.session.get(Complaint, complaint.id).status == "new"
