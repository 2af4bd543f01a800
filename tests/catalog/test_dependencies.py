"""catalog sits above core and metadata: it imports no app above it, not even in a function."""

from pathlib import Path

import pytest

from tests.core.test_dependencies import ROOT, imported_modules

ABOVE_CATALOG = {"orders", "customers", "exports", "async_actions", "api"}
FILES = sorted(p for p in (ROOT / "catalog").rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalog_imports_no_app_above_it(path: Path) -> None:
    upward = {name for name in imported_modules(path) if name.split(".")[0] in ABOVE_CATALOG}
    assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)}"
