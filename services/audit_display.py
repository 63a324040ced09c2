"""The audit log for people: action and object names, the object's label, field labels, values
written as a person reads them (names instead of ids, money in VND, dates dd/mm/yyyy local).

The log itself stays raw and append-only (``services.audit``); this module only reads it.
Labels are looked up in one query per kind of object on a page, and only for rows the
reader may see (``services.access``): a row out of scope shows as its number.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, select

from models import Base, db
from models.base import Money, UTCDateTime
from services import access
from services.formatting import format_date, format_datetime, format_vnd

ACTIONS = {
    "create": _l("Record created"),
    "update": _l("Record changed"),
    "delete": _l("Record deleted"),
    "export": _l("Exported"),
    "import": _l("Imported"),
    "login": _l("Logged in"),
    "logout": _l("Logged out"),
    "login_failed": _l("Failed login"),
    "login_throttled": _l("Login blocked (too many attempts)"),
    "submit": _l("Submitted for approval"),
    "approve": _l("Approved"),
    "reject": _l("Rejected"),
    "publish": _l("Published"),
    "retire": _l("Retired"),
    "transition": _l("Status changed"),
    "assign": _l("Assigned"),
    "escalate": _l("Escalated"),
    "outcome": _l("Outcome recorded"),
    "run_now": _l("Run now"),
    "pause": _l("Paused"),
    "resume": _l("Resumed"),
    "handover": _l("Handed over"),
    "handover_undo": _l("Hand-over undone"),
    "reload": _l("Reloaded"),
}
OBJECTS = {
    "Customer": _l("Customer"),
    "Interaction": _l("Interaction"),
    "EmotionEntry": _l("Emotion note"),
    "Complaint": _l("Complaint"),
    "Order": _l("Order"),
    "OrderLine": _l("Order line"),
    "Product": _l("Product"),
    "Policy": _l("Policy"),
    "Appointment": _l("Appointment"),
    "Budget": _l("Budget"),
    "BudgetLine": _l("Budget line"),
    "Gift": _l("Gift"),
    "Campaign": _l("Campaign"),
    "SurveyAnswer": _l("Survey answer"),
    "CannedReply": _l("Canned reply"),
    "SlaRule": _l("SLA rule"),
    "User": _l("Staff"),
    "Team": _l("Team"),
    "JobRun": _l("Job run"),
    "JobSetting": _l("Scheduled job"),
    "OutboxMessage": _l("Outgoing message"),
    "MessageTemplate": _l("Message template"),
    "KpiReport": _l("KPI report"),
    "PanelSources": _l("Data sources"),
}
NAME_ONLY = {"User": "name", "Team": "name"}
"""Kinds whose label (the name) anyone who sees a reference to them may read (access.LABEL_COLUMNS)."""


def action_label(action: str | None):
    return ACTIONS.get(action or "", action or "")


def object_label(object_type: str | None):
    if object_type and object_type.startswith("panel:"):
        return _l("Data source %(name)s", name=object_type.split(":", 1)[1])
    return OBJECTS.get(object_type or "", object_type or "")


def model_named(name: str | None):
    for mapper in Base.registry.mappers:
        if mapper.class_.__name__ == name:
            return mapper.class_
    return None


def as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class Labels:
    """{(model name, id): label} for one page, filled by ``want`` then ``load`` (a query per model)."""

    def __init__(self, user, session=None):
        self.user, self.session = user, session or db.session
        self.wanted: dict[str, set[int]] = {}
        self.asked: set[tuple[str, int]] = set()
        self.found: dict[tuple[str, int], str] = {}

    def want(self, model_name: str | None, value) -> None:
        key = as_int(value)
        if model_name and key is not None and (model_name, key) not in self.asked and model_named(model_name):
            self.wanted.setdefault(model_name, set()).add(key)

    def load(self) -> "Labels":
        for name, ids in self.wanted.items():
            model = model_named(name)
            pk = model.__mapper__.primary_key[0]
            missing = [i for i in ids if (name, i) not in self.asked]
            self.asked.update((name, i) for i in missing)
            if not missing:
                continue
            if name in NAME_ONLY:
                column = getattr(model, NAME_ONLY[name])
                for key, label in self.session.execute(select(pk, column).where(pk.in_(missing))):
                    self.found[(name, key)] = label
                continue
            query = select(model).where(pk.in_(missing), access.model_scope_clause(self.user, model, "view"))
            for row in self.session.scalars(query):
                self.found[(name, getattr(row, pk.key))] = str(row)
        self.wanted = {}
        return self

    def get(self, model_name: str | None, value) -> str | None:
        return self.found.get((model_name or "", as_int(value)))


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


def parse_changes(raw: str | None):
    """The stored JSON: {field: [before, after]} for updates, or some other detail (a dict of counts…)."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return raw


def _pairs(parsed) -> dict:
    if not isinstance(parsed, dict):
        return {}
    return {k: v for k, v in parsed.items() if isinstance(v, list) and len(v) == 2}


def _target_model(model, field: str):
    column = model.__table__.columns.get(field) if model is not None else None
    if column is None:
        return None
    for fk in column.foreign_keys:
        for mapper in Base.registry.mappers:
            if mapper.local_table is fk.column.table:
                return mapper.class_
    return None


def want_values(labels: Labels, object_type: str | None, raw: str | None) -> None:
    """Ask ``labels`` for the names behind the ids in a row's changes (assignee, team, owner…)."""
    model = model_named(object_type)
    for field, pair in _pairs(parse_changes(raw)).items():
        target = _target_model(model, field)
        if target is not None:
            for value in pair:
                labels.want(target.__name__, value)


def format_value(model, field: str, value, labels: Labels, choices: dict | None = None) -> str:
    """One before/after value as a person reads it."""
    if value is None or value == "":
        return "—"
    if choices and value in choices:
        return str(choices[value])
    column = model.__table__.columns.get(field) if model is not None else None
    if column is not None:
        target = _target_model(model, field)
        if target is not None:
            return labels.get(target.__name__, value) or f"#{value}"
        if column.type is Money and as_int(value) is not None:
            return format_vnd(value)
        if isinstance(column.type, Boolean) or isinstance(value, bool):
            return str(_l("Yes") if value else _l("No"))
        if isinstance(column.type, UTCDateTime | Date) and isinstance(value, str):
            return _date_text(value)
    return str(value)


def _date_text(value: str) -> str:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if len(value) <= 10:
        return format_date(parsed.date())
    return format_datetime(parsed)


def changes(row, labels: Labels, field_label=None, choices_of=None) -> list[Change]:
    """The row's before/after pairs with field labels (``field_label(model name, field)``) and values
    formatted; ``choices_of(model name, field)`` gives a status's label."""
    model = model_named(row.object_type)
    out = []
    for field, (before, after) in _pairs(parse_changes(row.changes)).items():
        choices = choices_of(row.object_type, field) if choices_of else None
        label = field_label(row.object_type, field) if field_label else field
        out.append(
            Change(
                field,
                str(label),
                format_value(model, field, before, labels, choices),
                format_value(model, field, after, labels, choices),
            )
        )
    return out


def other_detail(row) -> str:
    """What the changes column holds when it is not before/after pairs (the counts of a hand-over…)."""
    parsed = parse_changes(row.changes)
    if parsed is None or _pairs(parsed):
        return ""
    if isinstance(parsed, dict):
        return ", ".join(f"{k}: {v}" for k, v in parsed.items())
    return str(parsed)
