from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self) -> None:
        from metadata.models import MetadataSchema
        from metadata.services import register_holder

        from .models import Order, OrderItem

        register_holder(MetadataSchema.RelatedObject.ORDER, Order)
        register_holder(MetadataSchema.RelatedObject.ORDER_ITEM, OrderItem)
