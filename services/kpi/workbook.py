"""The head's report as an XLSX workbook: KPIs, per team, per agent, budget and categories.

Numbers are numbers with formats (thousands, decimals, percentages, a + on gains), so they sort
and add up in Excel and show in the reader's own separators; every figure is the one on screen
(rounded once, services.kpi.numbers); change columns compare with the previous period.
"""

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from services.kpi.numbers import HEADER_UNITS, xlsx_format, xlsx_value
from services.kpi.registry import Kpi
from services.kpi.report import BACKLOG_BUCKETS

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEAD_FILL = PatternFill("solid", fgColor="DDE5F0")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
MONEY = "#,##0"


def _header(kpi: Kpi, *, full: bool = False) -> str:
    """A column header: the KPI's short name (``full``: its label) and its unit, ``Thời gian TB (giờ)``."""
    unit = HEADER_UNITS.get(kpi.unit)
    name = str(kpi.label if full else kpi.header)
    return f"{name} ({unit})" if unit else name


def _put(ws, row: int, col: int, value, number_format: str | None = None, font=None):
    cell = ws.cell(row=row, column=col, value=value)
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    return cell


def _head_row(ws, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = _put(ws, row, col, label, font=BOLD)
        cell.fill, cell.alignment = HEAD_FILL, CENTER


def _title(ws, report: dict) -> None:
    period, previous = report["period"], report["table"]["previous"]
    _put(ws, 1, 1, _("KPI report: %(period)s", period=period.label), font=TITLE)
    _put(
        ws,
        2,
        1,
        _(
            "%(dates)s, compared with %(previous)s (%(previous_dates)s)",
            dates=period.dates,
            previous=previous.label,
            previous_dates=previous.dates,
        ),
    )


def _widths(ws, widths: dict[int, float]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def _kpi_sheet(ws, report: dict) -> None:
    _title(ws, report)
    _head_row(ws, 4, [_("Indicator"), _("This period"), _("Previous period"), _("Change"), _("Formula")])
    row = 5
    for line in report["table"]["rows"]:
        kpi = line["kpi"]
        fmt, change_fmt = xlsx_format(kpi.unit, kpi.decimals), xlsx_format(kpi.unit, kpi.decimals, signed=True)
        _put(ws, row, 1, _header(kpi, full=True))
        _put(ws, row, 2, xlsx_value(line["value"], kpi.unit), fmt)
        _put(ws, row, 3, xlsx_value(line["previous"], kpi.unit), fmt)
        _put(ws, row, 4, xlsx_value(line["delta"], kpi.unit, signed=True), change_fmt)
        _put(ws, row, 5, str(kpi.formula)).alignment = WRAP
        row += 1
    row += 1
    _put(ws, row, 1, _("Open backlog by age"), font=BOLD)
    ages = report["table"]["backlog"]
    for key, label in [*BACKLOG_BUCKETS, ("overdue", _("Past due"))]:
        row += 1
        _put(ws, row, 1, str(label))
        _put(ws, row, 2, ages[key], MONEY)
    _widths(ws, {1: 40, 2: 15, 3: 15, 4: 15, 5: 80})
    ws.freeze_panes = "B5"


def _breakdown_sheet(ws, report: dict, rows: list[dict], title: str) -> None:
    """One row per team or agent; per KPI two columns: this period, change against the previous one."""
    _title(ws, report)
    columns: list[Kpi] = report["columns"]
    _put(ws, 4, 1, title, font=BOLD).fill = HEAD_FILL
    ws.merge_cells(start_row=4, start_column=1, end_row=5, end_column=1)
    ws.cell(row=4, column=1).alignment = CENTER
    for i, kpi in enumerate(columns):
        col = 2 + 2 * i
        _put(ws, 4, col, _header(kpi), font=BOLD)
        ws.merge_cells(start_row=4, start_column=col, end_row=4, end_column=col + 1)
        ws.cell(row=4, column=col).alignment = CENTER
        for offset, label in enumerate((_("This period"), _("Change"))):
            cell = _put(ws, 5, col + offset, label, font=BOLD)
            cell.alignment = CENTER
        for c in (col, col + 1):
            ws.cell(row=4, column=c).fill = HEAD_FILL
            ws.cell(row=5, column=c).fill = HEAD_FILL
    for r, line in enumerate(rows, start=6):
        _put(ws, r, 1, line["name"])
        for i, kpi in enumerate(columns):
            col = 2 + 2 * i
            _put(ws, r, col, xlsx_value(line["values"][kpi.key], kpi.unit), xlsx_format(kpi.unit, kpi.decimals))
            delta = xlsx_value(line["change"][kpi.key], kpi.unit, signed=True)
            _put(ws, r, col + 1, delta, xlsx_format(kpi.unit, kpi.decimals, signed=True))
    if not rows:
        _put(ws, 6, 1, _("No data for this period."))
    _widths(ws, {1: 30, **{c: 13 for c in range(2, 2 + 2 * len(columns))}})
    ws.row_dimensions[4].height = 32
    ws.freeze_panes = "B6"


def _budget_sheet(ws, report: dict) -> None:
    quarter = report["budget_quarter"]
    _put(ws, 1, 1, _("Budget: planned and spent, %(quarter)s", quarter=quarter.label), font=TITLE)
    _head_row(ws, 3, [_("Category"), _("Planned (VND)"), _("Spent (VND)"), _("Used (%)")])
    row = 4
    for line in report["budget_lines"]:
        _put(ws, row, 1, line["label"])
        _put(ws, row, 2, line["planned"], MONEY)
        _put(ws, row, 3, line["spent"], MONEY)
        _put(ws, row, 4, xlsx_value(line["used"], "%"), xlsx_format("%", 1))
        row += 1
    totals = report["budget_total"]
    _put(ws, row, 1, _("Total"), font=BOLD)
    _put(ws, row, 2, totals["planned"], MONEY, BOLD)
    _put(ws, row, 3, totals["spent"], MONEY, BOLD)
    _put(ws, row, 4, xlsx_value(totals["used"], "%"), xlsx_format("%", 1), BOLD)
    _widths(ws, {1: 30, 2: 18, 3: 18, 4: 12})
    ws.freeze_panes = "A4"


def _categories_sheet(ws, report: dict) -> None:
    _put(ws, 1, 1, _("Top request categories"), font=TITLE)
    _head_row(ws, 3, [_("Category"), _("Requests")])
    for row, cat in enumerate(report["categories"], start=4):
        _put(ws, row, 1, cat["label"])
        _put(ws, row, 2, cat["count"], MONEY)
    _widths(ws, {1: 34, 2: 12})
    ws.freeze_panes = "A4"


SHEETS = {
    "kpi": lambda: _("Indicators"),
    "teams": lambda: _("Per team"),
    "agents": lambda: _("Per agent"),
    "budget": lambda: _("Budget"),
    "categories": lambda: _("Categories"),
}
"""The sheets, in order (their names in the user's language)."""


def build(report: dict) -> bytes:
    """The workbook of ``report`` (services.kpi.report.report) in the user's language."""
    wb = Workbook()
    sheets = {key: (wb.active if i == 0 else wb.create_sheet()) for i, key in enumerate(SHEETS)}
    for key, ws in sheets.items():
        ws.title = SHEETS[key]()[:31]
    _kpi_sheet(sheets["kpi"], report)
    _breakdown_sheet(sheets["teams"], report, report["teams"], _("Team"))
    _breakdown_sheet(sheets["agents"], report, report["agents"], _("Agent"))
    _budget_sheet(sheets["budget"], report)
    _categories_sheet(sheets["categories"], report)
    for ws in sheets.values():
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
