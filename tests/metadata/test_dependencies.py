"""metadata sits just above core: it imports no app above it, not even inside a function."""

from pathlib import Path

import pytest

from metadata.models import MetadataSchema
from metadata.services import HOLDERS
from tests.core.test_dependencies import ROOT, imported_modules

ABOVE_METADATA = {"catalog", "orders", "customers", "exports", "async_actions", "api"}
FILES = sorted(p for p in (ROOT / "metadata").rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_metadata_imports_no_app_above_it(path: Path) -> None:
    upward = {name for name in imported_modules(path) if name.split(".")[0] in ABOVE_METADATA}
    assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)}"


def test_every_schema_has_the_model_it_describes_registered_by_its_app() -> None:
    # The apps above register them in their AppConfig.ready() (metadata.services.register_holder)
    assert {name: model._meta.label for name, model in HOLDERS.items()} == {
        MetadataSchema.RelatedObject.ORDER: "orders.Order",
        MetadataSchema.RelatedObject.ORDER_ITEM: "orders.OrderItem",
        MetadataSchema.RelatedObject.CUSTOMER: "customers.Customer",
    }
