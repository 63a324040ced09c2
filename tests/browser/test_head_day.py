"""The head's day in Chromium: the navbar count → the approvals inbox → approve a budget, approve and
publish a policy → build a birthday campaign with the builders (live count, message preview, schedule,
projected cost against the budget line) → the quarterly report with its picker, the print view and the
XLSX (opened with openpyxl) → a leaver's hand-over with its preview and result page. Screenshots land in
docs/screenshots/ (head-inbox, head-inbox-done, campaign-audience, campaign-builder, head-report,
head-report-print, handover-preview, handover-done)."""

import json

import openpyxl
import pytest
from sqlalchemy import func, select

from models import Budget, Campaign, Customer, Policy, User
from tests import kpi_dataset
from tests.approval_factories import make_budget, make_policy
from tests.browser.test_browser_flow import SCREENSHOTS, browser_page, chromium  # noqa: F401 (fixtures)
from tests.factories import make_customer, make_team, make_user


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.backends("sqlite")  # one real database drives the pages; the rules run on all three elsewhere
def test_the_heads_day(app, db, live_server, browser_page, tmp_path, log_in):  # noqa: F811
    kpi_dataset.build()  # October and September 2025 for the quarterly report: 3 customers, teams A and B
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
    page.add_init_script("window.print = function () { window.__printed = (window.__printed || 0) + 1; };")

    log_in(page, head)
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

    # a birthday campaign from the builders: its audience with the live count (one VIP among eight)
    page.goto(f"{live_server}/admin/campaigns/new/")
    page.wait_for_selector("#audience-count:has-text('8')")  # every customer, before any choice
    page.fill("input[name=name]", "Sinh nhật khách hàng thân thiết")
    page.select_option("#aud_is_vip", "yes")
    page.wait_for_selector("#audience-count:has-text(': 1')")
    page.select_option("#aud_is_vip", "no")
    page.wait_for_selector("#audience-count:has-text(': 7')")
    assert page.locator("#audience-count").inner_text() == "Số khách hàng phù hợp: 7"
    page.fill("textarea[name=message_template]", "Chào {name}, chúc mừng sinh nhật!")
    page.wait_for_selector("#message-preview:has-text('Khách A1')")
    assert (
        page.locator("#message-preview").inner_text() == "Xem trước cho Khách A1: Chào Khách A1, chúc mừng sinh nhật!"
    )
    page.locator("#audience-count").scroll_into_view_if_needed()
    _shot(page, "campaign-audience")
    # the schedule: on each customer's birthday, in words
    assert not page.locator("#sch_occasion").is_visible()
    page.select_option("#sch_kind", "occasion")
    page.select_option("#sch_occasion", "birthday")
    page.wait_for_selector("#schedule-summary:has-text('sinh nhật')")
    assert page.locator("#schedule-summary").inner_text() == "Vào sinh nhật của khách hàng, lúc 08:00"
    assert not page.locator("#sch_time").is_visible()
    # the gift and the budget line that pays: the projected cost against what the line has left
    page.fill("input[name=gift_item]", "Hoa và thiệp")
    page.fill("input[name=gift_value]", "4000000")
    page.click("#s2id_budget_line")
    page.fill("#select2-drop input.select2-input", "Dòng")
    page.click("#select2-drop .select2-result-selectable >> nth=0")
    page.wait_for_selector("#campaign-cost-total:has-text('28.000.000 ₫')")  # 7 gifts × 4.000.000 ₫
    # the total is known before the line is chosen: wait for the answer that knows the line
    page.wait_for_selector("#campaign-cost:has-text('còn 25.000.000 ₫')")
    assert page.locator("#cost-warning").inner_text() == (
        "Chi phí dự kiến 28.000.000 ₫ vượt quá số còn lại 25.000.000 ₫ của dòng ngân sách này."
    )
    page.locator("#campaign-cost").scroll_into_view_if_needed()
    _shot(page, "campaign-builder")
    page.fill("input[name=gift_value]", "3000000")
    page.wait_for_selector("#campaign-cost-total:has-text('21.000.000 ₫')")
    assert page.locator("#cost-warning").count() == 0
    page.click("form.admin-form input[type=submit].btn-primary")
    page.wait_for_url(lambda url: "/admin/campaigns/" in url and "/new/" not in url)
    campaign = db.session.scalar(select(Campaign).where(Campaign.name == "Sinh nhật khách hàng thân thiết"))
    assert (campaign.schedule_cron, campaign.occasion) == (None, "birthday")
    assert json.loads(campaign.audience) == {"is_vip": False}
    assert (campaign.gift_value, campaign.budget_line_id) == (3_000_000, budget.lines[0].id)
    page.goto(f"{live_server}/admin/campaigns/")
    assert "Vào sinh nhật của khách hàng, lúc 08:00" in page.locator(".table").first.inner_text()

    # the quarterly report: the picker, the print button, the print view, the XLSX
    page.goto(f"{live_server}/admin/report/")
    page.select_option("#period", "2025-Q4")
    page.click("#period-form button[type=submit]")
    page.wait_for_url("**period=2025-Q4*")
    assert page.locator("h2").inner_text() == "Báo cáo KPI: Quý 4/2025"
    assert "so với Quý 3/2025 (01/07/2025 – 30/09/2025)" in page.locator("#period-text").inner_text()
    page.click("#print-report")
    assert page.evaluate("window.__printed") == 1
    _shot(page, "head-report")
    page.set_viewport_size({"width": 718, "height": 1000})  # A4's printable width
    page.emulate_media(media="print")
    assert not page.locator(".navbar").first.is_visible() and not page.locator("#xlsx-download").is_visible()
    _shot(page, "head-report-print")
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1400, "height": 950})
    with page.expect_download() as downloaded:
        page.click("#xlsx-download")
    assert downloaded.value.suggested_filename == "kpi-2025-q4.xlsx"
    saved = tmp_path / downloaded.value.suggested_filename
    downloaded.value.save_as(saved)
    book = openpyxl.load_workbook(saved)
    assert book.sheetnames == ["Chỉ số", "Theo nhóm", "Theo nhân viên", "Ngân sách", "Loại yêu cầu"]
    sheet = book["Chỉ số"]
    assert sheet["A1"].value == "Báo cáo KPI: Quý 4/2025"
    assert [c.value for c in sheet[4]] == ["Chỉ số", "Kỳ này", "Kỳ trước", "Thay đổi", "Công thức"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=5) if r[0].value}
    opened = rows["Khiếu nại tiếp nhận"]  # 6 in October (the quarter's data), 2 in September (K6, K7): +4
    assert [c.value for c in opened[1:4]] == [6, 2, 4]
    assert (opened[1].number_format, opened[3].number_format) == ("#,##0", "+#,##0;-#,##0;#,##0")
    assert rows["Giải quyết ngay lần liên hệ đầu (FCR)"][1].number_format == "0.0%"
    teams = book["Theo nhóm"]
    assert [teams.cell(5, c).value for c in (2, 3)] == ["Kỳ này", "Thay đổi"]
    assert {"Nhóm A", "Nhóm B"} <= {teams.cell(r, 1).value for r in range(6, teams.max_row + 1)}
    agents = book["Theo nhân viên"]
    assert {"An", "Bình", "Chi"} <= {agents.cell(r, 1).value for r in range(6, agents.max_row + 1)}

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
