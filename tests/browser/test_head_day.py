"""The head's day in Chromium: the navbar count → the approvals inbox → approve a budget, approve and
publish a policy → a leaver's hand-over with its preview and result page. Screenshots land in
docs/screenshots/ (head-inbox, head-inbox-done, handover-preview, handover-done)."""

import pytest
from sqlalchemy import func, select

from models import Budget, Customer, Policy, User
from tests.approval_factories import make_budget, make_policy
from tests.browser.test_browser_flow import SCREENSHOTS, browser_page, chromium  # noqa: F401 (fixtures)
from tests.factories import PASSWORD, make_customer, make_team, make_user


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.backends("sqlite")  # one real database drives the pages; the rules run on all three elsewhere
def test_head_approves_from_the_inbox_and_hands_over_with_a_preview(app, db, live_server, browser_page):  # noqa: F811
    team = make_team("Nhóm Hà Nội")
    lead = make_user("lead", team=team, name="Trưởng nhóm Minh")
    leaver = make_user("agent", team=team, name="Phạm Thu Trang")
    make_user("agent", team=team, name="Lê Văn Vy")
    make_user("agent", team=make_team("Nhóm Sài Gòn"), name="Ngô An")
    head = make_user("head", name="Trưởng phòng Hạnh", email="hanh@cskh.vn")
    budget = make_budget(team=team, created_by=lead, status="submitted", submitted_by_id=lead.id,
                         lines=(("gifts", 25_000_000, 0),))  # fmt: skip
    policy = make_policy(lead, status="submitted", submitted_by_id=lead.id, title="Đổi trả trong 7 ngày")
    for i in range(4):
        make_customer(f"Khách của Trang {i}", owner=leaver)
    make_customer("Khách VIP", owner=leaver, team_id=None, is_vip=True).owner_id = None
    db.session.commit()
    page = browser_page

    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", head.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/**")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("#approvals-count").inner_text().strip() == "2"

    # the inbox: oldest first, amounts in VND, approve the budget with a comment
    page.click("#approvals-badge")
    page.wait_for_url("**/admin/approvals/")
    assert "25.000.000 ₫" in page.locator(f"#inbox-budget-{budget.id}").inner_text()
    _shot(page, "head-inbox")
    page.fill(f"#comment-budget-{budget.id}", "Đồng ý, ưu tiên quà Tết")
    page.click(f"#approve-budget-{budget.id}")
    page.wait_for_url("**/admin/approvals/")
    assert page.locator(f"#inbox-budget-{budget.id}").count() == 0
    # approve and publish the policy in one step
    page.click(f"#publish-policy-{policy.id}")
    page.wait_for_url("**/admin/approvals/")
    assert page.locator("#inbox-empty").is_visible()
    assert page.locator("#approvals-count").inner_text().strip() == "0"
    _shot(page, "head-inbox-done")
    db.session.expire_all()
    assert db.session.get(Budget, budget.id).status == "approved"
    assert db.session.get(Budget, budget.id).decision_comment == "Đồng ý, ưu tiên quà Tết"
    assert db.session.get(Policy, policy.id).status == "published"

    # a campaign's audience from the builder, with its live count (one VIP among five)
    page.goto(f"{live_server}/admin/campaigns/new/")
    page.wait_for_selector("#audience-count:has-text('5')")  # every customer, before any choice
    page.select_option("#aud_is_vip", "yes")
    page.wait_for_selector("#audience-count:has-text(': 1')")
    page.select_option("#aud_is_vip", "no")
    page.wait_for_selector("#audience-count:has-text(': 4')")
    assert page.locator("#audience-count").inner_text() == "Số khách hàng phù hợp: 4"
    page.fill("textarea[name=message_template]", "Chào {name}, chúc mừng sinh nhật!")
    page.wait_for_selector("#message-preview:has-text('Khách của Trang 0')")
    assert (
        page.locator("#message-preview").inner_text()
        == "Xem trước cho Khách của Trang 0: Chào Khách của Trang 0, chúc mừng sinh nhật!"
    )
    page.locator("#audience-count").scroll_into_view_if_needed()
    _shot(page, "campaign-audience")

    # the hand-over: the same team first, a preview, then the result page
    page.goto(f"{live_server}/admin/staff/handover/?id={leaver.id}")
    first = page.locator("#successor_id option").first.inner_text()
    assert first.startswith("Lê Văn Vy")
    page.click("#handover-preview-button")
    page.wait_for_selector("#handover-preview")
    assert page.locator("#preview-customers .count").inner_text().strip() == "4"
    _shot(page, "handover-preview")
    page.click("#handover-confirm")
    page.wait_for_url("**/admin/staff/handover/done/**")
    assert "Khách của Trang 3" in page.locator("#moved-customers").inner_text()
    assert page.locator("#handover-undo").is_visible()
    _shot(page, "handover-done")
    db.session.expire_all()
    assert db.session.get(User, leaver.id).active is False
    owned = select(func.count()).select_from(Customer).where(Customer.owner_id == leaver.id)
    assert db.session.scalar(owned) == 0
