"""The complaint workflow, the SLA, assignment and escalation (services.complaints)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models import AuditLog, Complaint, SlaRule
from services import complaints as rules
from services.errors import InvalidTransition, NotAllowed, ValidationError
from tests.factories import make_complaint, make_customer, make_team, make_user

OPENED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _audits(db, action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == action))


def _setup(db, status="new", **kw):
    team = make_team()
    lead = make_user("lead", team=team)
    agent = make_user("agent", team=team)
    customer = make_customer(owner=agent)
    complaint = make_complaint(customer, assignee=agent, status=status, **kw)
    db.session.commit()
    return team, lead, agent, complaint


def _state(db, complaint_id: int) -> tuple:
    db.session.expire_all()
    c = db.session.get(Complaint, complaint_id)
    return (c.status, c.resolution, c.resolved_at, c.closed_at, c.reopened_count, c.assignee_id, c.escalated_to_id)


def test_workflow_walks_new_to_closed_and_stamps_times(app, db):
    _, _, agent, complaint = _setup(db)
    rules.transition(complaint, "in_progress", agent)
    rules.transition(complaint, "waiting", agent)
    rules.transition(complaint, "in_progress", agent)
    assert complaint.reopened_count == 0  # waiting -> in_progress is not a reopen
    rules.transition(complaint, "resolved", agent, resolution="Đổi máy mới", now=OPENED)
    assert complaint.resolved_at == OPENED and complaint.resolution == "Đổi máy mới"
    rules.transition(complaint, "closed", agent, now=OPENED + timedelta(days=1))
    db.session.commit()
    db.session.expire_all()
    saved = db.session.get(Complaint, complaint.id)
    assert saved.status == "closed" and saved.closed_at == OPENED + timedelta(days=1)
    assert _audits(db, "transition") == 5


@pytest.mark.parametrize(
    "start,target", [("new", "closed"), ("new", "waiting"), ("in_progress", "new"), ("closed", "resolved")]
)
def test_refused_transition_leaves_the_row_unchanged(app, db, start, target):
    _, _, agent, complaint = _setup(db, status=start)
    before = _state(db, complaint.id)
    complaint = db.session.get(Complaint, complaint.id)
    with pytest.raises(InvalidTransition):
        rules.transition(complaint, target, agent, resolution="x")
    db.session.commit()
    assert _state(db, complaint.id) == before
    assert _audits(db, "transition") == 0


def test_resolving_needs_a_resolution(app, db):
    _, _, agent, complaint = _setup(db, status="in_progress")
    before = _state(db, complaint.id)
    complaint = db.session.get(Complaint, complaint.id)
    with pytest.raises(ValidationError) as exc:
        rules.transition(complaint, "resolved", agent, resolution="   ")
    assert "resolution" in exc.value.errors
    db.session.commit()
    assert _state(db, complaint.id) == before


def test_reopen_from_resolved_and_closed_counts(app, db):
    _, _, agent, complaint = _setup(db, status="resolved", resolution="Đã sửa", resolved_at=OPENED)
    rules.transition(complaint, "in_progress", agent)
    assert complaint.reopened_count == 1 and complaint.resolved_at is None
    rules.transition(complaint, "resolved", agent)  # the earlier resolution text is kept
    rules.transition(complaint, "closed", agent)
    rules.transition(complaint, "in_progress", agent)
    db.session.commit()
    db.session.expire_all()
    saved = db.session.get(Complaint, complaint.id)
    assert saved.reopened_count == 2 and saved.closed_at is None and saved.status == "in_progress"


def test_an_agent_outside_the_request_may_not_move_it(app, db):
    _, _, _, complaint = _setup(db)
    stranger = make_user("agent")
    db.session.commit()
    before = _state(db, complaint.id)
    complaint = db.session.get(Complaint, complaint.id)
    with pytest.raises(NotAllowed):
        rules.transition(complaint, "in_progress", stranger)
    db.session.rollback()
    assert _state(db, complaint.id) == before


def test_due_time_comes_from_the_sla_table_or_the_defaults(app, db):
    assert rules.due_at_for("urgent", OPENED) == OPENED + timedelta(hours=4)
    assert rules.due_at_for("high", OPENED) == OPENED + timedelta(hours=24)
    assert rules.due_at_for("normal", OPENED) == OPENED + timedelta(hours=48)
    assert rules.due_at_for("low", OPENED) == OPENED + timedelta(hours=120)
    db.session.add(SlaRule(priority="urgent", hours=2))
    db.session.commit()
    assert rules.due_at_for("urgent", OPENED) == OPENED + timedelta(hours=2)


def test_open_complaint_takes_team_and_due_time(app, db):
    team = make_team()
    agent = make_user("agent", team=team)
    customer = make_customer(owner=agent)
    db.session.add(SlaRule(priority="high", hours=10))
    db.session.commit()
    complaint = rules.open_complaint(agent, customer, "Giao hàng trễ", priority="high", now=OPENED)
    db.session.commit()
    assert complaint.team_id == team.id and complaint.status == "new" and complaint.assignee_id == agent.id
    assert complaint.opened_at == OPENED and complaint.due_at == OPENED + timedelta(hours=10)
    assert _audits(db, "create") == 1
    with pytest.raises(ValidationError) as exc:
        rules.open_complaint(agent, customer, "  ", priority="whenever")
    assert set(exc.value.errors) == {"subject", "priority"}


def test_overdue_only_while_open(app, db):
    _, _, _, complaint = _setup(db, due_at=OPENED)
    assert rules.is_overdue(complaint, OPENED + timedelta(minutes=1))
    assert not rules.is_overdue(complaint, OPENED - timedelta(minutes=1))
    complaint.status = "resolved"
    assert not rules.is_overdue(complaint, OPENED + timedelta(days=3))


def test_agent_may_not_escalate_or_assign(app, db):
    _, lead, agent, complaint = _setup(db)
    before = _state(db, complaint.id)
    complaint = db.session.get(Complaint, complaint.id)
    with pytest.raises(NotAllowed):
        rules.escalate(complaint, agent, "Khách đòi gặp cấp trên")
    with pytest.raises(NotAllowed):
        rules.assign(complaint, agent, agent)
    db.session.rollback()
    assert _state(db, complaint.id) == before
    assert _audits(db, "escalate") == 0


def test_lead_escalates_to_the_head_and_assigns_within_the_team_only(app, db):
    team, lead, agent, complaint = _setup(db)
    head = make_user("head")
    colleague = make_user("agent", team=team)
    outsider = make_user("agent")
    db.session.commit()
    rules.escalate(complaint, lead, "Khách dọa khiếu nại lên báo", now=OPENED)
    rules.assign(complaint, colleague, lead)
    db.session.commit()
    db.session.expire_all()
    saved = db.session.get(Complaint, complaint.id)
    assert saved.escalated_to_id == head.id and saved.escalated_to == head.name and saved.escalated_at == OPENED
    assert saved.escalation_reason == "Khách dọa khiếu nại lên báo"
    assert saved.assignee_id == colleague.id
    assert _audits(db, "escalate") == 1 and _audits(db, "assign") == 1
    logged = db.session.scalar(select(AuditLog).where(AuditLog.action == "escalate"))
    assert "Khách dọa khiếu nại lên báo" in str(logged.changes) and logged.user_id == lead.id
    with pytest.raises(ValidationError):
        rules.assign(saved, outsider, lead)
    other_team_complaint = make_complaint(make_customer(owner=outsider), assignee=outsider)
    db.session.commit()
    with pytest.raises(NotAllowed):
        rules.escalate(other_team_complaint, lead, "Không phải nhóm mình")


@pytest.mark.parametrize("reason", [None, "", "   ", "gấp"])
def test_escalation_without_a_reason_is_refused_and_changes_nothing(app, db, reason):
    _, lead, _, complaint = _setup(db)
    make_user("head")
    db.session.commit()
    before = _state(db, complaint.id)
    complaint = db.session.get(Complaint, complaint.id)
    with pytest.raises(ValidationError) as exc:
        rules.escalate(complaint, lead, reason)
    assert set(exc.value.errors) == {"reason"}
    db.session.rollback()
    assert _state(db, complaint.id) == before
    assert db.session.get(Complaint, complaint.id).escalation_reason is None and _audits(db, "escalate") == 0


def test_escalation_never_goes_to_who_escalates(app, db):
    """A lead's escalation goes above them (never to the team's lead, themselves); with no head it is refused."""
    team, lead, _, complaint = _setup(db)
    assert team.lead_id == lead.id
    with pytest.raises(ValidationError) as exc:
        rules.escalate(complaint, lead, "Cần cấp trên quyết")
    assert set(exc.value.errors) == {"escalated_to"}
    db.session.rollback()
    assert _audits(db, "escalate") == 0
    retired = make_user("head")
    retired.active = False
    head = make_user("head")
    db.session.commit()
    assert rules.escalation_target(complaint, lead) == head != retired
    assert rules.escalation_target(complaint, head) is None  # the only active head has no one above


def test_escalation_to_another_department_in_words(app, db):
    _, lead, _, complaint = _setup(db)
    rules.escalate(complaint, lead, "Lỗi kỹ thuật cần phòng kỹ thuật", target_text="Phòng kỹ thuật")
    assert complaint.escalated_to == "Phòng kỹ thuật"
