"""Writing the append-only audit log. Every recorded event goes through ``record``."""

import json
from datetime import date, datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import inspect

from models import AuditLog, db
from services.input_rules import CONTROL


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return "<bytes>"
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _printable(text: str | None) -> str | None:
    """The log keeps what was attempted, hostile input included, with control characters made visible (U+FFFD)."""
    return CONTROL.sub("\ufffd", text) if isinstance(text, str) else text


def client_ip() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def record(
    action: str,
    obj=None,
    *,
    changes=None,
    detail: str | None = None,
    user=None,
    actor: str | None = None,
    object_type: str | None = None,
    object_id=None,
    team_id: int | None = None,
    session=None,
) -> AuditLog:
    """Add one audit row to the session (committed with the change it describes)."""
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user._get_current_object()
    if obj is not None:
        object_type = object_type or type(obj).__name__
        pk = getattr(obj, "id", None)
        object_id = object_id if object_id is not None else pk
        team_id = team_id if team_id is not None else getattr(obj, "team_id", None)
    if team_id is None and user is not None:
        team_id = getattr(user, "team_id", None)
    if (
        isinstance(changes, dict)
        and changes
        and all(isinstance(v, tuple | list) and len(v) == 2 for v in changes.values())
    ):
        changes = {k: [_jsonable(a), _jsonable(b)] for k, (a, b) in changes.items()}
    if changes:
        changes = json.dumps(changes, ensure_ascii=False, default=_jsonable)
    row = AuditLog(
        user_id=getattr(user, "id", None),
        actor=(_printable(actor or getattr(user, "email", None)) or "")[:254] or None,
        team_id=team_id,
        ip=client_ip(),
        action=action,
        object_type=object_type,
        object_id=_printable(str(object_id))[:60] if object_id is not None else None,
        changes=_printable(changes) or None,
        detail=_printable(detail),
    )
    (session or db.session).add(row)
    return row


def diff(obj, before: dict) -> dict:
    """{field: (before, after)} for the columns of ``obj`` that changed since ``before``."""
    changes = {}
    for column in obj.__table__.columns:
        if column.key in ("updated_at", "row_version", "password_hash", "session_token", "search_text"):
            continue
        old, new = before.get(column.key), getattr(obj, column.key, None)
        if old != new:
            changes[column.key] = (old, new)
    return changes


def snapshot(obj) -> dict:
    return {c.key: getattr(obj, c.key, None) for c in obj.__table__.columns}


def keep_before(obj) -> None:
    """Snapshot ``obj`` before an edit is applied, kept on the object's own state (not a request global)."""
    inspect(obj).info["audit_before"] = snapshot(obj)


def taken_before(obj) -> dict:
    """The snapshot ``keep_before`` took ({} when none), handed over once."""
    return inspect(obj).info.pop("audit_before", {})
