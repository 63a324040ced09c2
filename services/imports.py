"""Importing customers and products from CSV or XLSX: parse, check every row, then commit.

``preview`` reads a file and checks each row with the same rules as the forms
(``services.customers.prepare`` for customers; sku/name/price/stock/warranty for
products) and writes nothing. ``run`` does the same and then, in one transaction,
adds either every good row (mode ``good_rows``) or nothing when any row is bad
(mode ``all_or_nothing``), and audits the attempt with its counts. Line numbers
are the spreadsheet's: the header is line 1, the first data row line 2.
"""

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import Customer, Product, User, db
from models.choices import CUSTOMER_TYPES, POTENTIAL_LEVELS
from services import access, audit, validation
from services import customers as customer_rules
from services.errors import NotAllowed, ValidationError
from services.input_rules import CONTROL_MESSAGE, MAX_TEXT_CHARS, has_control
from services.products import search_text_for as product_search_text
from services.text import fold, nfc

KINDS = ("customer", "product")
MODES = ("all_or_nothing", "good_rows")
EXTENSIONS = ("csv", "xlsx")
MAX_ROWS = 50_000

# field -> accepted column titles (compared unaccented and lower case)
HEADERS = {
    "customer": {
        "name": ("Họ tên", "Họ và tên", "Tên", "Tên khách hàng", "Khách hàng", "name", "full name", "customer"),
        "phone": ("Số điện thoại", "Điện thoại", "SĐT", "SDT", "Di động", "phone", "phone number", "mobile"),
        "alt_phone": ("Số điện thoại khác", "Điện thoại khác", "SĐT khác", "alt_phone", "other phone"),
        "email": ("Email", "E-mail", "Thư điện tử", "mail"),
        "birthday": ("Ngày sinh", "Sinh nhật", "birthday", "date of birth", "birth date", "dob"),
        "address": ("Địa chỉ", "address"),
        "province": ("Tỉnh/Thành", "Tỉnh/Thành phố", "Tỉnh thành", "Tỉnh", "Thành phố", "province", "city"),
        "kind": ("Loại", "Loại khách hàng", "Phân loại", "kind", "type"),
        "potential": ("Tiềm năng", "Mức tiềm năng", "potential"),
        "is_vip": ("VIP", "is_vip"),
        "notes": ("Ghi chú", "notes", "note"),
    },
    "product": {
        "sku": ("Mã", "Mã sản phẩm", "Mã SP", "Mã hàng", "sku", "code"),
        "name": ("Tên", "Tên sản phẩm", "Tên hàng", "Sản phẩm", "name", "product"),
        "description": ("Mô tả", "description"),
        "price": ("Giá", "Đơn giá", "Giá bán", "price", "unit price"),
        "stock": ("Tồn kho", "Số lượng", "Tồn", "stock", "quantity", "qty"),
        "warranty_months": ("Bảo hành", "Bảo hành (tháng)", "Số tháng bảo hành", "warranty", "warranty months"),
    },
}
REQUIRED = {"customer": ("name", "phone"), "product": ("sku", "name", "price")}

FIELD_LABELS = {
    "name": _l("Name"),
    "phone": _l("Phone"),
    "alt_phone": _l("Other phone"),
    "email": _l("Email"),
    "birthday": _l("Birthday"),
    "address": _l("Address"),
    "province": _l("Province"),
    "kind": _l("Type"),
    "potential": _l("Potential"),
    "is_vip": _l("VIP"),
    "notes": _l("Notes"),
    "sku": _l("SKU"),
    "description": _l("Description"),
    "price": _l("Price"),
    "stock": _l("Stock"),
    "warranty_months": _l("Warranty (months)"),
    "contact_to": _l("Contact until"),
    "file": _l("File"),
}

_CHOICE_WORDS = {
    "kind": {
        **{code: code for code in CUSTOMER_TYPES},
        "khach hang": "customer",
        "khach": "customer",
        "nha cung cap": "supplier",
        "ncc": "supplier",
        "doi tac": "partner",
    },
    "potential": {
        **{code: code for code in POTENTIAL_LEVELS},
        "thap": "low",
        "trung binh": "medium",
        "vua": "medium",
        "cao": "high",
    },
}
_TRUE = {"x", "co", "yes", "y", "1", "true", "vip", "dung"}
_FALSE = {"", "khong", "no", "n", "0", "false", "sai"}


