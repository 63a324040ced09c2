"""A job's parameters as a form: one field per default, typed by the default's value.

The form posts ``p_<name>`` fields; ``parse`` turns them back into the JSON object that
``services.job_control.set_params`` stores (and checks). A list or a dict (a segment, the
occasions) stays a small JSON box; everything else is a checkbox, a number or a text.
"""

import json
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from services.errors import ValidationError

LABELS = {
    "lead_days": _l("Days ahead"),
    "vip_only": _l("VIP customers only"),
    "segment": _l("Customer segment"),
    "item": _l("Gift"),
    "value": _l("Gift value (VND)"),
    "budget_line_id": _l("Budget line (number)"),
    "subject": _l("Subject"),
    "template": _l("Message"),
    "occasions": _l("Occasions"),
    "company_dates": _l("Company dates"),
    "days": _l("Days"),
    "window_days": _l("Window (days)"),
    "vip_days": _l("Days for VIP customers"),
    "max_per_run": _l("At most per run"),
    "kind": _l("Kind"),
    "days_back": _l("Days back"),
}
NULLABLE_NUMBERS = {"budget_line_id"}


@dataclass
class ParamField:
    name: str
    label: str
    kind: str
    """"bool", "int", "text", "json" or "textarea"."""
    value: object


def _kind(name: str, default) -> str:
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int) or name in NULLABLE_NUMBERS:
        return "int"
    if isinstance(default, dict | list):
        return "json"
    return "textarea" if name == "template" else "text"


def fields(defaults: dict, current: dict) -> list[ParamField]:
    out = []
    for name, default in defaults.items():
        kind = _kind(name, default)
        value = current.get(name, default)
        if kind == "json":
            value = json.dumps(value, ensure_ascii=False)
        out.append(ParamField(name, str(LABELS.get(name, name.replace("_", " "))), kind, value))
    return out


def parse(defaults: dict, form) -> dict:
    """The posted fields as the parameters object; ValidationError names each bad field."""
    params, errors = {}, {}
    for name, default in defaults.items():
        kind, raw = _kind(name, default), form.get(f"p_{name}")
        label = str(LABELS.get(name, name))
        if kind == "bool":
            params[name] = raw in ("on", "1", "true", "y")
        elif kind == "int":
            text = (raw or "").strip().replace(".", "").replace(" ", "")
            if not text and name in NULLABLE_NUMBERS:
                params[name] = None
            elif text.lstrip("-").isdigit():
                params[name] = int(text)
            else:
                errors.setdefault(name, []).append(_l("%(field)s: enter a whole number.", field=label))
        elif kind == "json":
            try:
                params[name] = json.loads(raw or "null")
            except ValueError:
                errors.setdefault(name, []).append(_l("%(field)s: not valid JSON.", field=label))
                continue
            if not isinstance(params[name], type(default)):
                errors.setdefault(name, []).append(_l("%(field)s: not valid JSON.", field=label))
        else:
            params[name] = raw or ""
    if errors:
        raise ValidationError(errors)
    return params
