"""Flask-Admin's private names are used in admin/listing/ only: an upgrade of Flask-Admin is checked there.

The names are read from Flask-Admin itself: every private (one leading underscore) attribute that the
Flask-Admin classes our views inherit from define, in their class body or as ``self._name`` in their
code. A module under ``admin/`` outside ``admin/listing/`` may not define one (a method, a property or a
class attribute of that name, or ``self._name = …``) nor read one (``self._name``, ``super()._name``,
``view._name``).
"""

import ast
import importlib
import inspect
import textwrap
from pathlib import Path

from flask_admin.base import BaseView

ROOT = Path(__file__).resolve().parents[2]
ADMIN = ROOT / "admin"
WING = ADMIN / "listing"

ELSEWHERE: dict[str, set[str]] = {}
"""Files allowed a private name outside the wing, and which (none today)."""


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def admin_modules() -> list[Path]:
    return sorted(p for p in ADMIN.rglob("*.py") if "templates" not in p.parts)


def flask_admin_view_classes() -> set[type]:
    """The Flask-Admin classes in the bases of every view class defined under admin/."""
    found = set()
    for path in admin_modules():
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        module = importlib.import_module(name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__.startswith("admin") and issubclass(cls, BaseView):
                found |= {base for base in cls.__mro__ if base.__module__.startswith("flask_admin")}
    return found


def flask_admin_private_names() -> set[str]:
    names = set()
    for cls in flask_admin_view_classes():
        names |= {n for n in vars(cls) if _private(n)}
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
                if _private(node.attr):
                    names.add(node.attr)
    return names


def uses(path: Path, names: set[str]) -> list[tuple[int, str]]:
    """(line, name) of every definition or read of one of ``names`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name in names:
                    found.append((item.lineno, item.name))
                targets = item.targets if isinstance(item, ast.Assign) else [getattr(item, "target", None)]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id in names:
                        found.append((item.lineno, target.id))
        elif isinstance(node, ast.Attribute) and node.attr in names:
            found.append((node.lineno, node.attr))
    return found


def test_the_names_come_from_flask_admin():
    names = flask_admin_private_names()
    assert {"_handle_view", "_list_columns", "_apply_search", "_export_csv", "_form_ajax_refs"} <= names
    assert "__init__" not in names and len(names) > 40


def test_no_private_flask_admin_name_outside_the_listing_wing():
    names = flask_admin_private_names()
    offending = []
    for path in admin_modules():
        if WING in path.parents:
            continue
        relative = path.relative_to(ROOT).as_posix()
        allowed = ELSEWHERE.get(relative, set())
        offending += [f"{relative}:{line} {name}" for line, name in uses(path, names) if name not in allowed]
    assert not offending, "Flask-Admin private names outside admin/listing/:\n" + "\n".join(offending)


def test_the_wing_does_use_them_so_the_check_has_teeth():
    names = flask_admin_private_names()
    assert len({name for path in WING.rglob("*.py") for _line, name in uses(path, names)}) > 15
