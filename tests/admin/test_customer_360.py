"""The customer 360 page, its quick entries, and customer search by unaccented name and phone."""

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, func, select

from models import (
    Appointment,
    AuditLog,
    CallLogToken,
    Complaint,
    Customer,
    EmotionEntry,
    Gift,
    Interaction,
    SurveyAnswer,
)
from tests.factories import make_complaint, make_customer, make_order, make_product, make_team, make_user


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@contextmanager
def count_queries(db):
    seen: list[str] = []

    def listener(conn, cursor, statement, *args):
        if "approvals_waiting" not in statement:  # the navbar's inbox count: one statement on every page, apart
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def _history(db, customer, agent, n: int = 1):
    now = datetime.now(UTC)
    product = make_product(price=1_250_000)
    for i in range(n):
        db.session.add_all(
            [
                Interaction(
                    customer_id=customer.id,
                    channel="phone",
                    summary=f"Gọi lần {i}",
                    agent_id=agent.id,
                    occurred_at=now - timedelta(days=2, minutes=i),
                ),
                Interaction(
                    customer_id=customer.id,
                    channel="email",
                    summary=f"Email {i}",
                    agent_id=agent.id,
                    occurred_at=now - timedelta(days=1, minutes=i),
                ),
                EmotionEntry(
                    customer_id=customer.id,
                    mood="angry",
                    note=f"Bực {i}",
                    author_id=agent.id,
                    created_at=now - timedelta(days=3, minutes=i),
                ),
                EmotionEntry(
                    customer_id=customer.id,
                    mood="happy",
                    note=f"Vui {i}",
                    author_id=agent.id,
                    created_at=now - timedelta(hours=1, minutes=i),
                ),
                Gift(customer_id=customer.id, occasion="birthday", year=2020 + i, item="Hoa sinh nhật", value=300_000),
                SurveyAnswer(customer_id=customer.id, csat=4, nps=9, comment=f"Hài lòng {i}"),
                Appointment(
                    customer_id=customer.id,
                    agent_id=agent.id,
                    purpose=f"Gọi lại {i}",
                    starts_at=now + timedelta(days=1 + i),
                ),
            ]
        )
        make_order(customer, [(product, 2)])
        make_complaint(customer, assignee=agent, subject=f"Rò rỉ nước {i}")
        make_complaint(customer, assignee=agent, subject=f"Giao chậm {i}", status="closed", resolution="Xong")
    db.session.commit()


def _setup(db):
    team = make_team()
    agent = make_user("agent", team=team)
    customer = make_customer("Nguyễn Văn An", owner=agent, phone="0912345678", birthday=datetime(1990, 4, 30).date())
    return agent, customer


def test_360_page_shows_every_section(db, login_as):
    agent, customer = _setup(db)
    _history(db, customer, agent)
    html = login_as(agent).get(f"/admin/customers/details/?id={customer.id}").get_data(as_text=True)
    for section in ("contact", "timeline", "emotions", "complaints", "orders", "gifts", "surveys", "appointments"):
        assert f'id="{section}"' in html, section
    assert "0912 345 678" in html and "30/04/1990" in html and agent.name in html
    assert html.index("Email 0") < html.index("Gọi lần 0")  # newest first
    assert "Rò rỉ nước 0" in html and "Giao chậm 0" in html
    assert "2.500.000 ₫" in html and "300.000 ₫" in html
    assert "Hài lòng 0" in html and "Gọi lại 0" in html
    trend = re.search(r'id="mood-trend">(.*?)</p>', html, re.S).group(1)
    assert trend.index("badge-mood-angry") < trend.index("badge-mood-happy")  # oldest first
    form = re.search(r'<form[^>]*id="log-call-form".*?</form>', html, re.S).group(0)
    for field in ("log-channel", "log-direction", "log-summary", "log-mood", "log-note", "complaint-order"):
        assert f'id="{field}"' in form, field
    assert 'id="emotion-form"' not in html and 'id="open-complaint-form"' not in html


def test_360_page_runs_at_most_four_statements_whatever_the_history(db, login_as):
    """The user, the customer, its history in one statement (services/customer_history.py), and for a
    scoped role the check of the customer's row: 3 for the head, 4 for a lead or an agent."""
    agent, customer = _setup(db)
    other = make_customer("Trần Thị Bình", owner=agent)
    _history(db, customer, agent, n=1)
    _history(db, other, agent, n=6)
    lead = make_user("lead", team_id=agent.team_id)
    head = make_user("head")
    db.session.commit()
    few, many = (f"/admin/customers/details/?id={c.id}" for c in (customer, other))
    for user, most in ((head, 3), (lead, 4), (agent, 4)):
        client = login_as(user)
        client.get("/admin/")
        with count_queries(db) as small:
            assert client.get(few).status_code == 200
        with count_queries(db) as large:
            html = client.get(many).get_data(as_text=True)
        assert len(large) == len(small) <= most, (user.role, [s[:90] for s in small])
        assert "Gọi lần 5" in html and "Email 5" in html, user.role


