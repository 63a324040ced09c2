"""N parallel identical requests against a real threaded server give one effect and N-1
"already done" answers, never a 500 (issue 14 item 1), on every database."""

# ruff: noqa: F811 - the fixtures imported from tests.panel_world are parameters here

import re

import pytest
from sqlalchemy import func, select

from models import (
    AuditLog,
    Budget,
    BudgetLine,
    Complaint,
    Customer,
    EmotionEntry,
    Gift,
    Interaction,
    Order,
    Policy,
    Product,
    User,
)
from tests.approval_factories import make_budget, make_gift, make_policy
from tests.factories import make_complaint, make_customer, make_order, make_product, make_team, make_user
from tests.live import browsers, burst, serving
from tests.panel_world import panel_app, scalar, shop_engine, shop_url  # noqa: F401

N = 20
ALREADY = (
    "Already done: someone made this change a moment ago.",
    "Đã được thực hiện: vừa có người khác thực hiện thay đổi này.",
)


def _audits(db, action: str, object_type: str, object_id) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count())
        .select_from(AuditLog)
        .where(AuditLog.action == action, AuditLog.object_type == object_type, AuditLog.object_id == str(object_id))
    )


def _fire(app, live_server, user, path: str, data: dict) -> list[tuple[int, str, str]]:
    sessions = browsers(app, live_server, user, N)
    results = burst(sessions, path, data)
    statuses = [status for status, _, _ in results]
    assert all(status in (200, 302, 303) for status in statuses), statuses
    pages = [browser.follow(location) for browser, (_, _, location) in zip(sessions, results, strict=True)]
    already = sum(1 for page in pages if any(text in page for text in ALREADY))
    assert already == N - 1, [page[:300] for page in pages if not any(text in page for text in ALREADY)]
    return results


@pytest.fixture
def people(db):
    team = make_team(gift_allowance=500_000)
    lead = make_user("lead", team=team)
    agent = make_user("agent", team=team)
    head = make_user("head")
    customer = make_customer(owner=agent)
    db.session.commit()
    return {"team": team, "lead": lead, "agent": agent, "head": head, "customer": customer}


def test_parallel_gift_approval_charges_the_line_once(app, db, live_server, people):
    budget = make_budget(status="approved", lines=(("gifts", 10_000_000, 0),))
    line = budget.lines[0]
    gift = make_gift(people["customer"], value=1_000_000, line=line, submitted_by=people["lead"])
    db.session.commit()
    _fire(app, live_server, people["head"], f"/admin/gifts/decide/?id={gift.id}", {"op": "approve", "id": gift.id})
    db.session.rollback()
    assert db.session.get(BudgetLine, line.id).spent == 1_000_000
    assert db.session.get(Gift, gift.id).status == "approved"
    assert _audits(db, "approve", type(gift).__name__, gift.id) == 1


def test_parallel_budget_approval_approves_once(app, db, live_server, people):
    budget = make_budget(team=people["team"], created_by=people["lead"], status="submitted")
    budget.submitted_by_id = people["lead"].id
    db.session.commit()
    _fire(
        app, live_server, people["head"], f"/admin/budgets/decide/?id={budget.id}", {"op": "approve", "id": budget.id}
    )
    db.session.rollback()
    assert db.session.get(Budget, budget.id).status == "approved"
    assert _audits(db, "approve", type(budget).__name__, budget.id) == 1


def test_parallel_policy_approval_approves_once(app, db, live_server, people):
    policy = make_policy(people["lead"], status="submitted", submitted_by_id=people["lead"].id)
    db.session.commit()
    _fire(
        app, live_server, people["head"], f"/admin/policies/decide/?id={policy.id}", {"op": "approve", "id": policy.id}
    )
    db.session.rollback()
    assert db.session.get(Policy, policy.id).status == "approved"
    assert _audits(db, "approve", type(policy).__name__, policy.id) == 1


@pytest.mark.parametrize(
    ("start", "to_status", "stock_after"),
    [
        ("new", "confirmed", 8),
        ("confirmed", "cancelled", 12),
        ("delivered", "returned", 10),
        ("returned", "refunded", 10),
    ],
)
def test_parallel_order_transition_moves_stock_once(app, db, live_server, people, start, to_status, stock_after):
    product = make_product(stock=10)
    order = make_order(people["customer"], [(product, 2)], status=start)
    db.session.commit()
    if to_status in ("returned", "refunded"):  # a reason, an amount and a confirmation: the return form
        form = {"id": order.id, "kind": to_status, "reason": "Khách trả hàng", "amount": order.total, "confirm": "y"}
        _fire(app, live_server, people["agent"], "/admin/orders/return/", form)
    else:
        _fire(app, live_server, people["agent"], "/admin/orders/transition/", {"id": order.id, "to": to_status})
    db.session.rollback()
    assert db.session.get(Order, order.id).status == to_status
    assert db.session.get(Product, product.id).stock == stock_after
    assert _audits(db, "transition", type(order).__name__, order.id) == 1


