"""Budgets: quarter and team key, the approval workflow, and charging a line."""

import pytest
from sqlalchemy import select

from models import Budget, BudgetLine
from services import budgets
from services.approvals import FourEyes
from services.errors import BudgetExceeded, InvalidTransition, NotAllowed, ValidationError
from tests.approval_factories import make_budget
from tests.factories import make_team, make_user


def _status(db, budget_id):
    db.session.expire_all()
    b = db.session.get(Budget, budget_id)
    return b.status, b.submitted_by_id, b.decided_by_id


def _spent(db, line_id):
    db.session.expire_all()
    return db.session.get(BudgetLine, line_id).spent


def test_prepare_sets_quarter_team_key_and_the_lead_team(app, db):
    team = make_team()
    lead, head = make_user("lead", team=team), make_user("head")
    budget = Budget(year=2026, quarter_no=4, title=" Quý 4 ", team_id=None)
    budget.lines = [BudgetLine(category="gifts", description="Quà", planned=5_000_000)]
    budgets.prepare(budget, lead, is_created=True)
    assert (budget.quarter, budget.team_id, budget.team_key, budget.title) == ("2026-Q4", team.id, team.id, "Quý 4")
    assert (budget.status, budget.created_by_id) == ("draft", lead.id)
    department = Budget(year=2027, quarter_no=1, title="Toàn phòng")
    budgets.prepare(department, head, is_created=True)
    assert (department.quarter, department.team_key) == ("2027-Q1", 0)


def test_validation_and_one_budget_per_team_and_quarter(app, db):
    team = make_team()
    head = make_user("head")
    make_budget(team=team)
    clash = Budget(year=2026, quarter_no=4, title="Trùng", team_id=team.id)
    with pytest.raises(ValidationError) as caught:
        budgets.prepare(clash, head, is_created=True)
    assert set(caught.value.errors) == {"quarter_no"}
    bad = Budget(year=1999, quarter_no=5, title="")
    bad.lines = [BudgetLine(category="party", description="", planned=-1)]
    with pytest.raises(ValidationError) as caught:
        budgets.prepare(bad, head, is_created=True)
    assert set(caught.value.errors) == {"year", "quarter_no", "title", "lines"}


def test_submit_and_approve_with_four_eyes(app, db):
    team = make_team()
    lead, head, head2 = make_user("lead", team=team), make_user("head"), make_user("head")
    budget = make_budget(team=team, created_by=lead)
    budgets.submit(budget, lead)
    assert budget.status == "submitted" and budget.submitted_by_id == lead.id
    db.session.commit()
    with pytest.raises(NotAllowed):  # a lead proposes, never approves
        budgets.decide(budget, lead, True)
    db.session.rollback()
    assert _status(db, budget.id) == ("submitted", lead.id, None)
    budgets.decide(budget, head, True, "Duyệt")
    db.session.commit()
    assert _status(db, budget.id) == ("approved", lead.id, head.id)
    own = make_budget(created_by=head, quarter_no=1)
    budgets.submit(own, head)
    db.session.commit()
    with pytest.raises(FourEyes):
        budgets.decide(own, head, True)
    db.session.rollback()
    assert _status(db, own.id) == ("submitted", head.id, None)
    budgets.decide(own, head2, False, "Quá cao")
    assert own.status == "rejected"
    budgets.prepare(own, head, is_created=False, before_status="rejected")
    assert own.status == "draft"


def test_refused_steps_change_nothing(app, db):
    team, other_team = make_team(), make_team()
    lead, head = make_user("lead", team=team), make_user("head")
    foreign = make_budget(team=other_team)
    approved = make_budget(team=team, status="approved", quarter_no=1)
    empty = make_budget(team=team, lines=(), quarter_no=2)
    db.session.commit()
    cases = [
        (lambda: budgets.submit(foreign, lead), NotAllowed, foreign),
        (lambda: budgets.submit(approved, head), InvalidTransition, approved),
        (lambda: budgets.decide(approved, head, True), InvalidTransition, approved),
        (lambda: budgets.submit(empty, lead), ValidationError, empty),
    ]
    for step, error, budget in cases:
        before = _status(db, budget.id)
        with pytest.raises(error):
            step()
        db.session.rollback()
        assert _status(db, budget.id) == before
    with pytest.raises(ValidationError):  # an approved budget is not edited
        budgets.prepare(approved, head, is_created=False, before_status="approved")


def test_charge_spends_within_the_line(app, db):
    line = make_budget(status="approved", lines=(("gifts", 1_000_000, 200_000),)).lines[0]
    db.session.commit()
    assert budgets.remaining(line) == 800_000
    budgets.charge(line, 300_000)
    assert line.spent == 500_000 and budgets.remaining(line) == 500_000
    budgets.charge(line, 500_000)
    db.session.commit()
    assert _spent(db, line.id) == 1_000_000


def test_charge_refuses_overspend_and_unapproved_budgets(app, db):
    line = make_budget(status="approved", lines=(("gifts", 1_000_000, 900_000),)).lines[0]
    draft_line = make_budget(status="draft", lines=(("gifts", 1_000_000, 0),), quarter_no=1).lines[0]
    db.session.commit()
    with pytest.raises(BudgetExceeded):
        budgets.charge(line, 100_001)
    with pytest.raises(BudgetExceeded):
        budgets.charge(draft_line, 1)
    with pytest.raises(BudgetExceeded):
        budgets.charge(None, 1)
    with pytest.raises(ValidationError):
        budgets.charge(line, -5)
    db.session.commit()
    assert _spent(db, line.id) == 900_000 and _spent(db, draft_line.id) == 0
    budgets.charge(line, 100_000)  # exactly what is left
    db.session.commit()
    assert db.session.scalar(select(BudgetLine.spent).where(BudgetLine.id == line.id)) == 1_000_000