@dataclass
class RowOutcome:
    """One data row: its line, the cleaned values, and every problem found (field, message)."""

    line: int
    values: dict[str, object]
    errors: list[tuple[str, object]] = field(default_factory=list)
    obj: object | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    kind: str
    rows: list[RowOutcome] = field(default_factory=list)
    file_errors: list[object] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    mode: str | None = None
    encoding: str | None = None
    """How a CSV's text was read ("UTF-8", "UTF-16", "Windows-1258"…), said on the preview."""
    created: int = 0
    committed: bool = False

    @property
    def good(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.ok]

    @property
    def bad(self) -> list[RowOutcome]:
        return [r for r in self.rows if not r.ok]

    @property
    def counts(self) -> dict[str, int]:
        return {"rows": len(self.rows), "good": len(self.good), "bad": len(self.bad), "created": self.created}


# ---- reading a file -----------------------------------------------------
MAX_FILE_BYTES = 64 * 1024 * 1024
"""A file bigger than this is not read at all (the web form already stops at ``MAX_UPLOAD_MB``)."""
XLSX_MAX_UNCOMPRESSED = 64 * 1024 * 1024
"""An XLSX is a zip: past this many bytes once unpacked it is refused before a row is read (a "zip bomb")."""
MAX_SCANNED_ROWS = 2 * MAX_ROWS
"""Physical rows read, blank ones included, before the file is called too long."""
MAX_CELL_CHARS = MAX_TEXT_CHARS
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


def _cell_text(value) -> str:
    """A cell as the text a person typed: 912345678.0 -> "912345678", a date -> dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value).strip())


def map_headers(header: list[object], kind: str) -> tuple[dict[int, str], list[str], list[str]]:
    """(column index -> field, titles not recognised, required fields missing)."""
    known = {fold(title): name for name, titles in HEADERS[kind].items() for title in (name, *titles)}
    mapping: dict[int, str] = {}
    ignored = []
    for index, title in enumerate(header):
        text = _cell_text(title)
        name = known.get(fold(text)) or known.get(fold(re.sub(r"[*:]+$", "", text)))
        if name and name not in mapping.values():
            mapping[index] = name
        elif text:
            ignored.append(text)
    missing = [name for name in REQUIRED[kind] if name not in mapping.values()]
    return mapping, ignored, missing


def parse(path: str | Path, kind: str) -> tuple[ImportReport, list[tuple[int, dict[str, object], list]]]:
    """The report shell (file errors, columns, encoding) and each non-blank data row as
    (line, {field: raw}, problems): rows are read one at a time and reading stops at the row limit."""
    if kind not in KINDS:
        raise ValueError(kind)
    report = ImportReport(kind=kind)
    table = read_table(path)
    report.encoding = table.encoding
    line, header = 0, None
    for line, row in enumerate(table.rows, start=1):
        if any(_cell_text(c) for c in row):
            header = row
            break
        if line > MAX_SCANNED_ROWS:
            break
    if header is None:
        report.file_errors.append(_l("The file is empty."))
        return report, []
    mapping, report.ignored_columns, missing = map_headers(header, kind)
    report.columns = [mapping[i] for i in sorted(mapping)]
    if missing:
        names = ", ".join(str(FIELD_LABELS.get(m, m)) for m in missing)
        report.file_errors.append(_l("Line %(line)d: missing column(s): %(names)s.", line=line, names=names))
        return report, []
    rows = []
    for offset, row in enumerate(table.rows, start=line + 1):
        raw = {name: row[i] if i < len(row) else None for i, name in mapping.items()}
        if any(_cell_text(v) for v in raw.values()):
            rows.append((offset, *_checked_cells(raw)))
        if len(rows) > MAX_ROWS or offset > MAX_SCANNED_ROWS:
            report.file_errors.append(_l("The file has more than %(n)d rows; split it into smaller files.", n=MAX_ROWS))
            return report, []
    return report, rows


def _checked_cells(raw: dict) -> tuple[dict, list]:
    """A row's cells, an over-long or control-character cell blanked, and its problems (field, message)."""
    problems = []
    for name, value in raw.items():
        if not isinstance(value, str):
            continue
        if len(value) > MAX_CELL_CHARS:
            problems.append((name, _l("Longer than %(n)d characters.", n=MAX_CELL_CHARS)))
            raw[name] = ""
        elif has_control(value):
            problems.append((name, CONTROL_MESSAGE))
            raw[name] = ""
    return raw, problems