@pytest.mark.parametrize(
    ("start", "to_status", "reopened"),
    [("new", "resolved", 0), ("resolved", "closed", 0), ("closed", "in_progress", 1), ("resolved", "in_progress", 1)],
)
def test_parallel_complaint_transition_and_reopen_count_once(app, db, live_server, people, start, to_status, reopened):
    complaint = make_complaint(people["customer"], assignee=people["agent"], status=start, resolution="Đã đổi máy")
    db.session.commit()
    _fire(
        app,
        live_server,
        people["agent"],
        f"/admin/complaints/transition/?to={to_status}&id={complaint.id}",
        {"resolution": "Đã đổi máy mới"},
    )
    db.session.rollback()
    stored = db.session.get(Complaint, complaint.id)
    assert stored.status == to_status and (stored.reopened_count or 0) == reopened
    assert _audits(db, "transition", type(complaint).__name__, complaint.id) == 1


def test_parallel_hand_over_happens_once(app, db, live_server, people):
    leaver, successor = people["agent"], make_user("agent", team=people["team"])
    others = [make_customer(owner=leaver, name=f"Khách {i}") for i in range(3)]
    db.session.commit()
    _fire(app, live_server, people["head"], "/admin/staff/handover/", {"id": leaver.id, "successor_id": successor.id})
    db.session.rollback()
    assert db.session.get(User, leaver.id).active is False
    owned = select(func.count()).select_from(Customer).where(Customer.owner_id == successor.id)
    assert db.session.scalar(owned) == len(others) + 1
    assert _audits(db, "handover", type(leaver).__name__, leaver.id) == 1


def test_parallel_assign_to_me_assigns_once(app, db, live_server, people):
    complaint = make_complaint(people["customer"], assignee=people["agent"], status="new")
    db.session.commit()
    _fire(app, live_server, people["lead"], "/admin/complaints/action/", {"action": "assign_me", "rowid": complaint.id})
    db.session.rollback()
    stored = db.session.get(Complaint, complaint.id)
    assert stored.assignee_id == people["lead"].id and stored.status == "in_progress"
    assert _audits(db, "assign", "Complaint", complaint.id) == 1


def test_parallel_escalation_with_a_reason_escalates_once(app, db, live_server, people):
    complaint = make_complaint(people["customer"], assignee=people["agent"], status="in_progress")
    db.session.commit()
    _fire(
        app,
        live_server,
        people["lead"],
        "/admin/complaints/escalate/",
        {"step": "escalate", "id": complaint.id, "reason": "Khách rất bức xúc"},
    )
    db.session.rollback()
    stored = db.session.get(Complaint, complaint.id)
    assert stored.escalated_to_id == people["head"].id and stored.escalation_reason == "Khách rất bức xúc"
    assert _audits(db, "escalate", "Complaint", complaint.id) == 1


RECORDED = ("Already recorded: this call was logged a moment ago.", "Đã ghi nhận: cuộc gọi này vừa được ghi lại.")


@pytest.mark.parametrize("open_complaint", [False, True])
def test_parallel_submits_of_one_call_form_log_one_call(app, db, live_server, people, open_complaint):
    customer = people["customer"]
    sessions = browsers(app, live_server, people["agent"], N)
    form = sessions[0].request("GET", f"/admin/customers/details/?id={customer.id}")[1]
    token = re.search(r'name="form_token" value="([^"]+)"', form).group(1)
    data = {"id": customer.id, "form_token": token, "channel": "phone", "direction": "inbound"}
    data |= {"summary": "Khách hỏi bảo hành máy lọc", "mood": "worried"}
    if open_complaint:
        data |= {"open_complaint": "1", "complaint_subject": "Máy lọc nước rò rỉ", "complaint_kind": "complaint"}
    results = burst(sessions, "/admin/customers/360/log/", data)
    assert all(status in (302, 303) for status, _, _ in results), [(s, body[:300]) for s, body, _ in results]
    pages = [browser.follow(location) for browser, (_, _, location) in zip(sessions, results, strict=True)]
    assert sum(1 for page in pages if any(text in page for text in RECORDED)) == N - 1
    db.session.rollback()
    calls = select(func.count()).select_from(Interaction).where(Interaction.customer_id == customer.id)
    moods = select(func.count()).select_from(EmotionEntry).where(EmotionEntry.customer_id == customer.id)
    requests = select(func.count()).select_from(Complaint).where(Complaint.customer_id == customer.id)
    assert (db.session.scalar(calls), db.session.scalar(moods)) == (1, 1)
    assert db.session.scalar(requests) == (1 if open_complaint else 0)


def test_twenty_reloads_of_the_sources_at_once_never_fail_and_the_pages_work_after(db, panel_app, shop_engine, people):
    head = make_user("head")
    db.session.commit()
    with serving(panel_app) as base:
        sessions = browsers(panel_app, base, head, N)
        results = burst(sessions, "/admin/panel-sources/reload/", {})
        assert [status for status, _, _ in results] == [302] * N, [body[:300] for _, body, _ in results]
        assert all(location.endswith("/admin/panel-sources/") for _, _, location in results)
        sources = sessions[0].request("GET", "/admin/panel-sources/")
        assert sources[0] == 200 and 'data-source="shop" data-status="ok"' in sources[1]
        status, page, _ = sessions[1].request("GET", "/admin/panel/stock/")
        assert status == 200 and "SKU-1" in page
        edit = sessions[2].post("/admin/panel/stock/edit/?id=HN,SKU-1", {"qty": "13"})
        assert edit[0] == 302
    assert scalar(shop_engine, "SELECT qty FROM ext_stock WHERE warehouse = 'HN'") == 13
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "reload")) == N
