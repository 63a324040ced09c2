"""Hand-over: the preview shows exactly what moves, the move is recorded, the undo gives back the same day."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import Appointment, Complaint, Customer, Handover, User
from services import handover, staff
from services.errors import InvalidTransition, NotAllowed
from tests.approval_factories import make_gift
from tests.factories import make_complaint, make_customer, make_team, make_user


@pytest.fixture
def office(app, db):
    north, south = make_team("Nhóm Bắc"), make_team("Nhóm Nam")
    head = make_user("head", name="Hạnh")
    leaver = make_user("agent", team=north, name="Lan")
    mate = make_user("agent", team=north, name="Vy")
    other = make_user("agent", team=south, name="An")
    customers = [make_customer(f"Khách {i}", owner=leaver) for i in range(7)]
    kept = make_customer("Khách của Vy", owner=mate)
    make_complaint(customers[0], assignee=leaver, status="in_progress")
    make_complaint(customers[1], assignee=leaver, status="closed")
    now = datetime.now(UTC)
    for days in (2, -2):
        db.session.add(Appointment(customer_id=customers[2].id, agent_id=leaver.id, purpose=f"Hẹn {days}",
                                   starts_at=now + timedelta(days=days)))  # fmt: skip
    make_gift(customers[3], 200_000)
    make_gift(customers[4], 200_000, status="sent")
    db.session.commit()
    return {"head": head, "leaver": leaver, "mate": mate, "other": other, "customers": customers, "kept": kept}


def test_the_same_team_comes_first(office):
    names = [u.name for u in handover.candidates(office["leaver"])]
    assert names[0] == "Vy" and "Lan" not in names and set(names) >= {"An", "Hạnh"}


def test_preview_counts_and_samples_what_moves_and_writes_nothing(office, db):
    preview = handover.preview(office["leaver"], sample=5)
    counts = {kind: count for kind, (count, _rows) in preview.items()}
    assert counts == {"customers": 7, "complaints": 1, "appointments": 1, "gifts": 1}
    assert len(preview["customers"][1]) == 5
    db.session.rollback()
    assert db.session.get(User, office["leaver"].id).active is True
    moved = staff.hand_over(office["leaver"], office["mate"], office["head"])
    assert {k: moved[k] for k in ("customers", "complaints", "appointments")} == {
        "customers": 7, "complaints": 1, "appointments": 1,
    }  # fmt: skip


def test_undo_on_the_same_day_gives_back_what_the_successor_still_holds(office, db):
    leaver, other, head = office["leaver"], office["other"], office["head"]
    team_before = office["customers"][0].team_id
    staff.hand_over(leaver, other, head)
    db.session.commit()
    record = db.session.scalar(select(Handover))
    assert db.session.scalar(select(Customer.team_id).where(Customer.id == office["customers"][0].id)) == other.team_id
    # meanwhile one customer is given to someone else: the undo leaves it there
    db.session.get(Customer, office["customers"][6].id).owner_id = office["mate"].id
    db.session.commit()
    counts = handover.undo(record, head)
    db.session.commit()
    assert counts == {"customers": 6, "complaints": 1, "appointments": 1}
    db.session.expire_all()
    assert db.session.get(User, leaver.id).active is True
    owners = dict(db.session.execute(select(Customer.id, Customer.owner_id)).all())
    assert [owners[c.id] for c in office["customers"][:6]] == [leaver.id] * 6
    assert owners[office["customers"][6].id] == office["mate"].id
    assert db.session.scalar(select(Customer.team_id).where(Customer.id == office["customers"][0].id)) == team_before
    open_complaint = db.session.scalar(select(Complaint).where(Complaint.status == "in_progress"))
    assert (open_complaint.assignee_id, open_complaint.team_id) == (leaver.id, team_before)
    with pytest.raises(InvalidTransition):  # once
        handover.undo(db.session.get(Handover, record.id), head)


def test_undo_is_refused_the_next_day_and_to_those_who_may_not_hand_over(office, db):
    leaver, mate, head = office["leaver"], office["mate"], office["head"]
    staff.hand_over(leaver, mate, head)
    db.session.commit()
    record = db.session.scalar(select(Handover))
    with pytest.raises(NotAllowed):
        handover.undo(record, make_user("lead", team=leaver.team))
    db.session.rollback()
    record = db.session.scalar(select(Handover))
    record.at = record.at - timedelta(days=1)
    db.session.commit()
    assert handover.may_undo(record) is False
    with pytest.raises(InvalidTransition):
        handover.undo(record, head)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(User, leaver.id).active is False
    assert db.session.scalar(select(Handover.undone_at)) is None