# ---- checking rows ------------------------------------------------------
def _errors_of(exc: ValidationError) -> list[tuple[str, object]]:
    return [(name, message) for name, messages in exc.errors.items() for message in messages]


def _choice(raw, name: str, default: str, errors: list) -> str:
    text = fold(_cell_text(raw))
    if not text:
        return default
    value = _CHOICE_WORDS[name].get(text)
    if value is None:
        errors.append((name, _l("Unknown value “%(value)s”.", value=_cell_text(raw))))
        return default
    return value


def _flag(raw, name: str, errors: list) -> bool:
    text = fold(_cell_text(raw))
    if text in _TRUE:
        return True
    if text not in _FALSE:
        errors.append((name, _l("Write yes or no (có / không).")))
    return False


def _whole_number(raw, name: str, errors: list, default: int, maximum: int) -> int:
    text = _cell_text(raw)
    if not text:
        return default
    if not re.fullmatch(r"\d+", text):
        errors.append((name, _l("Must be a whole number from 0 to %(n)d.", n=maximum)))
        return default
    value = int(text)
    if value > maximum:
        errors.append((name, _l("Must be a whole number from 0 to %(n)d.", n=maximum)))
    return value


def check_customer(line: int, raw: dict, seen: dict[str, int], owner_id, team_id, session) -> RowOutcome:
    errors: list[tuple[str, object]] = []
    text = {k: _cell_text(v) for k, v in raw.items()}
    birthday = None
    try:
        birthday = validation.parse_birthday(raw.get("birthday") if raw.get("birthday") not in ("", None) else None)
    except ValidationError as exc:
        errors.extend(_errors_of(exc))
    customer = Customer(
        name=text.get("name") or None,
        phone=text.get("phone") or None,
        alt_phone=text.get("alt_phone") or None,
        email=text.get("email") or None,
        address=text.get("address") or None,
        province=text.get("province") or None,
        notes=text.get("notes") or None,
        birthday=birthday,
        kind=_choice(raw.get("kind"), "kind", "customer", errors),
        potential=_choice(raw.get("potential"), "potential", "medium", errors),
        is_vip=_flag(raw.get("is_vip"), "is_vip", errors),
        owner_id=owner_id,
        team_id=team_id,
        consent_contact=True,
    )
    if customer.address and len(customer.address) > 255:
        errors.append(("address", _l("At most %(n)d characters.", n=255)))
    if customer.province and len(customer.province) > 60:
        errors.append(("province", _l("At most %(n)d characters.", n=60)))
    with session.no_autoflush:
        try:
            customer_rules.prepare(customer, session)
        except ValidationError as exc:
            errors.extend(_errors_of(exc))
    phone = customer.phone
    if not any(name == "phone" for name, _m in errors):
        try:
            phone = validation.normalize_phone(customer.phone)
        except ValidationError:
            phone = None
        if phone and phone in seen:
            errors.append(("phone", _l("The same phone number is already on line %(line)d.", line=seen[phone])))
        elif phone:
            seen[phone] = line
    values = {
        "name": customer.name,
        "phone": validation.format_phone(phone) if phone else text.get("phone", ""),
        "email": customer.email if not errors else text.get("email", ""),
        "birthday": birthday.strftime("%d/%m/%Y") if birthday else text.get("birthday", ""),
        "address": customer.address or "",
        "province": customer.province or "",
        "kind": CUSTOMER_TYPES.get(customer.kind, customer.kind),
        "is_vip": customer.is_vip,
    }
    return RowOutcome(line, values, errors, None if errors else customer)


