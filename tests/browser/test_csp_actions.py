"""Flask-Admin's menus and buttons work under our strict Content-Security-Policy (no inline handlers).

Flask-Admin's templates wire the "With selected" menu, the inline forms' "Add …" button and the filter
menu with ``onclick="…"`` / ``href="javascript:…"``, which ``script-src 'self' 'nonce-…'`` refuses. Our
copies of those templates carry data attributes bound by static/js/csp_bindings.js; these tests click them
in Chromium and check the database and the console.
"""

import pytest
from sqlalchemy import select

from models import Complaint
from tests.browser.test_browser_flow import browser_page, chromium  # noqa: F401 (fixtures)
from tests.factories import make_complaint, make_customer, make_team, make_user


def _watch_console(page) -> list[str]:
    """Console errors and uncaught exceptions of the page, except a missing favicon."""
    problems: list[str] = []

    def on_console(message):
        if message.type == "error" and "favicon" not in (message.location or {}).get("url", ""):
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    return problems


def _csp(problems: list[str]) -> list[str]:
    return [p for p in problems if "Content Security Policy" in p]


def _tick(page, *complaints) -> None:
    for complaint in complaints:
        page.check(f"input.action-checkbox[value='{complaint.id}']")


def _open_actions_menu(page) -> None:
    page.click("li.dropdown:has([data-model-action]) > a.dropdown-toggle")


@pytest.mark.browser
@pytest.mark.backends("sqlite")  # one real database is enough to drive the pages; the views run on all three
def test_mass_actions_and_filter_menu_work_under_the_csp(app, db, live_server, browser_page, log_in):  # noqa: F811
    page = browser_page
    problems = _watch_console(page)
    team = make_team("Nhóm CSP")
    head = make_user("head", name="Đặng Thu Hà", email="head-csp@cskh.vn")
    agent = make_user("agent", team=team)
    customer = make_customer("Lê Văn Chính", owner=agent, team_id=team.id)
    new_1 = make_complaint(customer, subject="Máy kêu to", status="new")
    new_2 = make_complaint(customer, subject="Giao hàng chậm", status="new")
    untouched = make_complaint(customer, subject="Thiếu phụ kiện", status="new")
    done_1 = make_complaint(customer, subject="Đã đổi máy", status="resolved", resolution="Đổi máy mới")
    done_2 = make_complaint(customer, subject="Đã hoàn tiền", status="resolved", resolution="Hoàn tiền")
    db.session.commit()
    ids = [c.id for c in (new_1, new_2, untouched, done_1, done_2)]

    def state() -> dict[int, tuple]:
        db.session.expire_all()
        rows = db.session.scalars(select(Complaint).where(Complaint.id.in_(ids)))
        return {c.id: (c.status, c.assignee_id) for c in rows}

    log_in(page, head)

    # 1. "Assign to me" on two ticked rows (no confirmation): only those two change
    page.goto(f"{live_server}/admin/complaints/")
    _tick(page, new_1, new_2)
    _open_actions_menu(page)
    with page.expect_navigation():
        page.click("[data-model-action='assign_me']")
    after = state()
    assert after[new_1.id][1] == head.id and after[new_2.id][1] == head.id
    assert after[untouched.id] == ("new", None)
    assert page.locator(".alert-success").count() == 1

    # 2. "Close" keeps its confirmation: dismissing it changes nothing, accepting closes both rows
    page.goto(f"{live_server}/admin/complaints/")
    _tick(page, done_1, done_2)
    dialogs: list[str] = []
    page.once("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _open_actions_menu(page)
    page.click("[data-model-action='close']")
    page.wait_for_timeout(300)
    assert len(dialogs) == 1 and dialogs[0]
    assert page.url == f"{live_server}/admin/complaints/"
    assert state()[done_1.id][0] == "resolved" and state()[done_2.id][0] == "resolved"

    page.once("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    _open_actions_menu(page)
    with page.expect_navigation():
        page.click("[data-model-action='close']")
    assert len(dialogs) == 2
    after = state()
    assert after[done_1.id][0] == "closed" and after[done_2.id][0] == "closed"
    assert after[untouched.id] == ("new", None)

    # 3. the filter menu adds a filter row without navigating anywhere
    page.goto(f"{live_server}/admin/complaints/")
    assert page.locator("table.filters tr").count() == 0
    page.click("li.dropdown:has(.field-filters) > a.dropdown-toggle")
    page.locator(".field-filters a.filter").first.click()
    page.wait_for_selector("table.filters tr")
    assert page.url == f"{live_server}/admin/complaints/"

    # 4. the list's own javascript: links (current tab) are cancelled, not refused by the CSP
    page.click("ul.nav-tabs a.nav-link.active")

    assert _csp(problems) == [], problems
    assert problems == []


@pytest.mark.browser
@pytest.mark.backends("sqlite")
def test_add_inline_order_line_works_under_the_csp(app, db, live_server, browser_page, log_in):  # noqa: F811
    page = browser_page
    problems = _watch_console(page)
    head = make_user("head", email="head-csp-orders@cskh.vn")
    db.session.commit()
    log_in(page, head)

    page.goto(f"{live_server}/admin/orders/new/")
    lines = page.locator("#lines > .inline-field-list > .inline-field")
    assert lines.count() == 0
    page.click("[data-add-inline='lines']")
    page.click("[data-add-inline='lines']")
    assert lines.count() == 2
    assert page.locator("[name='lines-0-quantity']").count() == 1
    assert page.locator("[name='lines-1-quantity']").count() == 1
    assert page.url == f"{live_server}/admin/orders/new/"

    # a new line's remove link asks, then removes that line
    page.once("dialog", lambda d: d.accept())
    lines.nth(1).locator("a.inline-remove-field").click()
    assert lines.count() == 1

    assert _csp(problems) == [], problems
    assert problems == []
