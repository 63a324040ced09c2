"""A database's refusal on a panel table, said in words: which rule, which column, never SQL.

PostgreSQL names the constraint and column in the error's diagnostics, MariaDB in its message,
SQLite in its message (and not at all for foreign keys). The message names the column by its
label in the configuration and the table by its page title.
"""

import re

from flask_babel import gettext as _

_PG = {"23503": "foreign_key", "23505": "unique", "23502": "not_null", "23514": "check", "22001": "too_long"}
_PG_CLASSES = {"22": "bad_value"}
_MYSQL = {
    1451: "referenced",
    1452: "foreign_key",
    1062: "unique",
    1048: "not_null",
    1364: "not_null",
    1406: "too_long",
    3819: "check",
    4025: "check",
    1264: "bad_value",
    1366: "bad_value",
    1292: "bad_value",
}
_SQLITE = (
    ("FOREIGN KEY constraint failed", "foreign_key"),
    ("UNIQUE constraint failed", "unique"),
    ("NOT NULL constraint failed", "not_null"),
    ("CHECK constraint failed", "check"),
)


def classify(exc) -> tuple[str, str | None, str | None]:
    """(kind, constraint name or None, column name or None) of a DBAPI error."""
    orig = getattr(exc, "orig", exc)
    state = getattr(orig, "sqlstate", None)
    if state and hasattr(orig, "diag"):  # psycopg; PyMySQL sets a generic sqlstate too
        diag = getattr(orig, "diag", None)
        kind = _PG.get(state) or _PG_CLASSES.get(state[:2], "other")
        constraint = getattr(diag, "constraint_name", None)
        column = getattr(diag, "column_name", None)
        if column is None and kind in ("unique", "foreign_key"):
            match = re.search(r"Key \(([^)]+)\)", getattr(diag, "message_detail", None) or "")
            column = match.group(1).replace('"', "") if match else None
        return kind, constraint, column
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int):
        text = str(args[1]) if len(args) > 1 else ""
        kind = _MYSQL.get(args[0], "other")
        constraint = _first(r"CONSTRAINT `([^`]+)`", text)
        column = _first(r"FOREIGN KEY \(([^)]+)\)", text) or _first(r"[Cc]olumn '([^']+)'", text)
        if kind == "unique":
            column = _first(r"for key '(?:[^.']+\.)?([^']+)'", text)
        return kind, constraint, column
    text = str(orig)
    for prefix, kind in _SQLITE:
        if text.startswith(prefix):
            detail = text[len(prefix) :].strip(": ")
            columns = [part.split(".")[-1] for part in detail.split(", ") if part]
            return kind, None if kind != "check" else detail, ", ".join(columns) or None
    return "other", None, None


def _first(pattern: str, text: str) -> str | None:
    match = re.search(pattern, text)
    return match.group(1) if match else None


def message(exc, table, action: str, referenced_by: list[str] | None = None) -> str:
    """What the user reads when the database refused ``action`` ("create", "edit", "delete") on ``table``."""
    kind, constraint, column = classify(exc)
    label = _column_words(table, column)
    if action == "delete" and kind in ("foreign_key", "referenced"):
        if referenced_by:
            return _("This row cannot be deleted: rows of %(tables)s refer to it.", tables=", ".join(referenced_by))
        return _("This row cannot be deleted: rows of other tables refer to it.")
    if kind in ("foreign_key", "referenced"):
        label = label or _relation_words(table, constraint)
        if label:
            return _("%(column)s does not match any existing row of the related table.", column=label)
        return _("A value does not match any existing row of the related table.")
    if kind == "unique":
        if label:
            return _("A row with this %(column)s already exists.", column=label)
        return _("A row with the same key already exists.")
    if kind == "not_null":
        return _("%(column)s must be filled in.", column=label) if label else _("A required value is missing.")
    if kind == "too_long":
        return _("A value is too long for its column%(column)s.", column=f" ({label})" if label else "")
    if kind == "check":
        name = constraint or column or ""
        return _("A value breaks the database's rule %(rule)s.", rule=f"“{name}”" if name else "")
    if kind == "bad_value":
        if label:
            return _("%(column)s holds a value the database does not accept.", column=label)
        return _("A value is not accepted by the database.")
    if action == "create":
        return _("The database refused to create the row; nothing was saved.")
    if action == "delete":
        return _("The database refused to delete the row; nothing was deleted.")
    return _("The database refused the change; nothing was saved.")


def _column_words(table, column: str | None) -> str | None:
    if not column:
        return None
    names = [c.strip().strip('"`') for c in column.split(",")]
    known = [n for n in names if n in table.table.c]
    if not known:
        return None
    return ", ".join(f"“{table.column_label(n)}”" for n in known)


def _relation_words(table, constraint: str | None) -> str | None:
    """The columns of the foreign key the database named, or of the table's only one (SQLite names none)."""
    relations = getattr(table, "relations", [])
    named = [r for r in relations if constraint and r.name == constraint]
    found = named or (relations if len(relations) == 1 else [])
    return _column_words(table, ", ".join(found[0].columns)) if found else None