def check_product(line: int, raw: dict, seen: dict[str, int], session) -> RowOutcome:
    errors: list[tuple[str, object]] = []
    text = {k: _cell_text(v) for k, v in raw.items()}

    def run(fn):
        try:
            return fn()
        except ValidationError as exc:
            errors.extend(_errors_of(exc))
            return None

    sku = run(lambda: validation.require_text(text.get("sku"), "sku", 40))
    name = run(lambda: validation.require_text(text.get("name"), "name", 200))
    price = run(lambda: validation.parse_amount(raw.get("price") if raw.get("price") != "" else None, "price"))
    stock = _whole_number(raw.get("stock"), "stock", errors, 0, 10_000_000)
    warranty = _whole_number(raw.get("warranty_months"), "warranty_months", errors, 12, 120)
    if sku:
        key = sku.upper()
        with session.no_autoflush:
            exists = session.scalar(select(Product.id).where(Product.sku == sku))
        if exists:
            errors.append(("sku", _l("A product with this SKU already exists.")))
        elif key in seen:
            errors.append(("sku", _l("The same SKU is already on line %(line)d.", line=seen[key])))
        else:
            seen[key] = line
    values = {"sku": sku or text.get("sku", ""), "name": name or "", "price": price, "stock": stock}
    values["warranty_months"] = warranty
    product = None
    if not errors:
        product = Product(
            sku=sku,
            name=name,
            description=text.get("description") or None,
            price=price,
            stock=stock,
            warranty_months=warranty,
            active=True,
            search_text=product_search_text(sku, name),
        )
    return RowOutcome(line, values, errors, product)


def resolve_owner(user, owner_id) -> tuple[int | None, int | None]:
    """(owner_id, team_id) for imported customers: the chosen owner, else the importer's team."""
    scope = access.scope_name(user, "customer", "import")
    if scope is None:
        raise NotAllowed()
    if owner_id in (None, ""):
        return None, getattr(user, "team_id", None)
    text = str(owner_id).strip()
    owner = db.session.get(User, int(text)) if text.isdigit() and len(text) <= 18 else None
    if owner is None or not owner.active:
        raise ValidationError({"owner": [_l("Choose an active staff member.")]})
    if scope != "all" and owner.team_id != user.team_id:
        raise NotAllowed()
    return owner.id, owner.team_id


def preview(path: str | Path, kind: str, user, owner_id=None) -> ImportReport:
    """Parse and check every row; writes nothing."""
    if not access.allowed(user, kind, "import"):
        raise NotAllowed()
    report, rows = parse(path, kind)
    session = db.session
    seen: dict[str, int] = {}
    if kind == "customer":
        owner, team = resolve_owner(user, owner_id)
        report.rows = [
            _with(problems, check_customer(line, raw, seen, owner, team, session)) for line, raw, problems in rows
        ]
    else:
        report.rows = [_with(problems, check_product(line, raw, seen, session)) for line, raw, problems in rows]
    return report


def _with(problems: list, outcome: RowOutcome) -> RowOutcome:
    """The row's reading problems first; a field already blamed for them is not blamed again."""
    if problems:
        blamed = {name for name, _m in problems}
        outcome.errors = problems + [(n, m) for n, m in outcome.errors if n not in blamed]
        outcome.obj = None
    return outcome


def run(path: str | Path, kind: str, mode: str, user, owner_id=None, source_name: str = "") -> ImportReport:
    """Check every row, then commit the good ones (``good_rows``) or none if any is bad (``all_or_nothing``)."""
    if mode not in MODES:
        raise ValidationError({"mode": [_l("Choose one of the listed values.")]})
    report = preview(path, kind, user, owner_id)
    report.mode = mode
    session = db.session
    commit_rows = not report.file_errors and not (mode == "all_or_nothing" and report.bad)
    if commit_rows:
        for outcome in report.good:
            session.add(outcome.obj)
        report.created = len(report.good)
    audit.record(
        "import",
        object_type="Customer" if kind == "customer" else "Product",
        user=user,
        changes={**report.counts, "mode": mode, "file": source_name[:120]},
        detail=f"{kind} {mode}: {report.created} created, {len(report.bad)} bad of {len(report.rows)}",
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ValidationError(
            {"file": [_l("Another user added the same data meanwhile; nothing was imported. Please try again.")]}
        ) from None
    report.committed = commit_rows
    return report
