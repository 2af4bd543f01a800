"""Dependencies point one way (docs/architecture.md's app map), and no app outgrows the rest.

Every module of every app is read (not imported: an import cycle hidden inside a function
counts too) and each import of another app is checked against the layers below. A module of
an app may import an app of a lower layer only. Dashboard modules (an app's ``views``, its
``urls``) sit above the order pipeline and may also import any app below the API, but never
another app's views; ``config`` wires everything. ``demo`` (development data) may use anything
below it and nothing imports it. Core's own views are the dashboard shell every page builds on.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

LAYERS = {
    "core": 0,
    "metadata": 1,
    "catalog": 2,
    "customers": 2,
    "orders": 3,
    "imports": 4,
    "exports": 4,
    "insights": 4,
    "api": 5,
    "demo": 6,
    "config": 7,
}
# What a dashboard module (views, urls) may import besides its own app: the apps below the API.
DASHBOARD_REACH = LAYERS["exports"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):  # function-level imports count too
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def app_modules() -> dict[Path, str]:
    """Every module of every app (migrations aside), with its app."""
    modules = {}
    for app in LAYERS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.relative_to(ROOT).parts:
                modules[path] = app
    return modules


def is_dashboard(path: Path) -> bool:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return "views" in parts or parts[-1] == "urls" or parts[-1].endswith("_urls")


def problems(path: Path, app: str) -> list[str]:
    """What is wrong with the imports of ``path``, a module of ``app``."""
    reach = DASHBOARD_REACH if is_dashboard(path) else LAYERS[app] - 1
    found = []
    for name in sorted(imported_modules(path)):
        parts = name.split(".")
        target = parts[0]
        if target not in LAYERS or target == app or app == "config":
            continue
        if target != "core" and any(p == "views" or p.endswith("urls") for p in parts[1:]):
            found.append(f"imports another app's dashboard module {name}")
        elif LAYERS[target] > reach or (LAYERS[target] == LAYERS[app] and not is_dashboard(path)):
            found.append(f"imports {name} ({target} is not below {app})")
    return found


MODULES = app_modules()


@pytest.mark.parametrize("path", sorted(MODULES), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_module_imports_only_what_is_below_it(path: Path) -> None:
    assert not problems(path, MODULES[path]), problems(path, MODULES[path])


def app_graph() -> dict[str, set[str]]:
    """App → the apps it imports; an app's dashboard modules are a node of their own."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path, app in MODULES.items():
        node = f"{app}.views" if is_dashboard(path) else app
        for name in imported_modules(path):
            parts = name.split(".")
            if parts[0] in LAYERS:
                target = f"{parts[0]}.views" if {"views", "urls"} & set(parts[1:]) else parts[0]
                if target != node:
                    graph[node].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_apps() -> None:
    assert cycles(app_graph()) == []


def test_the_checks_see_an_upward_import_and_a_cycle(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from exports.selectors import notifications_of\n")
    assert "exports.selectors" in imported_modules(module)
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def tasks_imported(path: Path) -> set[str]:
    """The imports of a ``tasks`` module in ``path``, relative ones (``from . import tasks``)
    and those inside a function included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            names = {alias.name for alias in node.names}
            if (node.module or "").split(".")[-1] == "tasks" or "tasks" in names:
                found.add(ast.unparse(node))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[-1] == "tasks")
    return found


SERVICES = sorted(path for path in MODULES if path.stem == "services")


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_service_never_imports_its_tasks(path: Path) -> None:
    # Tasks import their services; a service sends a job through ``core.jobs.send_job``,
    # which finds the task its app registered: no cycle, not even inside a function.
    assert not tasks_imported(path)


def test_the_tasks_check_sees_a_relative_import_in_a_function(tmp_path: Path) -> None:
    module = tmp_path / "services.py"
    module.write_text("def send():\n    from .tasks import export_orders\n")
    assert tasks_imported(module) == {"from .tasks import export_orders"}


def test_nothing_in_the_product_imports_demo() -> None:
    users = [
        path.relative_to(ROOT)
        for path, app in MODULES.items()
        if app != "demo" and any(n.split(".")[0] == "demo" for n in imported_modules(path))
    ]
    assert users == []


def test_no_app_holds_more_than_a_third_of_the_code() -> None:
    lines = defaultdict(int)
    for path, app in MODULES.items():
        lines[app] += len(path.read_text().splitlines())
    total = sum(lines.values())
    assert max(lines.values()) <= total / 3, dict(lines)


def test_every_app_with_jobs_registers_its_reaper_and_its_task() -> None:
    from core.jobs import REAPERS, TASKS

    assert set(REAPERS) == {"exports", "imports"}
    assert {model._meta.app_label for model in TASKS} == {"exports", "imports"}