def test_each_users_scope_applies_to_the_one_history_statement(db, login_as):
    """The statement is built once per process and scopes; each request binds its own user: an agent
    sees the complaints assigned to them or on their customers, never a teammate's on another's."""
    agent, customer = _setup(db)
    teammate = make_user("agent", team_id=agent.team_id)
    mine = make_complaint(customer, assignee=agent, subject="Khiếu nại của người phụ trách")
    theirs = make_customer("Phan Văn Dũng", owner=teammate)
    other = make_complaint(theirs, assignee=teammate, subject="Khiếu nại của đồng nghiệp")
    db.session.commit()
    pages = {
        (who.id, whose.id): login_as(who).get(f"/admin/customers/details/?id={whose.id}").get_data(as_text=True)
        for who in (agent, teammate)
        for whose in (customer, theirs)
    }
    assert mine.subject in pages[agent.id, customer.id] and mine.subject not in pages[teammate.id, customer.id]
    assert other.subject in pages[teammate.id, theirs.id] and other.subject not in pages[agent.id, theirs.id]


def test_list_details_links_lead_to_the_360_page(db, login_as):
    agent, customer = _setup(db)
    db.session.commit()
    client = login_as(agent)
    html = client.get("/admin/customers/").get_data(as_text=True)
    link = re.search(rf'href="([^"]*/admin/customers/details/\?id={customer.id}[^"]*)"', html).group(1)
    page = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert 'id="customer-360"' in page


def test_log_a_call_creates_the_interaction_and_updates_last_contact(db, login_as):
    agent, customer = _setup(db)
    db.session.commit()
    client = login_as(agent)
    response = client.post(
        "/admin/customers/360/log/",
        {
            "id": customer.id,
            "channel": "phone",
            "direction": "outbound",
            "summary": "Hỏi về bảo hành",
            "outcome": "answered",
            "duration": "3:30",
        },
    )
    assert response.status_code == 302 and f"id={customer.id}" in response.headers["Location"]
    call = db.session.scalars(select(Interaction)).one()
    assert (call.channel, call.agent_id, call.duration_seconds, call.summary) == (
        "phone",
        agent.id,
        210,
        "Hỏi về bảo hành",
    )
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).last_contact_at is not None
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.object_type == "Interaction"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hỏi về bảo hành" in page


