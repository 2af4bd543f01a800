"""The models metadata schemas describe are registered by the apps above (which metadata may
not import; tests/core/test_dependencies.py holds the layers)."""

from metadata.models import MetadataSchema
from metadata.services import HOLDERS


def test_every_schema_has_the_model_it_describes_registered_by_its_app() -> None:
    # The apps above register them in their AppConfig.ready() (metadata.services.register_holder)
    assert {name: model._meta.label for name, model in HOLDERS.items()} == {
        MetadataSchema.RelatedObject.ORDER: "orders.Order",
        MetadataSchema.RelatedObject.ORDER_ITEM: "orders.OrderItem",
        MetadataSchema.RelatedObject.CUSTOMER: "customers.Customer",
    }
