"""Exports that stream: CSV and XLSX of what the list shows, without holding the table in memory.

Mixed into ``admin.base.SecureModelView`` before Flask-Admin's ``ModelView``. The
query is the list's own (search, filters, sort and the user's row scope from
``get_query``), built in the view, read in batches with ``yield_per`` (a server-side
cursor on PostgreSQL and MariaDB) together with every relationship an exported column
shows, and written out as it is read: the first bytes leave before the query has
read more than a batch, and memory stays flat however many rows there are.

The rows are read after the view has returned, when Flask has already torn the
request's database session down (``stream_with_context`` only pushes the contexts
again): everything that depends on the user (row scope, columns) is decided in the
view, and the rows are read in the session that is current while streaming.
"""

import csv
import io
import math
import re
import zipfile
from datetime import datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from flask import Response, current_app, request, stream_with_context
from flask_admin.helpers import get_redirect_target
from flask_admin.model import BaseModelView
from openpyxl.utils import get_column_letter
from sqlalchemy import Integer, Numeric, select
from sqlalchemy.orm import scoped_session
from werkzeug.utils import secure_filename

from admin.listing.paging import loader_options
from models import db

BATCH = 1000
"""Rows fetched per round trip, and rows per chunk sent."""
CHUNK_BYTES = 64 * 1024
XLSX_MAX_ROWS = 1_048_576
"""Excel's rows per sheet (header included); a longer export continues on another sheet."""
XLSX_MAX_SHEET_BYTES = 1 << 30
"""A sheet's XML stays below zip's 2 GiB entry size (no ZIP64 needed); past this a new sheet starts."""
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")
_ILLEGAL_XLSX = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def spreadsheet_safe(value) -> str:
    """A text cell that a spreadsheet shows, never runs: ``=HYPERLINK(...)`` becomes ``'=HYPERLINK(...)``."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


class StreamingExportMixin:
    """``_export_csv`` / ``_export_tablib`` (xlsx) that stream the list's rows."""

    def export_query(self):
        """The list's query for this request's search, filters and sort, without paging.

        ``get_query`` keeps the rows the user may view and, on the export endpoint, only those the
        user may also export (an agent exports the own customers, not the whole team's). Built
        once per request, in the view (the user is known there); bound to the session current
        when it is called, which is a new one once the response streams.
        """
        key = f"cskh.export_query.{self.endpoint}"  # the request's own (``g`` can outlive a request)
        query = request.environ.get(key)
        if query is None:
            query = request.environ[key] = self._build_export_query()
        return query.with_session(self._current_session())

    def _build_export_query(self):
        args = self._get_list_extra_args()
        sort = self._get_column_by_idx(args.sort)
        _count, query = self.get_list(
            0,
            sort[0] if sort else None,
            args.sort_desc,
            args.search,
            args.filters,
            execute=False,
            page_size=self.export_max_rows or 0,
        )
        options = self.export_load_options()
        return query.options(*options) if options else query

    def export_load_options(self) -> list:
        """A joined (many-to-one) or per-batch (collection) load of every relationship an exported
        column shows, so a row never costs a query of its own."""
        return loader_options(self.model, self._export_columns)

    def _current_session(self):
        session = getattr(self.session, "session", self.session)
        return session() if isinstance(session, scoped_session) else session

    def export_models(self):
        """The rows to export, fetched ``BATCH`` at a time, never all at once.

        PostgreSQL and SQLite: ``yield_per`` (a server-side cursor on PostgreSQL). MariaDB: a
        server-side cursor on PyMySQL cannot share its connection with the lazy loads an export
        column may need (the driver would silently drain it), so the ordered primary keys stream
        on a connection of their own and each batch of rows is loaded by key in the session.
        """
        query = self.export_query()
        if db.engine.dialect.name not in ("mysql", "mariadb"):
            yield from query.yield_per(BATCH)
            return
        pk = self.model.__mapper__.primary_key[0]
        rows = select(self.model).options(*self.export_load_options())
        with db.engine.connect() as conn:
            result = conn.execution_options(stream_results=True).execute(query.with_entities(pk).statement)
            for batch in result.partitions(BATCH):
                ids = [row[0] for row in batch]
                found = {getattr(m, pk.key): m for m in db.session.scalars(rows.where(pk.in_(ids))).unique()}
                for key in ids:
                    if key in found:
                        yield found[key]

    def export_filename(self, export_type: str) -> str:
        today = datetime.now(ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Ho_Chi_Minh"))).date()
        return secure_filename(f"{self.endpoint}_{today:%Y-%m-%d}.{export_type}")

    def _numeric_columns(self) -> set[str]:
        table = getattr(self.model, "__table__", None)
        if table is None:
            return set()
        return {c.key for c in table.columns if isinstance(c.type, Integer | Numeric)}

    def _export_texts(self, names: list[str]):
        """``model -> [text per column]`` as the list shows them.

        A cell whose text follows from its raw value alone (no export formatter, and an empty value,
        a yes/no, or a choice whose label is translated) is formatted once per distinct value and
        export, not once per row: translating labels was most of an export's time.
        """
        get, raw_value = self.get_export_value, self._get_field_value
        own_values = type(self).get_export_value is not BaseModelView.get_export_value
        plain = [not own_values and name not in (self.column_formatters_export or {}) for name in names]
        choices = [bool(self._column_choices_map.get(name)) for name in names]
        memo: dict = {}

        def texts(model) -> list[str]:
            out = []
            for name, is_plain, has_choices in zip(names, plain, choices, strict=True):
                if is_plain:
                    raw = raw_value(model, name)
                    if raw is None or isinstance(raw, bool) or (has_choices and isinstance(raw, str | int)):
                        key = (name, type(raw), raw)
                        text = memo.get(key)
                        if text is None:
                            text = memo[key] = spreadsheet_safe(get(model, name))
                        out.append(text)
                        continue
                out.append(spreadsheet_safe(get(model, name)))
            return out

        return texts

    def _export_csv(self, return_url):
        columns = list(self._export_columns)
        self.export_query()  # decided now, while the request's user and session are there
        texts = self._export_texts([name for name, _title in columns])

        def generate():
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            buffer.write("\ufeff")
            writer.writerow([spreadsheet_safe(title) for _name, title in columns])
            yield buffer.getvalue().encode("utf-8")  # the download starts before the first row is read
            buffer.seek(0)
            buffer.truncate()
            rows = 0
            for model in self.export_models():
                writer.writerow(texts(model))
                rows += 1
                if rows % BATCH == 0 or buffer.tell() >= CHUNK_BYTES:
                    yield buffer.getvalue().encode("utf-8")
                    buffer.seek(0)
                    buffer.truncate()
            if buffer.tell():
                yield buffer.getvalue().encode("utf-8")

        return Response(
            stream_with_context(self.csv_chunks(generate())),
            headers={"Content-Disposition": f"attachment; filename={self.export_filename('csv')}"},
            mimetype="text/csv",
            content_type="text/csv; charset=utf-8",
        )

    def csv_chunks(self, chunks):
        """The CSV body's chunks as sent: a view may add to them (a panel ends a cut export with a note)."""
        return chunks

    def _export_tablib(self, export_type, return_url):
        if export_type != "xlsx":
            return super()._export_tablib(export_type, return_url or get_redirect_target())
        columns = list(self._export_columns)
        self.export_query()
        names = [name for name, _title in columns]
        numeric = self._numeric_columns()
        texts = self._export_texts(names)
        number_at = [i for i, name in enumerate(names) if name in numeric]

        def values(model) -> list:
            """Numbers (money, stock) stay numbers so Excel can sum them; the rest as the list shows it."""
            row = texts(model)
            for i in number_at:
                raw = getattr(model, names[i], None)
                if isinstance(raw, int | float) and not isinstance(raw, bool):
                    row[i] = raw
            return row

        title = secure_filename(str(self.endpoint))[:31] or "export"
        header = [spreadsheet_safe(t) for _name, t in columns]
        body = XlsxStream(title, header).stream(values(m) for m in self.export_models())
        return Response(
            stream_with_context(body),
            headers={"Content-Disposition": f"attachment; filename={self.export_filename('xlsx')}"},
            mimetype=XLSX_MIMETYPE,
        )


class _Sink:
    """A write-only file for ``zipfile`` (which then writes sizes after each entry, not before)."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


class XlsxStream:
    """An XLSX workbook written as a zip stream, a row at a time (Excel's row limit: more sheets).

    Text cells are inline strings (no shared-string table to hold in memory). Entries are zipped
    as they are written (sizes in data descriptors, no ZIP64: a sheet stays below 1 GiB), and the
    sheet list (workbook and its relationships) comes after the sheets, once it is known.
    """

    MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
    CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

    def __init__(self, title: str, header: list[str]):
        self.title, self.header = title, header
        self.letters = [get_column_letter(i + 1) for i in range(len(header))]

    def stream(self, rows):
        sink = _Sink()
        sheets: list[str] = []
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            self._write_head(archive)
            sheet, written, size = self._open_sheet(archive, sheets)
            try:
                yield from _drained(sink)  # the download starts before the first row is read
                for row in rows:
                    if written >= XLSX_MAX_ROWS or size >= XLSX_MAX_SHEET_BYTES:
                        self._close_sheet(sheet)
                        sheet, written, size = self._open_sheet(archive, sheets)
                    written += 1
                    size += self._write(sheet, self._row(written, row))
                    if written % BATCH == 0 or sink.size >= CHUNK_BYTES:
                        yield from _drained(sink)
                self._close_sheet(sheet)
                sheet = None
                self._write_workbook(archive, sheets)
            finally:
                if sheet is not None:
                    sheet.close()
        yield from _drained(sink)

    def _open_sheet(self, archive, sheets: list[str]):
        sheets.append(self.title if not sheets else f"{self.title[:26]} ({len(sheets) + 1})")
        sheet = archive.open(f"xl/worksheets/sheet{len(sheets)}.xml", "w")
        head = f'{_XML}<worksheet xmlns="{self.MAIN}"><sheetData>'
        return sheet, 1, self._write(sheet, head + self._row(1, self.header))

    @staticmethod
    def _close_sheet(sheet) -> None:
        sheet.write(b"</sheetData></worksheet>")
        sheet.close()

    @staticmethod
    def _write(sheet, text: str) -> int:
        data = text.encode("utf-8")
        sheet.write(data)
        return len(data)

    def _row(self, number: int, values: list) -> str:
        cells = []
        for letter, value in zip(self.letters, values, strict=False):
            if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
                cells.append(f'<c r="{letter}{number}"><v>{value!r}</v></c>')
            elif value not in (None, ""):
                text = _ILLEGAL_XLSX.sub("", str(value))
                space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
                cells.append(f'<c r="{letter}{number}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>')
        return f'<row r="{number}">{"".join(cells)}</row>'

    def _write_head(self, archive) -> None:
        """Content types first (what ``file`` and mail filters look at): sheets are typed by the ``.xml``
        default, so their number need not be known yet."""
        archive.writestr(
            "[Content_Types].xml",
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="{self.CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{self.CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{self.CT}.styles+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'{_XML}<Relationships xmlns="{self.PKG_REL}"><Relationship Id="rId1" '
            f'Type="{self.REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr("xl/styles.xml", _XML + _STYLES.format(main=self.MAIN))

    def _write_workbook(self, archive, sheets: list[str]) -> None:
        """The sheet list, once the rows have said how many sheets there are."""
        entries = "".join(
            f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(sheets, 1)
        )
        archive.writestr(
            "xl/workbook.xml",
            f'{_XML}<workbook xmlns="{self.MAIN}" xmlns:r="{self.REL}"><sheets>{entries}</sheets></workbook>',
        )
        links = "".join(
            f'<Relationship Id="rId{i}" Type="{self.REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        links += f'<Relationship Id="rId{len(sheets) + 1}" Type="{self.REL}/styles" Target="styles.xml"/>'
        archive.writestr(
            "xl/_rels/workbook.xml.rels", f'{_XML}<Relationships xmlns="{self.PKG_REL}">{links}</Relationships>'
        )


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    '<styleSheet xmlns="{main}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _drained(sink: _Sink):
    """What the sink holds, if anything: an empty chunk would end a chunked HTTP response."""
    data = sink.drain()
    if data:
        yield data
