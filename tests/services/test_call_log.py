"""One call logged in one submit (services.call_log): all or nothing, directions that fit the channel,
a request linked only to one of the customer's own orders; a closed call-back lands on the timeline."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from models import Appointment, AuditLog, Complaint, Customer, EmotionEntry, Interaction, SurveyAnswer
from models.choices import CHANNEL_DIRECTIONS
from services import call_log
from services.appointments import record_outcome
from services.errors import ValidationError
from tests.factories import make_customer, make_order, make_product, make_user


def _state(db) -> tuple:
    db.session.expire_all()
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return tuple(count(m) for m in (Interaction, EmotionEntry, Complaint, AuditLog, SurveyAnswer))


def _world(db):
    agent = make_user("agent")
    customer = make_customer("Đỗ Minh Châu", owner=agent)
    order = make_order(customer, [(make_product(), 1)])
    db.session.commit()
    return agent, customer, order


def _form(**extra) -> dict:
    return {
        "channel": "phone",
        "direction": "inbound",
        "summary": "Khách gọi báo máy kêu to",
        "outcome": "follow_up",
        "mood": "worried",
        "note": "Khách lo máy hỏng",
        "next_care": "Gọi lại sau khi kỹ thuật đến",
        **extra,
    }


def test_one_submit_writes_the_call_the_mood_and_the_request_about_the_order(app, db):
    agent, customer, order = _world(db)
    logged = call_log.log_call(
        agent,
        customer,
        _form(open_complaint="1", complaint_subject="Máy kêu to", complaint_order=str(order.id)),
        now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    )
    db.session.commit()
    db.session.expire_all()
    complaint = db.session.scalars(select(Complaint)).one()
    assert (complaint.order_id, complaint.channel, complaint.customer_id) == (order.id, "phone", customer.id)
    call = db.session.scalars(select(Interaction)).one()
    assert (call.complaint_id, call.outcome, call.direction) == (complaint.id, "follow_up", "inbound")
    entry = db.session.scalars(select(EmotionEntry)).one()
    assert (entry.mood, entry.next_care) == ("worried", "Gọi lại sau khi kỹ thuật đến")
    assert logged.complaint.id == complaint.id and logged.emotion.id == entry.id
    assert db.session.get(Customer, customer.id).last_contact_at is not None


@pytest.mark.parametrize(
    "broken,field",
    [
        ({"summary": " "}, "summary"),
        ({"mood": "ecstatic"}, "mood"),
        ({"mood": "", "note": "Ghi chú không có tâm trạng"}, "mood"),
        ({"duration": "năm phút"}, "duration"),
        ({"complaint_subject": ""}, "complaint_subject"),
        ({"complaint_priority": "asap"}, "complaint_priority"),
    ],
)
def test_any_refused_field_writes_nothing_at_all(app, db, broken, field):
    agent, customer, order = _world(db)
    before = _state(db)
    data = _form(open_complaint="1", complaint_subject="Máy kêu to", complaint_order=str(order.id)) | broken
    with pytest.raises(ValidationError) as exc:
        call_log.log_call(agent, customer, data)
    assert field in exc.value.errors
    db.session.rollback()
    assert _state(db) == before
    assert db.session.get(Customer, customer.id).last_contact_at is None


def test_every_fields_errors_come_back_together(app, db):
    agent, customer, _ = _world(db)
    with pytest.raises(ValidationError) as exc:
        call_log.log_call(agent, customer, _form(summary="", mood="??", open_complaint="1", complaint_subject=""))
    assert {"summary", "mood", "complaint_subject"} <= set(exc.value.errors)
    db.session.rollback()


def test_an_order_of_another_customer_is_refused_and_nothing_is_written(app, db):
    agent, customer, _ = _world(db)
    stranger_order = make_order(make_customer("Vũ Thị Khác", owner=agent), [(make_product(), 2)])
    db.session.commit()
    before = _state(db)
    for raw in (str(stranger_order.id), "999999", "DH-1"):
        data = _form(open_complaint="1", complaint_subject="Đơn không phải của khách", complaint_order=raw)
        with pytest.raises(ValidationError) as exc:
            call_log.log_call(agent, customer, data)
        assert set(exc.value.errors) == {"complaint_order"}, raw
        db.session.rollback()
        assert _state(db) == before


def test_without_the_tick_no_request_is_opened(app, db):
    agent, customer, order = _world(db)
    call_log.log_call(
        agent,
        customer,
        _form(complaint_subject="Bỏ qua", complaint_order=str(order.id), mood="", note="", next_care=""),
    )
    db.session.commit()
    assert _state(db)[:3] == (1, 0, 0)


@pytest.mark.parametrize(
    "channel,direction", [(c, d) for c in CHANNEL_DIRECTIONS for d in ("inbound", "outbound", "sideways")]
)
def test_only_the_directions_that_fit_the_channel(app, db, channel, direction):
    agent, customer, _ = _world(db)
    before = _state(db)
    data = _form(channel=channel, direction=direction, mood="", note="", next_care="")
    if direction in CHANNEL_DIRECTIONS[channel]:
        call_log.log_call(agent, customer, data)
        db.session.commit()
        assert db.session.scalars(select(Interaction.direction)).one() == direction
    else:
        with pytest.raises(ValidationError) as exc:
            call_log.log_call(agent, customer, data)
        assert set(exc.value.errors) == {"direction"}
        db.session.rollback()
        assert _state(db) == before


def test_a_chat_is_never_an_outgoing_call():
    assert "outbound" not in CHANNEL_DIRECTIONS["chat"]
    assert set(CHANNEL_DIRECTIONS["phone"]) == {"inbound", "outbound"}


def test_a_call_back_closed_on_its_outcome_page_goes_to_the_timeline_and_the_survey_scores(app, db):
    """The appointment outcome page and the inbox's "Xong" call the same function: both leave the trace."""
    agent, customer, _ = _world(db)
    call = Appointment(
        customer_id=customer.id, agent_id=agent.id, kind="call_back", purpose="Gọi lại", starts_at=datetime.now(UTC)
    )
    db.session.add(call)
    db.session.commit()
    record_outcome(call, "done", agent, outcome="Khách đã hài lòng", satisfaction="5")
    db.session.commit()
    line = db.session.scalars(select(Interaction).where(Interaction.customer_id == customer.id)).one()
    assert (line.channel, line.direction, line.outcome) == ("phone", "outbound", "answered")
    assert "Khách đã hài lòng" in line.summary and "CSAT 5/5" in line.summary
    answer = db.session.scalars(select(SurveyAnswer)).one()
    assert (answer.customer_id, answer.csat, answer.comment) == (customer.id, 5, "Khách đã hài lòng")
