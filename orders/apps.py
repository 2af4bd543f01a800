from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self) -> None:
        from core.auth import register_user_extra
        from metadata.models import MetadataSchema
        from metadata.services import register_holder

        from .models import Order, OrderItem
        from .wizard_storage import HAS_ORDER_DRAFT, has_order_draft

        register_holder(MetadataSchema.RelatedObject.ORDER, Order)
        register_holder(MetadataSchema.RelatedObject.ORDER_ITEM, OrderItem)

        # The orders list's "Resume draft" link, read with the user instead of a query more.
        register_user_extra(HAS_ORDER_DRAFT, has_order_draft)
