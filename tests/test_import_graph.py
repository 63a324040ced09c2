"""The floors hold: admin, jobs and the CLI call services, services call models, nothing runs back up.

The graph is read from the source (ast), every import counted, also those inside functions,
so a circle cannot hide behind a late import.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("admin", "services", "models", "jobs", "cli")
MODULES = ("app", "extensions", "config")
FLOOR = {"config": 0, "models": 1, "extensions": 1.5, "services": 2, "admin": 3, "jobs": 3, "cli": 3, "app": 3}
"""Imports go down a floor or stay on it (``extensions`` only hands ``models.db`` to the factory);
the top floor's parts call each other only as SIDEWAYS says."""
SIDEWAYS = {
    ("app", "admin"),  # the factory wires everything
    ("app", "cli"),
    ("app", "jobs"),  # load_jobs: the jobs declare themselves in services.job_catalogue
    ("jobs", "app"),  # the delivery worker is a process of its own and builds the app
    ("cli", "jobs"),  # `flask scheduler run`
}


def _module_names() -> dict[str, Path]:
    found = {}
    for package in PACKAGES + ("config",):
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    for name in MODULES:
        if (ROOT / f"{name}.py").exists():
            found[name] = ROOT / f"{name}.py"
    return found


def import_graph() -> dict[str, set[str]]:
    """module -> the project's modules it imports."""
    modules = _module_names()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def _top(name: str) -> str:
    return name.split(".")[0]


def test_every_import_goes_down_a_floor_or_sideways_as_allowed():
    wrong = sorted(
        f"{source} -> {target}"
        for source, targets in import_graph().items()
        for target in targets
        if (_top(source) != _top(target))
        and (
            FLOOR[_top(target)] > FLOOR[_top(source)]
            or (FLOOR[_top(target)] == FLOOR[_top(source)] and (_top(source), _top(target)) not in SIDEWAYS)
        )
    )
    assert wrong == []


def test_the_admin_never_imports_the_jobs_and_services_never_import_admin_or_jobs():
    graph = import_graph()
    edges = {(_top(s), _top(t)) for s, targets in graph.items() for t in targets}
    assert not edges & {("admin", "jobs"), ("services", "admin"), ("services", "jobs"), ("models", "services")}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                part.append(top)
                if top == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle():
    assert cycles(import_graph()) == []


def test_the_graph_reader_sees_a_circle_and_a_wrong_way_edge():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    graph = import_graph()
    assert "services.access" in graph["admin.base"] and "models" in graph["services.access"]
