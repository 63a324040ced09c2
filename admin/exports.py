"""Exports that stream: CSV and XLSX of what the list shows, without holding the table in memory.

Mixed into ``admin.base.SecureModelView`` before Flask-Admin's ``ModelView``. The
query is the list's own (search, filters, sort and the user's row scope from
``get_query``), read in batches with ``yield_per`` (a server-side cursor on
PostgreSQL and MariaDB), and written out as it is read.
"""

import csv
import io
import re
import tempfile
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, current_app, stream_with_context
from flask_admin.helpers import get_redirect_target
from sqlalchemy import Integer, Numeric, select
from werkzeug.utils import secure_filename

from models import db

BATCH = 1000
"""Rows fetched per round trip, and rows per chunk of CSV sent."""
CHUNK_BYTES = 64 * 1024
XLSX_MEMORY_LIMIT = 8 * 1024 * 1024
"""An XLSX file larger than this spills from memory to a temporary file on disk."""
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

        ``get_query`` already keeps the rows the user may view; the export keeps only those the
        user may also export (an agent exports the own customers, not the whole team's).
        """
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
        scope = getattr(self, "scope", None)
        return query.filter(scope("export")) if scope else query

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
        with db.engine.connect() as conn:
            result = conn.execution_options(stream_results=True).execute(query.with_entities(pk).statement)
            for batch in result.partitions(BATCH):
                ids = [row[0] for row in batch]
                found = {getattr(m, pk.key): m for m in db.session.scalars(select(self.model).where(pk.in_(ids)))}
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

    def _export_csv(self, return_url):
        columns = list(self._export_columns)

        def generate():
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            buffer.write("\ufeff")
            writer.writerow([spreadsheet_safe(title) for _name, title in columns])
            rows = 0
            for model in self.export_models():
                writer.writerow([spreadsheet_safe(self.get_export_value(model, name)) for name, _t in columns])
                rows += 1
                if rows % BATCH == 0 or buffer.tell() >= CHUNK_BYTES:
                    yield buffer.getvalue().encode("utf-8")
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue().encode("utf-8")

        return Response(
            stream_with_context(generate()),
            headers={"Content-Disposition": f"attachment; filename={self.export_filename('csv')}"},
            mimetype="text/csv",
            content_type="text/csv; charset=utf-8",
        )

    def _export_tablib(self, export_type, return_url):
        if export_type != "xlsx":
            return super()._export_tablib(export_type, return_url or get_redirect_target())
        from openpyxl import Workbook

        columns = list(self._export_columns)
        numeric = self._numeric_columns()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=secure_filename(str(self.endpoint))[:31] or "export")
        sheet.append([_xlsx_text(title) for _name, title in columns])
        for model in self.export_models():
            sheet.append([self._xlsx_value(model, name, numeric) for name, _t in columns])
        spool = tempfile.SpooledTemporaryFile(max_size=XLSX_MEMORY_LIMIT)
        workbook.save(spool)
        size = spool.tell()
        spool.seek(0)

        def generate():
            try:
                while chunk := spool.read(CHUNK_BYTES):
                    yield chunk
            finally:
                spool.close()

        return Response(
            generate(),
            headers={
                "Content-Disposition": f"attachment; filename={self.export_filename('xlsx')}",
                "Content-Length": str(size),
            },
            mimetype=XLSX_MIMETYPE,
        )

    def _xlsx_value(self, model, name: str, numeric: set[str]):
        """Numbers (money, stock) stay numbers so Excel can sum them; the rest as the list shows it."""
        if name in numeric:
            raw = getattr(model, name, None)
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                return raw
        return _xlsx_text(self.get_export_value(model, name))


def _xlsx_text(value) -> str:
    return _ILLEGAL_XLSX.sub("", spreadsheet_safe(value))
