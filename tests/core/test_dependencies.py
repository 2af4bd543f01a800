"""Dependencies point one way: core knows no app above it (issue 17's app map)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The project's apps above core; core may import Django and its own modules only.
ABOVE_CORE = {"orders", "customers", "exports", "async_actions", "api"}


def imported_names(path: Path) -> set[tuple[str, str | None]]:
    """(module, name) for each ``from module import name``; (module, None) for ``import``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[tuple[str, str | None]] = set()
    for node in ast.walk(tree):  # function-level imports count too
        if isinstance(node, ast.Import):
            names.update((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update((node.module, alias.name) for alias in node.names)
    return names


def imported_modules(path: Path) -> set[str]:
    return {module for module, _ in imported_names(path)}


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


# --- customers sits below orders -------------------------------------------------------------

# The apps above customers. Its dashboard views (``customers/views/``) are the top layer and
# may show orders; everything else in customers is the domain that orders builds on.
ABOVE_CUSTOMERS = {"orders", "exports", "async_actions", "imports", "api", "demo"}
# The metadata code still lives in orders while it moves to its own app (below customers);
# until then customers may import it, and only it.
METADATA_IN_ORDERS = ("orders.metadata_",)
METADATA_MODELS = {"MetadataSchema", "MetadataProperty"}


def _is_metadata(module: str, name: str | None) -> bool:
    if module.startswith(METADATA_IN_ORDERS):
        return True
    return module == "orders.models" and name in METADATA_MODELS


CUSTOMERS_DOMAIN_FILES = sorted(
    p
    for p in (ROOT / "customers").rglob("*.py")
    if "migrations" not in p.parts and "views" not in p.parts
)


@pytest.mark.parametrize("path", CUSTOMERS_DOMAIN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_customers_imports_no_app_above_it(path: Path) -> None:
    upward = {
        module
        for module, name in imported_names(path)
        if module.split(".")[0] in ABOVE_CUSTOMERS and not _is_metadata(module, name)
    }
    assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)}"


# --- nothing in the product depends on the demo data -----------------------------------------

# Where ``demo`` may be imported: the app itself, the tests and the benchmark scripts.
MAY_IMPORT_DEMO = {"demo", "tests", "bench"}
# Not the project's code: a virtualenv, the embedded database's and collected files.
NOT_CODE = {"var", "staticfiles", "node_modules"}
PRODUCT_FILES = sorted(
    path
    for top in ROOT.iterdir()
    if not top.name.startswith(".") and top.name not in MAY_IMPORT_DEMO | NOT_CODE
    for path in ([top] if top.is_file() else top.rglob("*.py"))
    if path.suffix == ".py"
)


def test_nothing_outside_demo_imports_it() -> None:
    assert PRODUCT_FILES, "no module found to check"
    importers = {
        str(path.relative_to(ROOT)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] == "demo"
        )
        for path in PRODUCT_FILES
    }
    assert {path: names for path, names in importers.items() if names} == {}


def test_the_customers_check_tells_metadata_from_orders() -> None:
    assert _is_metadata("orders.models", "MetadataSchema")
    assert _is_metadata("orders.metadata_validation", "validate_metadata")
    assert not _is_metadata("orders.models", "Order")
    assert not _is_metadata("orders.selectors", "order_page")
