"""Dependencies point one way: core knows no app above it (issue 17's app map)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The project's apps above core; core may import Django and its own modules only.
ABOVE_CORE = {"metadata", "catalog", "orders", "customers", "exports", "async_actions", "api"}


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

    assert set(REAPERS) == {"exports", "async_actions"}
