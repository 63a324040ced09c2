"""Budget screens: create with inline lines in VND, the lead's proposal, the head's decision."""

from sqlalchemy import func, select

from models import Budget, BudgetLine
from tests.approval_factories import make_budget
from tests.factories import make_team, make_user


def _budget(db, pk):
    db.session.expire_all()
    return db.session.get(Budget, pk)


def _lines_form(*lines):
    data = {}
    for i, (category, description, planned) in enumerate(lines):
        data[f"lines-{i}-category"] = category
        data[f"lines-{i}-description"] = description
        data[f"lines-{i}-planned"] = planned
    return data


def test_lead_creates_a_team_budget_with_lines_in_vnd(app, db, login_as):
    team = make_team()
    lead = login_as(make_user("lead", team=team))
    assert lead.get("/admin/budgets/new/").status_code == 200
    data = {"year": "2026", "quarter_no": "4", "title": "Quý 4", "status": "approved",
            **_lines_form(("gifts", "Quà sinh nhật", "12.500.000"), ("tools", "Phần mềm", "3,000,000 ₫"))}  # fmt: skip
    response = lead.post("/admin/budgets/new/", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    budget = db.session.scalar(select(Budget))
    assert (budget.quarter, budget.team_id, budget.team_key, budget.status) == ("2026-Q4", team.id, team.id, "draft")
    assert sorted((line.category, line.planned) for line in budget.lines) == [
        ("gifts", 12_500_000),
        ("tools", 3_000_000),
    ]
    details = lead.get(f"/admin/budgets/details/?id={budget.id}").get_data(as_text=True)
    assert "12.500.000 ₫" in details and "15.500.000 ₫" in details


def test_bad_amount_keeps_the_form_and_saves_nothing(app, db, login_as):
    head = login_as("head")
    data = {"year": "2026", "quarter_no": "1", "title": "Quý 1", **_lines_form(("gifts", "Quà", "mười triệu"))}
    response = head.post("/admin/budgets/new/", data)
    assert response.status_code == 200 and "mười triệu" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Budget)) == 0


def test_lead_submits_head_approves_and_four_eyes(app, db, login_as):
    team = make_team()
    lead_user, head_user = make_user("lead", team=team), make_user("head")
    budget = make_budget(team=team, created_by=lead_user)
    own = make_budget(created_by=head_user, quarter_no=1)
    db.session.commit()
    lead, head = login_as(lead_user), login_as(head_user)
    assert lead.post("/admin/budgets/decide/", {"id": budget.id, "op": "submit"}).status_code == 302
    assert _budget(db, budget.id).status == "submitted"
    assert lead.post("/admin/budgets/decide/", {"id": budget.id, "op": "approve"}).status_code == 403
    assert _budget(db, budget.id).status == "submitted"
    # a submitted budget is no longer the lead's to edit
    assert lead.get(f"/admin/budgets/edit/?id={budget.id}").status_code == 403
    response = head.post("/admin/budgets/decide/", {"id": budget.id, "op": "reject", "comment": "Giảm quà"})
    assert response.status_code == 302
    b = _budget(db, budget.id)
    assert (b.status, b.decided_by_id, b.decision_comment) == ("rejected", head_user.id, "Giảm quà")
    # the head cannot approve the budget they wrote
    assert head.post("/admin/budgets/decide/", {"id": own.id, "op": "submit"}).status_code == 302
    response = head.post("/admin/budgets/decide/", {"id": own.id, "op": "approve"})
    assert response.status_code == 403
    assert (_budget(db, own.id).status, _budget(db, own.id).decided_by_id) == ("submitted", None)


def test_lead_cannot_reach_another_teams_budget(app, db, login_as):
    lead_user = make_user("lead")
    foreign = make_budget(team=make_team())
    db.session.commit()
    lead = login_as(lead_user)
    assert lead.get(f"/admin/budgets/decide/?id={foreign.id}").status_code == 403
    assert lead.post("/admin/budgets/decide/", {"id": foreign.id, "op": "submit"}).status_code == 403
    assert _budget(db, foreign.id).status == "draft"


def test_approved_budget_cannot_be_edited_or_resubmitted(app, db, login_as):
    head_user = make_user("head")
    budget = make_budget(status="approved")
    db.session.commit()
    line_id = budget.lines[0].id
    head = login_as(head_user)
    data = {"year": "2026", "quarter_no": "4", "title": "Đổi", "lines-0-id": str(line_id),
            "lines-0-category": "gifts", "lines-0-description": "Quà", "lines-0-planned": "99.000.000"}  # fmt: skip
    assert head.post(f"/admin/budgets/edit/?id={budget.id}", data).status_code == 200
    assert head.post("/admin/budgets/decide/", {"id": budget.id, "op": "submit"}).status_code == 400
    b = _budget(db, budget.id)
    assert (b.status, b.title) == ("approved", "Ngân sách quý")
    assert db.session.get(BudgetLine, line_id).planned == 10_000_000
