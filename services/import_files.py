"""Reading an import file as rows, whatever it is: CSV in UTF-8, UTF-16 or Windows-1258, or an XLSX.

Rows come one at a time so the caller stops at its row limit; an XLSX is checked for what it unpacks
to and for its number of rows before any XML is parsed (a small file can hold a million rows), and a
CSV's encoding is detected and said. ``services.imports`` checks the rows.
"""

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

from services.errors import ValidationError

EXTENSIONS = ("csv", "xlsx")
MAX_ROWS = 50_000
MAX_FILE_BYTES = 64 * 1024 * 1024
"""A file bigger than this is not read at all (the web form already stops at ``MAX_UPLOAD_MB``)."""
XLSX_MAX_UNCOMPRESSED = 64 * 1024 * 1024
"""An XLSX is a zip: past this many bytes once unpacked it is refused before a row is read (a "zip bomb")."""
MAX_SCANNED_ROWS = 2 * MAX_ROWS
"""Physical rows read, blank ones included, before the file is called too long."""
MAX_COLUMNS = 200
"""Cells to the right of this column are not read (a customer file has a dozen)."""
csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
"""Python's csv stops at 128 KiB per field with an exception; a long field is a row error here instead."""

ENCODINGS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "utf-16": "UTF-16", "cp1258": "Windows-1258"}


@dataclass
class Table:
    """The rows of a file, read lazily, and how its text was decoded (CSV only)."""

    rows: Iterator[list[object]]
    encoding: str | None = None


def read_table(path: str | Path) -> Table:
    """The rows of the file's first sheet (XLSX) or of the CSV (UTF-8, UTF-16 or Windows-1258; , ; or tab)."""
    path = Path(path)
    ext = path.suffix.lower().lstrip(".")
    if ext not in EXTENSIONS:
        raise ValidationError({"file": [_l("Only CSV and XLSX files can be imported.")]})
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValidationError({"file": [_l("The file is too large.")]})
    if ext == "xlsx":
        return Table(_read_xlsx(path))
    text, encoding = decode(path.read_bytes())
    return Table(_read_csv(text), ENCODINGS[encoding])


def decode(data: bytes) -> tuple[str, str]:
    """(text, codec): a byte-order mark decides; else UTF-16 by its zero bytes, UTF-8, or Windows-1258.

    Windows-1258 writes Vietnamese tones as combining marks: the text is returned composed (NFC).
    """
    if data.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16"
    elif _looks_utf16(data[:4096]):
        codec = "utf-16"
        data = (codecs.BOM_UTF16_LE if data[1:2] == b"\x00" else codecs.BOM_UTF16_BE) + data
    else:
        codec = "utf-8"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        if codec != "utf-8":
            raise ValidationError(
                {"file": [_l("The file could not be read as %(codec)s.", codec=ENCODINGS[codec])]}
            ) from None
        codec, text = "cp1258", data.decode("cp1258", errors="replace")
    return unicodedata.normalize("NFC", text), codec


def _looks_utf16(head: bytes) -> bool:
    """Text in UTF-16 without a byte-order mark: every other byte of Latin text is zero."""
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return max(even.count(0), odd.count(0)) > len(head) // 4 and min(even.count(0), odd.count(0)) == 0


def _read_csv(text: str) -> Iterator[list[object]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for row in csv.reader(io.StringIO(text, newline=""), dialect):
        yield list(row)


def _read_xlsx(path: Path) -> Iterator[list[object]]:
    from zipfile import BadZipFile, ZipFile

    try:
        with ZipFile(path) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (BadZipFile, OSError):
        raise ValidationError({"file": [_l("The file is not a valid XLSX workbook.")]}) from None
    if unpacked > XLSX_MAX_UNCOMPRESSED:
        message = _l(
            "The workbook unpacks to more than %(n)d MB; split it into smaller files.",
            n=XLSX_MAX_UNCOMPRESSED // (1024 * 1024),
        )
        raise ValidationError({"file": [message]})
    try:
        return _sheet_rows(path)
    except (BadZipFile, KeyError, OSError, ValueError, StopIteration):
        raise ValidationError({"file": [_l("The file is not a valid XLSX workbook.")]}) from None


def _sheet_rows(path: Path) -> Iterator[list[object]]:
    """The first sheet's rows, parsed one at a time.

    openpyxl's ``load_workbook(read_only=True)`` reads every sheet whole first when it has no
    ``<dimension>`` (looking for one): 40 s for a 144 KB file of a million rows. Its own parts
    (workbook, shared strings, date styles, the row parser) are used here without that step.
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    reader = ExcelReader(str(path), read_only=True, data_only=True)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    _sheet, rel = next(iter(reader.parser.find_sheets()))
    if _more_rows_than(reader.archive, rel.target, MAX_SCANNED_ROWS):
        reader.archive.close()
        raise ValidationError(
            {"file": [_l("The file has more than %(n)d rows; split it into smaller files.", n=MAX_ROWS)]}
        )
    source = reader.archive.open(rel.target)
    workbook = reader.wb
    parser = WorkSheetParser(
        source,
        reader.shared_strings,
        data_only=True,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats,
    )
    return _parsed_rows(parser, source, reader.archive)


def _more_rows_than(archive, member: str, limit: int) -> bool:
    """Count the sheet's ``<row`` tags in its unpacked bytes (no XML parsing), stopping past ``limit``."""
    prefixed = re.compile(rb"<\w{1,16}:row[\s>/]")
    count, carry = 0, b""
    with archive.open(member) as raw:
        while True:
            chunk = raw.read(1 << 20)
            data = carry + chunk
            keep = 32 if chunk else 0  # a tag cut by the chunk's end is counted with the next chunk
            edge = len(data) - keep
            counted = data[:edge]
            count += counted.count(b"<row>") + counted.count(b"<row ") + counted.count(b"<row/")
            if b":row" in counted:
                count += len(prefixed.findall(counted))
            if count > limit or not chunk:
                return count > limit
            carry = data[edge:]


def _parsed_rows(parser, source, archive) -> Iterator[list[object]]:
    """(values of each row, blank rows where the sheet skips some), at most ``MAX_COLUMNS`` wide."""
    try:
        expected = 1
        for index, cells in parser.parse():
            if index > MAX_SCANNED_ROWS + 1:
                yield [None]  # the caller stops at its limit: a row far down counts as that many
                return
            for _ in range(expected, index):
                yield []
            expected = index + 1
            row: list[object] = []
            for cell in cells:
                column = cell["column"]
                if column > MAX_COLUMNS:
                    continue
                row.extend([None] * (column - 1 - len(row)))
                row.append(cell["value"])
            yield row
    finally:
        source.close()
        archive.close()
