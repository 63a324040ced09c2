"""A follow-up call's outcome records satisfaction on the complaint and can reopen it."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import Appointment, AuditLog, Complaint
from services.appointments import record_outcome
from services.errors import ValidationError
from tests.factories import make_complaint, make_customer, make_user


def _follow_up(db, status="resolved"):
    agent = make_user("agent")
    customer = make_customer("Phạm Thu", owner=agent)
    complaint = make_complaint(
        customer,
        assignee=agent,
        status=status,
        resolution="Đã đổi máy mới",
        resolved_at=datetime.now(UTC) - timedelta(days=3),
    )
    call = Appointment(
        customer_id=customer.id,
        agent_id=agent.id,
        kind="follow_up",
        purpose="Gọi hỏi lại",
        starts_at=datetime.now(UTC),
        complaint_id=complaint.id,
    )
    db.session.add(call)
    db.session.commit()
    return agent, complaint, call


def test_satisfied_customer_keeps_the_complaint_resolved(app, db):
    agent, complaint, call = _follow_up(db)
    record_outcome(call, "done", agent, outcome="Khách hài lòng", satisfaction="5")
    db.session.commit()
    db.session.refresh(complaint)
    assert complaint.satisfaction == 5 and complaint.status == "resolved"


def test_unhappy_customer_reopens_the_complaint(app, db):
    agent, complaint, call = _follow_up(db, status="closed")
    record_outcome(call, "done", agent, outcome="Máy vẫn lỗi", satisfaction=1, reopen_complaint=True)
    db.session.commit()
    db.session.refresh(complaint)
    assert complaint.status == "in_progress" and complaint.reopened_count == 1 and complaint.satisfaction == 1
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.object_type == "Complaint")).all()
    assert "transition" in actions


def test_bad_score_changes_nothing(app, db):
    agent, complaint, call = _follow_up(db)
    with pytest.raises(ValidationError):
        record_outcome(call, "done", agent, satisfaction="9", reopen_complaint=True)
    db.session.rollback()
    assert db.session.get(Complaint, complaint.id).status == "resolved"
    assert db.session.get(Appointment, call.id).status == "planned"
