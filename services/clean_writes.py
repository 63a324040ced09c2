"""The last check before any ORM write, in every session (CSKH's and the panel sources'):
text becomes NFC, and a value no database would take the same way is a field error.

Forms, imports and services check their input first and say so on the field; this catches
what they do not (a quick form, a job, a panel edit), so a NUL byte or a 30-digit number never
reaches a driver and composed/decomposed text never differs by database.
"""

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from services.errors import ValidationError
from services.input_rules import check_column_value, text_too_long_for
from services.text import fold, nfc

SKIPPED = {"password_hash", "session_token"}
FOLDED = {"complaints": ("subject", "subject_folded", 200)}
"""Table -> (text column, its folded copy that accent-free search matches, the copy's length)."""
_columns_of: dict = {}


def _columns(mapper) -> list[tuple[str, object]]:
    """(attribute key, column) of each plain column attribute of ``mapper``, computed once."""
    found = _columns_of.get(mapper)
    if found is None:
        found = []
        for prop in mapper.column_attrs:
            if prop.key in SKIPPED or len(prop.columns) != 1 or not hasattr(prop.columns[0], "type"):
                continue
            found.append((prop.key, prop.columns[0]))
        _columns_of[mapper] = found
    return found


def clean_object(obj, dialect_name: str, new: bool) -> dict[str, list]:
    """NFC every changed text of ``obj`` in place; return its fields' problems."""
    state = inspect(obj)
    errors: dict[str, list] = {}
    for key, column in _columns(state.mapper):
        if not new and not state.attrs[key].history.has_changes():
            continue
        value = state.dict.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            normal = nfc(value)
            if normal is not value and normal != value:
                setattr(obj, key, normal)
                value = normal
            if text_too_long_for(dialect_name, column, value):
                errors.setdefault(key, []).append(_too_long())
                continue
        problems = check_column_value(column, value, key)
        if problems:
            errors.setdefault(key, []).extend(problems)
    _refold(obj, state, new)
    return errors


def _refold(obj, state, new: bool) -> None:
    """Keep the folded copy of a changed text column (FOLDED) in step with it."""
    folded = FOLDED.get(getattr(state.mapper.local_table, "name", None))
    if folded is None:
        return
    source, target, length = folded
    if new or state.attrs[source].history.has_changes():
        setattr(obj, target, fold(getattr(obj, source))[:length] or None)


def _too_long():
    from flask_babel import lazy_gettext as _l

    from services.input_rules import MAX_TEXT_CHARS

    return _l("At most %(n)d characters.", n=MAX_TEXT_CHARS)


def _before_flush(session, _flush_context, _instances) -> None:
    try:
        dialect_name = session.get_bind().dialect.name
    except Exception:  # noqa: BLE001 - an unbound session: no dialect-specific limit applies
        dialect_name = ""
    errors: dict[str, list] = {}
    for obj in list(session.new):
        for key, messages in clean_object(obj, dialect_name, new=True).items():
            errors.setdefault(key, []).extend(messages)
    for obj in list(session.dirty):
        if session.is_modified(obj, include_collections=False):
            for key, messages in clean_object(obj, dialect_name, new=False).items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def install() -> None:
    """Listen on every Session (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
