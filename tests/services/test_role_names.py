"""Role names are written only in services/access.py: everything else asks a trait or the matrix.

The check reads the package source (ast) and flags a role name used for a decision: compared
(``role == "lead"``, ``role in ("head", "admin")``), passed to ``.in_()``, given as ``role=``,
or gathered into a set, list, tuple or dict made only of role names (``{"head", "admin"}``).
"""

import ast
from pathlib import Path

import pytest

from services import access

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("admin", "services", "jobs", "cli", "models")
ALLOWED_FILES = {
    "services/access.py",  # the one place
    "services/demo_data.py",  # the demo accounts, one per role
}
NOT_ROLES = {"kind", "form"}
"""Names compared with the same words that are not roles: a KPI scope's ``kind`` is "agent" too, and
``"agent" in form`` asks for a form field."""


def _role_literal(node) -> bool:
    return isinstance(node, ast.Constant) and node.value in access.ROLES


def _roles_only(node) -> bool:
    if isinstance(node, ast.Set | ast.List | ast.Tuple):
        return bool(node.elts) and all(_role_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return len(node.keys) >= 2 and all(k is not None and _role_literal(k) for k in node.keys)
    return False


def _names_role(node) -> bool:
    return _role_literal(node) or _roles_only(node)


def _is_not_role(node) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr in NOT_ROLES) or (
        isinstance(node, ast.Name) and node.id in NOT_ROLES
    )


def role_decisions(source: str) -> list[int]:
    """Line numbers where ``source`` uses a role name for a decision."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_names_role(o) for o in operands) and not any(_is_not_role(o) for o in operands):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            is_in = isinstance(node.func, ast.Attribute) and node.func.attr in ("in_", "notin_")
            if is_in and any(_names_role(a) for a in node.args):
                lines.append(node.lineno)
            lines += [node.lineno for k in node.keywords if k.arg == "role" and _role_literal(k.value)]
        elif _roles_only(node):
            lines.append(node.lineno)
    return sorted(set(lines))


def package_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), path


def test_no_role_name_decides_outside_access():
    found = [
        f"{name}:{line}"
        for name, path in package_files()
        if name not in ALLOWED_FILES
        for line in role_decisions(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "role names typed outside services/access.py (ask a trait there): " + ", ".join(found)


@pytest.mark.parametrize(
    "source",
    [
        'if user.role == "lead": pass',
        'ok = access.role_of(u) in ("head", "admin")',
        'q = select(User).where(User.role.in_(("agent", "lead")))',
        'column_roles = {"ip": {"head", "admin"}}',
        'make(role="head")',
        'RULES = {"agent": 1, "lead": 2}',
    ],
)
def test_the_check_sees_each_way_of_typing_a_role(source):
    assert role_decisions(source) == [1]


@pytest.mark.parametrize(
    "source",
    [
        'if scope.kind == "agent": pass',
        'if "agent" in form and form.agent.data is None: pass',
        'column_list = ["customer", "agent", "status"]',
        'x = breakdown(board, period, "agent")',
    ],
)
def test_the_check_leaves_other_uses_of_the_words_alone(source):
    assert role_decisions(source) == []


def test_traits_are_data_for_every_role():
    assert set(access.ROLE_TRAITS) == set(access.ROLES) == set(access.ROLE_LABELS)
    assert access.roles_with("department_wide") == ("head", "admin")
    assert access.roles_with("owns_customers") == ("agent", "lead")
    assert access.role_has("lead", "leads_team") and not access.role_has("agent", "leads_team")
    assert not access.role_has(None, "department_wide")