def test_log_a_call_without_summary_keeps_what_was_typed(db, login_as):
    agent, customer = _setup(db)
    db.session.commit()
    response = login_as(agent).post(
        "/admin/customers/360/log/", {"id": customer.id, "channel": "chat", "summary": " ", "duration": "7"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="7"' in html and re.search(r'<option value="chat" selected>', html)
    assert _count(db, Interaction) == 0


def _form_token(response) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_a_second_submit_of_the_same_form_logs_nothing_and_says_already_recorded(db, login_as):
    agent, customer = _setup(db)
    db.session.commit()
    client = login_as(agent)
    token = _form_token(client.get(f"/admin/customers/details/?id={customer.id}"))
    form = {"id": customer.id, "form_token": token, "channel": "phone", "summary": "Hỏi về bảo hành"}
    refused = client.post("/admin/customers/360/log/", form | {"summary": " "})
    assert refused.status_code == 400 and _count(db, Interaction) == 0  # a refused submit does not use the token
    assert _form_token(refused) != token
    first = client.post("/admin/customers/360/log/", form)
    assert first.status_code == 302 and _count(db, Interaction) == 1
    again = client.post("/admin/customers/360/log/", form | {"open_complaint": "1", "complaint_subject": "Rò rỉ"})
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert "Đã ghi nhận: cuộc gọi này vừa được ghi lại." in client.get(again.headers["Location"]).get_data(as_text=True)
    assert (_count(db, Interaction), _count(db, Complaint), _count(db, CallLogToken)) == (1, 0, 1)
    logged = db.session.scalars(select(Interaction)).one()
    assert db.session.scalars(select(CallLogToken)).one().interaction_id == logged.id
    fresh = _form_token(client.get(first.headers["Location"]))
    assert fresh != token  # the next form rendered is a new call
    assert client.post("/admin/customers/360/log/", form | {"form_token": fresh}).status_code == 302
    assert _count(db, Interaction) == 2


def test_quick_entries_refuse_customers_outside_the_scope(db, login_as):
    agent, customer = _setup(db)
    stranger = make_user("agent")
    db.session.commit()
    client = login_as(stranger)
    assert client.get(f"/admin/customers/details/?id={customer.id}").status_code == 403
    full = {
        "id": customer.id,
        "channel": "phone",
        "summary": "Gọi",
        "mood": "happy",
        "open_complaint": "1",
        "complaint_subject": "Lỗi",
    }
    assert client.post("/admin/customers/360/log/", full).status_code == 403
    assert client.get(f"/admin/customers/360/replies/?id={customer.id}").status_code == 403
    assert _count(db, Interaction) == _count(db, EmotionEntry) == _count(db, Complaint) == 0
    assert db.session.get(Customer, customer.id).last_contact_at is None


def test_one_form_logs_the_call_the_mood_and_a_request_about_an_order(db, login_as):
    agent, customer = _setup(db)
    order = make_order(customer, [(make_product(), 1)])
    db.session.commit()
    client = login_as(agent)
    r = client.post(
        "/admin/customers/360/log/",
        {
            "id": customer.id,
            "channel": "chat",
            "direction": "inbound",
            "summary": "Khách báo máy rò rỉ",
            "mood": "worried",
            "note": "Lo lắng",
            "next_care": "Gọi lại sau khi kỹ thuật đến",
            "open_complaint": "1",
            "complaint_subject": "Máy lọc nước bị rò rỉ",
            "complaint_kind": "warranty",
            "complaint_category": "warranty",
            "complaint_priority": "high",
            "complaint_order": str(order.id),
        },
    )
    assert r.status_code == 302
    entry = db.session.scalars(select(EmotionEntry)).one()
    assert (entry.mood, entry.author_id, entry.note) == ("worried", agent.id, "Lo lắng")
    complaint = db.session.scalars(select(Complaint)).one()
    assert (complaint.kind, complaint.order_id, complaint.channel) == ("warranty", order.id, "chat")
    call = db.session.scalars(select(Interaction)).one()
    assert call.complaint_id == complaint.id
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    timeline = page.split('id="timeline"')[1]
    assert "Máy lọc nước bị rò rỉ" in page and "Khách nhắn đến" in timeline and "Gọi đến" not in timeline
    details = client.get(f"/admin/complaints/details/?id={complaint.id}").get_data(as_text=True)
    assert "None" not in re.sub(r"<[^>]+>", " ", details) and "Chat" in details and order.code in details
    bad_mood = {"id": customer.id, "channel": "phone", "summary": "x", "mood": "ecstatic"}
    bad = client.post("/admin/customers/360/log/", bad_mood)
    assert bad.status_code == 400 and _count(db, EmotionEntry) == 1 and _count(db, Interaction) == 1


def test_a_refused_field_keeps_everything_typed_and_writes_nothing(db, login_as):
    agent, customer = _setup(db)
    db.session.commit()
    r = login_as(agent).post(
        "/admin/customers/360/log/",
        {
            "id": customer.id,
            "channel": "email",
            "direction": "outbound",
            "summary": "Đã gửi hướng dẫn lắp đặt",
            "mood": "happy",
            "note": "Khách cảm ơn",
            "open_complaint": "1",
            "complaint_subject": " ",
            "complaint_priority": "high",
        },
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Đã gửi hướng dẫn lắp đặt" in html and "Khách cảm ơn" in html
    assert re.search(r'<option value="outbound" data-channel="email" selected>', html)
    assert re.search(r'<option value="high" selected>', html) and "checked" in html
    assert _count(db, Interaction) == _count(db, EmotionEntry) == _count(db, Complaint) == 0


def test_canned_replies_for_the_360_page_fill_the_customer_and_the_chosen_order(db, login_as):
    from models import CannedReply

    agent, customer = _setup(db)
    order = make_order(customer, [(make_product(), 1)])
    other = make_order(make_customer("Lê Văn Khác", owner=agent), [(make_product(), 1)])
    db.session.add(CannedReply(title="Xin lỗi", body="Chào {ten_khach}, đơn {ma_don} — {nhan_vien}", active=True))
    db.session.commit()
    client = login_as(agent)
    url = f"/admin/customers/360/replies/?id={customer.id}"
    [reply] = client.get(url + f"&order={order.id}").get_json()
    assert reply["body"] == f"Chào Nguyễn Văn An, đơn {order.code} — {agent.name}"
    [reply] = client.get(url + f"&order={other.id}").get_json()
    assert reply["body"] == f"Chào Nguyễn Văn An, đơn {{ma_don}} — {agent.name}"  # not this customer's order


def test_search_ignores_diacritics_and_phone_formats(db, login_as):
    agent, customer = _setup(db)
    make_customer("Nguyễn Thị Bình", owner=agent, phone="0987000111")
    db.session.commit()
    client = login_as(agent)
    for query in ("nguyen van an", "NGUYỄN VĂN AN", "0912 345 678", "+84912345678", "0912.345.678"):
        html = client.get("/admin/customers/", query_string={"search": query}).get_data(as_text=True)
        assert "Nguyễn Văn An" in html and "Nguyễn Thị Bình" not in html, query
