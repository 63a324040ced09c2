"""The head's report in Chromium: the period picker, the print button (under the CSP) and the print view on
A4 width, where the tables fit and no formula swells a header. Screenshots land in docs/screenshots/."""

import pytest

from tests import kpi_dataset
from tests.browser.test_browser_flow import SCREENSHOTS, browser_page, chromium  # noqa: F401 (fixtures)
from tests.factories import make_complaint, make_customer, make_user
from tests.kpi_dataset import at

A4_WIDTH_PX = 718
"""The printable width of A4 portrait with 10 mm margins (190 mm at 96 px per inch)."""


@pytest.mark.browser
@pytest.mark.backends("sqlite")  # one real database is enough to drive the page; the figures run on all three
def test_report_picker_print_button_and_a4_print_view(app, db, live_server, browser_page, log_in):  # noqa: F811
    world = kpi_dataset.build()
    for i, name in enumerate(["Nguyễn Thị Phương Thảo", "Trần Quang Minh Khôi", "Lê Hoàng Bảo Ngọc"]):
        agent = make_user("agent", team_id=world.team_a_id, name=name)
        customer = make_customer(f"Khách của {name}", owner=agent)
        make_complaint(customer, assignee=agent, opened_at=at(11, 3 + i), status="in_progress")
    head = world.head
    db.session.commit()
    page = browser_page
    page.add_init_script("window.print = function () { window.__printed = (window.__printed || 0) + 1; };")
    log_in(page, head)

    # the picker: choose the fourth quarter of 2025, then print
    page.goto(f"{live_server}/admin/report/")
    page.select_option("#period", "2025-Q4")
    page.click("#period-form button[type=submit]")
    page.wait_for_url("**period=2025-Q4*")
    assert page.locator("h2").inner_text() == "Báo cáo KPI: Quý 4/2025"
    assert "so với Quý 3/2025 (01/07/2025 – 30/09/2025)" in page.locator("#period-text").inner_text()
    page.click("#print-report")
    assert page.evaluate("window.__printed") == 1
    page.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=True)

    # the print view at the width of an A4 page
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1000})
    page.emulate_media(media="print")
    for hidden in (".navbar", "#period-picker", "#print-report", "#xlsx-download"):
        assert not page.locator(hidden).first.is_visible(), hidden
    widths = page.evaluate(
        "Array.from(document.querySelectorAll('.report-page table')).map(t => [t.id, t.scrollWidth])"
    )
    assert widths and all(width <= A4_WIDTH_PX for _id, width in widths), widths
    # headers are the KPIs' short names with a note number: one or two lines, never a formula
    tallest = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('#report-teams thead th, #report-agents thead th'))"
        ".map(th => th.getBoundingClientRect().height))"
    )
    assert tallest < 40, tallest
    assert page.locator("#kpi-legend").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "report-print.png"), full_page=True)
