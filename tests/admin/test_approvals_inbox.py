"""The approvals inbox page, its POSTs and the navbar badge."""

import re

from sqlalchemy import func, select

from models import AuditLog, BudgetLine, Gift, Policy
from tests.approval_factories import make_budget, make_gift, make_policy
from tests.factories import make_customer, make_team, make_user

URL = "/admin/approvals/"


def _team_world(db):
    team = make_team("Nhóm Bắc", gift_allowance=500_000)
    lead, agent, head = make_user("lead", team=team), make_user("agent", team=team), make_user("head")
    line = make_budget(team=team, status="approved", lines=(("gifts", 5_000_000, 0),)).lines[0]
    customer = make_customer("Phạm Thu Hà", owner=agent)
    small = make_gift(customer, 300_000, line, submitted_by=agent)
    big = make_gift(customer, 700_000, line, submitted_by=agent, occasion="tet")
    own = make_gift(customer, 100_000, line, submitted_by=lead, occasion="vip")
    db.session.commit()
    return lead, agent, head, line, small, big, own


def _state(db, gift_id, line_id):
    db.session.expire_all()
    gift = db.session.get(Gift, gift_id)
    audit_rows = db.session.scalar(select(func.count()).select_from(AuditLog))
    return gift.status, gift.decided_by_id, db.session.get(BudgetLine, line_id).spent, audit_rows


def test_lead_is_offered_only_the_gifts_within_allowance_not_their_own(app, db, login_as):
    lead_user, _agent, _head, _line, small, big, own = _team_world(db)
    page = login_as(lead_user).get(URL).get_data(as_text=True)
    assert f'id="approve-gift-{small.id}"' in page and f'id="reject-gift-{small.id}"' in page
    assert f"inbox-gift-{big.id}" not in page and f"inbox-gift-{own.id}" not in page
    assert "300.000 ₫" in page and "5.000.000 ₫" in page  # amount, what the line has left
    assert re.search(r'id="approvals-count">\s*1\s*<', page)


def test_head_sees_all_three_and_the_badge_counts_them(app, db, login_as):
    _lead, _agent, head_user, _line, small, big, own = _team_world(db)
    head = login_as(head_user)
    page = head.get(URL).get_data(as_text=True)
    for gift in (small, big, own):
        assert f'id="approve-gift-{gift.id}"' in page
    home = head.get("/admin/").get_data(as_text=True)
    assert re.search(r'id="approvals-count">\s*3\s*<', home)


def test_agents_and_the_administrator_have_no_inbox(app, db, login_as):
    for role in ("agent", "admin"):
        user = login_as(role)
        assert user.get(URL).status_code == 403
        assert 'id="approvals-badge"' not in user.get("/admin/").get_data(as_text=True)


def test_lead_approves_from_the_inbox_and_the_line_is_charged(app, db, login_as):
    lead_user, _agent, _head, line, small, _big, _own = _team_world(db)
    lead = login_as(lead_user)
    response = lead.post(f"{URL}decide/", {"kind": "gift", "id": small.id, "op": "approve", "comment": "Đồng ý"})
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    status, decided_by, spent, _audit = _state(db, small.id, line.id)
    assert (status, decided_by, spent) == ("approved", lead_user.id, 300_000)
    assert db.session.get(Gift, small.id).decision_comment == "Đồng ý"
    page = lead.get(URL).get_data(as_text=True)
    assert f"inbox-gift-{small.id}" not in page and 'id="inbox-empty"' in page


def test_refusals_leave_the_database_unchanged(app, db, login_as):
    lead_user, _agent, _head, line, _small, big, own = _team_world(db)
    lead = login_as(lead_user)
    for gift in (own, big):  # four eyes; over the allowance
        before = _state(db, gift.id, line.id)
        response = lead.post(f"{URL}decide/", {"kind": "gift", "id": gift.id, "op": "approve"}, follow_redirects=True)
        assert response.status_code == 200
        assert 'class="alert alert-danger' in response.get_data(as_text=True)
        assert _state(db, gift.id, line.id) == before
    before = _state(db, own.id, line.id)
    assert lead.post(f"{URL}decide/", {"kind": "gift", "id": own.id, "op": "approve"}, csrf=False).status_code == 400
    assert lead.post(f"{URL}decide/", {"kind": "gift", "id": own.id, "op": "delete"}).status_code == 400
    bogus = lead.post(f"{URL}decide/", {"kind": "nothing", "id": "1; drop", "op": "reject"}, follow_redirects=True)
    assert bogus.status_code == 200
    assert _state(db, own.id, line.id) == before


def test_head_approves_and_publishes_a_policy_in_one_step(app, db, login_as):
    lead_user, head_user = make_user("lead"), make_user("head")
    policy = make_policy(lead_user, status="submitted", submitted_by_id=lead_user.id)
    db.session.commit()
    head = login_as(head_user)
    assert f'id="publish-policy-{policy.id}"' in head.get(URL).get_data(as_text=True)
    response = head.post(f"{URL}decide/", {"kind": "policy", "id": policy.id, "op": "approve_publish"})
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(Policy, policy.id)
    assert (row.status, row.decided_by_id) == ("published", head_user.id)


def test_the_decision_page_hides_approve_from_the_gifts_planner(app, db, login_as):
    lead_user, _agent, _head, _line, small, _big, own = _team_world(db)
    lead = login_as(lead_user)
    page = lead.get(f"/admin/gifts/decide/?id={own.id}").get_data(as_text=True)
    assert 'id="four-eyes-hint"' in page and 'id="op-approve"' not in page and 'id="op-reject"' not in page
    page = lead.get(f"/admin/gifts/decide/?id={small.id}").get_data(as_text=True)
    assert 'id="op-approve"' in page and 'id="four-eyes-hint"' not in page


def test_the_navbar_count_is_one_statement_per_page(app, db, login_as):
    from sqlalchemy import event

    _team_world(db)
    head = login_as(make_user("head"))
    seen = []

    def listener(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert head.get("/admin/customers/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([s for s in seen if "approvals_waiting" in s]) == 1
