"""The head's KPI report: period picker, print view, numbers in the user's language, the XLSX (opened with
openpyxl), and a KPI added through the registry alone showing everywhere (tests/kpi_dataset.py)."""

import io
import re
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from models import AuditLog, KpiDailySnapshot, Order, db
from services.kpi import catalog, registry, snapshot
from services.kpi.measures import count
from tests import kpi_dataset
from tests.kpi_dataset import OCT

OCTOBER_XLSX = "/admin/report/?period=2025-10&format=xlsx"


@pytest.fixture
def world(app):
    return kpi_dataset.build()


def _kpi(html: str, key: str) -> str:
    match = re.search(rf'data-kpi="{key}">.*?class="text-right kpi-value">([^<]*)<', html, re.S)
    assert match, f"no KPI row {key}"
    return match.group(1).strip()


def _visible(html: str) -> str:
    """The text a reader sees (tags and their attributes removed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_report_page_has_a_picker_a_print_button_and_formulas_as_notes(world, login_as):
    html = login_as(world.head).get("/admin/report/?period=2025-Q4").get_data(as_text=True)
    assert "Báo cáo KPI: Quý 4/2025" in html
    assert "Quý 4/2025 (01/10/2025 – 31/12/2025), so với Quý 3/2025 (01/07/2025 – 30/09/2025)" in html
    assert re.search(r'<option value="2025-Q4" selected>Quý 4/2025</option>', html)  # the quarter picker
    assert '<option value="2025-10">Tháng 10/2025</option>' in html
    assert re.search(r"<button[^>]*data-print[^>]*>In báo cáo</button>", html)  # printed by static/js/dashboard.js
    assert 'href="/admin/report/?period=2025-Q4&amp;format=xlsx"' in html
    # formulas: numbered notes at the end, never in a table header (they swelled the printed headers)
    heads = re.findall(r"<thead>(.*?)</thead>", html, re.S)
    formulas = [str(k.formula) for k in registry.KPIS.values()]
    assert heads and not any(f in _visible(h) for h in heads for f in formulas)
    legend = re.search(r'<section class="kpi-legend" id="kpi-legend">(.*?)</section>', html, re.S).group(1)
    assert all(str(k.formula) in legend for k in registry.KPIS.values() if k.table or k.breakdown)
    assert "Đã chi ÷ kế hoạch × 100" in legend  # the budget's note (*)
    # the per-team and per-agent tables show the change against Q3 under each figure
    team_a = re.search(rf'<tr data-id="{world.team_a_id}">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-column="opened">4<br><small class="kpi-row-change text-muted">\+3</small>', team_a)
    assert 'id="report-agents"' in html
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "dashboard.css").read_text()
    assert "@page { size: A4" in css and "span[title]::after { content: none" in css


def test_report_numbers_in_vietnamese_and_in_english(world, login_as):
    head = login_as(world.head)
    html = head.get("/admin/report/?period=2025-10").get_data(as_text=True)
    assert (_kpi(html, "avg_hours"), _kpi(html, "fcr"), _kpi(html, "nps")) == ("195,5 giờ", "50,0 %", "40,0")
    assert head.get("/lang/en").status_code == 302
    html = head.get("/admin/report/?period=2025-10").get_data(as_text=True)
    assert (_kpi(html, "avg_hours"), _kpi(html, "fcr"), _kpi(html, "nps")) == ("195.5 h", "50.0%", "40.0")
    assert "Month 10/2025 (01/10/2025 – 31/10/2025), compared with Month 9/2025" in html


def test_a_custom_range_compares_with_the_same_length_before_and_bad_input_says_why(world, login_as):
    head = login_as(world.head)
    html = head.get("/admin/report/?start=10/10/2025&end=19/10/2025").get_data(as_text=True)
    assert "10/10/2025 – 19/10/2025 (10/10/2025 – 19/10/2025), so với 30/09/2025 – 09/10/2025" in html
    response = head.get("/admin/report/?period=2025-Q7")
    assert response.status_code == 200
    assert "Không nhận ra kỳ báo cáo" in response.get_data(as_text=True)


def test_the_xlsx_has_formats_sheets_change_columns_and_widths(world, login_as):
    response = login_as(world.head).get(OCTOBER_XLSX)
    assert response.status_code == 200
    assert 'filename="kpi-2025-10.xlsx"' in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Chỉ số", "Theo nhóm", "Theo nhân viên", "Ngân sách", "Loại yêu cầu"]
    ws = book["Chỉ số"]
    assert ws["A1"].value == "Báo cáo KPI: Tháng 10/2025"
    assert ws["A2"].value == "01/10/2025 – 31/10/2025, so với Tháng 9/2025 (01/09/2025 – 30/09/2025)"
    assert [c.value for c in ws[4]] == ["Chỉ số", "Kỳ này", "Kỳ trước", "Thay đổi", "Công thức"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=5) if r[0].value}
    opened = rows["Khiếu nại tiếp nhận"]  # 6 in October, 2 in September (K6, K7): +4
    assert [c.value for c in opened[1:4]] == [6, 2, 4]
    assert (opened[1].number_format, opened[3].number_format) == ("#,##0", "+#,##0;-#,##0;#,##0")
    fcr = rows["Giải quyết ngay lần liên hệ đầu (FCR)"]  # 2 of 4 resolved: 50 %, stored as 0.5 with a % format
    assert (fcr[1].value, fcr[1].number_format, fcr[2].value) == (0.5, "0.0%", None)
    # opened in October and resolved by its end: 3 of 6 = 50 %; in September 0 of 2 (K6, K7): +50 points
    share = rows["Tiếp nhận và đã giải quyết"]
    assert [c.value for c in share[1:4]] == [0.5, 0.0, 50.0]
    assert share[3].number_format == '+#,##0.0" điểm %";-#,##0.0" điểm %";#,##0.0" điểm %"'
    hours = rows["Thời gian giải quyết trung bình (giờ)"]
    assert (hours[1].value, hours[1].number_format) == (195.5, "#,##0.0")
    assert rows["NPS"][1].value == 40.0 and rows["NPS"][1].number_format == "#,##0.0"
    assert str(rows["NPS"][4].value).startswith("Tỷ lệ câu trả lời chấm 9–10")
    assert ws.column_dimensions["A"].width == 40 and ws.column_dimensions["E"].width == 80
    assert ws.freeze_panes == "B5"

    teams = book["Theo nhóm"]
    assert teams["A4"].value == "Nhóm" and teams["B4"].value == "NPS"
    assert [teams.cell(5, c).value for c in (2, 3)] == ["Kỳ này", "Thay đổi"]
    assert "B4:C4" in {str(r) for r in teams.merged_cells.ranges}
    header = {teams.cell(4, c).value: c for c in range(2, teams.max_column + 1) if teams.cell(4, c).value}
    by_team = {teams.cell(r, 1).value: r for r in range(6, teams.max_row + 1)}
    col = header["Tiếp nhận"]
    # team A: opened K1-K4 in October against K7 in September (+3); team B: K5, K8 against K6 (+1)
    assert [teams.cell(by_team["Nhóm A"], c).value for c in (col, col + 1)] == [4, 3]
    assert [teams.cell(by_team["Nhóm B"], c).value for c in (col, col + 1)] == [2, 1]
    assert teams.cell(by_team["Nhóm A"], col + 1).number_format == "+#,##0;-#,##0;#,##0"
    fcr_col = header["FCR"]  # team A: K1, K3 of K1-K3 resolved = 66.7 %; nothing resolved in September
    assert teams.cell(by_team["Nhóm A"], fcr_col).value == 0.667
    assert teams.cell(by_team["Nhóm A"], fcr_col).number_format == "0.0%"
    assert teams.cell(by_team["Nhóm A"], fcr_col + 1).value is None
    assert teams.column_dimensions["A"].width == 30 and teams.column_dimensions["B"].width == 13
    assert teams.freeze_panes == "B6"

    agents = book["Theo nhân viên"]
    by_agent = {agents.cell(r, 1).value: r for r in range(6, agents.max_row + 1)}
    assert set(by_agent) == {"An", "Bình", "Chi"}
    assert [agents.cell(by_agent["An"], c).value for c in (col, col + 1)] == [2, 1]  # K1, K2 against K7

    budget = book["Ngân sách"]
    lines = {r[0].value: r for r in budget.iter_rows(min_row=4) if r[0].value}
    assert (lines["Quà tặng"][3].value, lines["Quà tặng"][3].number_format) == (0.4, "0.0%")  # 4M of 10M
    assert lines["Quà tặng"][1].number_format == "#,##0"
    assert [c.value for c in book["Loại yêu cầu"][4]] == ["Giao hàng", 3]


def test_the_xlsx_in_english(world, login_as):
    head = login_as(world.head)
    head.get("/lang/en")
    book = openpyxl.load_workbook(io.BytesIO(head.get(OCTOBER_XLSX).data))
    assert book.sheetnames == ["Indicators", "Per team", "Per agent", "Budget", "Categories"]
    assert book["Indicators"]["A1"].value == "KPI report: Month 10/2025"


def test_only_the_head_reads_the_report(world, login_as):
    for user in (world.a1, world.lead_a):
        for path in ("/admin/report/?period=2025-10", OCTOBER_XLSX):
            assert login_as(user).get(path).status_code == 403
    db.session.expire_all()
    assert db.session.scalars(select(AuditLog).where(AuditLog.action == "export")).all() == []
    assert db.session.scalars(select(KpiDailySnapshot)).all() == []


TOY_MEASURE = count("orders_cancelled", catalog.ORDERS, Order.status == "cancelled")
TOY = registry.Kpi(
    "cancel_rate",
    "Cancelled orders",
    "Orders cancelled ÷ orders created in the period × 100",
    registry.Ratio("orders_cancelled", "orders"),
    unit="%",
    decimals=1,
    better="down",
    short="Cancelled",
    breakdown=True,
)


@pytest.fixture
def toy_kpi():
    """A KPI added through the registry alone (a measure and an entry), as docs/kpis.md "Add a KPI" says."""
    with registry.registered(TOY_MEASURE, TOY):
        yield TOY


def test_a_kpi_added_through_the_registry_shows_everywhere(world, login_as, toy_kpi):
    # one of cA1's three October orders is cancelled: 1 of the 4 October orders; team A 1 of 3
    first = db.session.scalars(select(Order).where(Order.created_at >= kpi_dataset.at(10, 1)).order_by(Order.id))
    first.first().status = "cancelled"
    db.session.commit()
    head = login_as(world.head)
    html = head.get("/admin/?period=2025-10").get_data(as_text=True)
    assert _kpi(html, "cancel_rate") == "25,0 %"
    assert re.search(rf'<tr data-id="{world.team_a_id}">.*?data-column="cancel_rate">33,3 %', html, re.S)
    assert '<li id="kpi-note-cancel_rate"><strong>Cancelled orders</strong>' in html
    assert _kpi(head.get("/admin/report/?period=2025-10").get_data(as_text=True), "cancel_rate") == "25,0 %"
    book = openpyxl.load_workbook(io.BytesIO(head.get(OCTOBER_XLSX).data))
    rows = {r[0].value: r for r in book["Chỉ số"].iter_rows(min_row=5) if r[0].value}
    assert (rows["Cancelled orders"][1].value, rows["Cancelled orders"][1].number_format) == (0.25, "0.0%")
    assert "Cancelled" in [c.value for c in book["Theo nhóm"][4]]
    # the nightly snapshot keeps the new measure in the row's "extra" (no new column); the stored path agrees
    day = OCT[0]
    while day < OCT[1]:
        snapshot.take(day)
        day += timedelta(days=1)
    db.session.commit()
    stored = select(KpiDailySnapshot.day, KpiDailySnapshot.extra).where(KpiDailySnapshot.extra.is_not(None))
    assert db.session.execute(stored).all() == [(date(2025, 10, 4), '{"lists": {}, "sums": {"orders_cancelled": 1}}')]
    html = head.get("/admin/?period=2025-10").get_data(as_text=True)
    assert _kpi(html, "cancel_rate") == "25,0 %"
