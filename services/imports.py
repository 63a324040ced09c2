"""Importing customers and products from CSV or XLSX: parse, check every row, then commit.

``preview`` reads a file and checks each row with the same rules as the forms
(``services.customers.prepare`` for customers; sku/name/price/stock/warranty for
products) and writes nothing. ``run`` does the same and then, in one transaction,
adds either every good row (mode ``good_rows``) or nothing when any row is bad
(mode ``all_or_nothing``), and audits the attempt with its counts. Line numbers
are the spreadsheet's: the header is line 1, the first data row line 2.
"""

import re
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
from services import import_files as files
from services.errors import NotAllowed, ValidationError
from services.import_files import EXTENSIONS, MAX_ROWS, read_table  # noqa: F401 - this module's interface too
from services.input_rules import CONTROL_MESSAGE, MAX_TEXT_CHARS, has_control
from services.products import search_text_for as product_search_text
from services.text import fold, nfc

KINDS = ("customer", "product")
MODES = ("all_or_nothing", "good_rows")
MAX_CELL_CHARS = MAX_TEXT_CHARS

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
        if line > files.MAX_SCANNED_ROWS:
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
        if len(rows) > files.MAX_ROWS or offset > files.MAX_SCANNED_ROWS:
            report.file_errors.append(
                _l("The file has more than %(n)d rows; split it into smaller files.", n=files.MAX_ROWS)
            )
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
