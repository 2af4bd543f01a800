"""Dependencies point one way: core knows no app above it (issue 17's app map)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The project's apps above core; core may import Django and its own modules only.
ABOVE_CORE = {"metadata", "catalog", "orders", "customers", "exports", "imports", "api"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):  # function-level imports count too
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


CORE_FILES = sorted(p for p in (ROOT / "core").rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_imports_no_app_above_it(path: Path) -> None:
    upward = {name for name in imported_modules(path) if name.split(".")[0] in ABOVE_CORE}
    assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)}"


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from exports.selectors import notifications_of\n")
    assert "exports.selectors" in imported_modules(module)


def test_every_app_with_jobs_registers_its_reaper() -> None:
    from core.jobs import REAPERS

    assert set(REAPERS) == {"exports", "imports"}


def test_every_app_with_jobs_registers_its_task() -> None:
    from core.jobs import TASKS

    assert {model._meta.app_label for model in TASKS} == {"exports", "imports"}


SERVICES = [ROOT / "exports" / "services.py", ROOT / "imports" / "services.py"]


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: str(p.relative_to(ROOT)))
def test_services_never_import_their_tasks(path: Path) -> None:
    # Tasks import the services; the services send a job through ``core.jobs.send_job``,
    # which finds the task each app registered, so there is no cycle, not even in a function.
    tree = ast.parse(path.read_text(), filename=str(path))
    tasks = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names = {alias.name for alias in node.names}
            if (node.module or "").endswith("tasks") or (node.level and "tasks" in names):
                tasks.add(ast.unparse(node))
    assert not tasks, f"{path.relative_to(ROOT)}: {sorted(tasks)}"


IMPORTS_APP = {"imports"}
BELOW_IMPORTS = ["core", "customers", "orders", "exports"]
# The demo loader (``orders/demo*.py``) writes through ``imports.writers``; it moves to an
# app of its own above imports (issue 17), which may import it.
DEMO_FILES = {"demo.py", "demo_data.py", "demo_load.py"}


def _modules_below_imports() -> list[Path]:
    files = []
    for app in BELOW_IMPORTS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or (app == "orders" and path.name in DEMO_FILES):
                continue
            files.append(path)
    return files


@pytest.mark.parametrize("path", _modules_below_imports(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_app_below_imports_imports_it(path: Path) -> None:
    upward = {name for name in imported_modules(path) if name.split(".")[0] in IMPORTS_APP}
    assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)}"
