"""A team lead's path in Chromium: the team queue (the lead's home) → bulk reassign two overdue requests to
an agent chosen with the accent-free picker → escalate them with a reason, which goes to the department
head, never to the lead; the database is checked after each step."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models import AuditLog, Complaint
from tests.browser.test_browser_flow import browser_page, chromium  # noqa: F401
from tests.factories import make_complaint, make_customer, make_team, make_user


def _team(db):
    team = make_team("Nhóm Đà Nẵng")
    lead = make_user("lead", team=team, name="Võ Minh Tâm", email="tam-lead@cskh.vn")
    agent = make_user("agent", team=team, name="Phạm Thu Trang", email="trang-lead@cskh.vn")
    colleague = make_user("agent", team=team, name="Trần Văn Bảo", email="bao-lead@cskh.vn")
    head = make_user("head", name="Đặng Thu Hà", email="ha-head@cskh.vn")
    customer = make_customer("Nguyễn Văn An", owner=agent, phone="0912345678", team_id=team.id)
    late = datetime.now(UTC) - timedelta(hours=2)
    first = make_complaint(customer, assignee=agent, subject="Máy lọc nước rò rỉ", status="in_progress", due_at=late)
    second = make_complaint(customer, assignee=agent, subject="Giao sai màu", status="in_progress", due_at=late)
    db.session.commit()
    return lead, colleague, head, first.id, second.id


def _rows(db, ids) -> dict[int, tuple]:
    db.session.expire_all()
    found = db.session.scalars(select(Complaint).where(Complaint.id.in_(ids)))
    return {c.id: (c.assignee_id, c.escalated_to_id, c.escalation_reason) for c in found}


@pytest.mark.browser
@pytest.mark.backends("sqlite")  # one real database is enough to drive the pages; the rules run on all three
def test_a_leads_queue_bulk_reassign_and_escalation_with_a_reason(app, db, live_server, browser_page, log_in):  # noqa: F811
    page = browser_page
    lead, colleague, head, first, second = _team(db)
    ids = (first, second)

    # 1. the lead lands on the team's queue, with an assignee column
    log_in(page, lead)
    page.wait_for_url(f"{live_server}/admin/inbox/")
    queue = page.locator("#inbox").inner_text()
    assert "Máy lọc nước rò rỉ" in queue or "Nguyễn Văn An" in queue
    assert "Phạm Thu Trang" in queue

    # 2. bulk reassign both to the agent picked by typing "tran van" (no accents)
    for key in ids:
        page.check(f"input[name=item][value='sla-{key}']")
    page.fill("#agent-filter", "tran van")
    assert page.locator("#agent").input_value() == str(colleague.id)
    page.click("#reassign")
    page.wait_for_url(f"{live_server}/admin/inbox/")
    assert {row[0] for row in _rows(db, ids).values()} == {colleague.id}

    # 3. escalate both from the requests list: a confirmation page names the head and asks a reason
    page.goto(f"{live_server}/admin/complaints/")
    for key in ids:
        page.check(f"input.action-checkbox[value='{key}']")
    page.click("li.dropdown:has([data-model-action]) > a.dropdown-toggle")
    with page.expect_navigation():
        page.click("[data-model-action='escalate']")
    assert "/admin/complaints/escalate/" in page.url
    assert head.name in page.locator("#escalate-target").inner_text()
    assert all(row[1] is None for row in _rows(db, ids).values())  # nothing before the reason

    # the browser refuses an empty reason; the server refuses a short one even without the browser's check
    page.click("#escalate-submit")
    assert "/admin/complaints/escalate/" in page.url and all(r[1] is None for r in _rows(db, ids).values())
    page.evaluate("document.getElementById('escalate-reason').removeAttribute('minlength')")
    page.fill("#escalate-reason", "gấp")
    with page.expect_navigation():
        page.click("#escalate-submit")
    assert "ít nhất 5 ký tự" in page.locator(".alert-danger").inner_text()
    assert all(row[1] is None for row in _rows(db, ids).values())

    reason = "Khách dọa đăng lên mạng xã hội, cần trưởng phòng gọi"
    page.fill("#escalate-reason", reason)
    with page.expect_navigation():
        page.click("#escalate-submit")
    rows = _rows(db, ids)
    assert rows == {key: (colleague.id, head.id, reason) for key in ids}
    assert lead.id not in {row[1] for row in rows.values()}
    audits = db.session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.action == "escalate", AuditLog.user_id == lead.id)
    )
    assert audits == 2

    # 4. the reason is shown on the request
    page.goto(f"{live_server}/admin/complaints/details/?id={first}")
    assert reason in page.content()
