"""The orders dashboard's views, one module per page."""

from .metadata_schemas import MetadataSchemaListView
from .order_detail import OrderCreateView, OrderDetailView
from .order_list import OrderListView

__all__ = ["MetadataSchemaListView", "OrderCreateView", "OrderDetailView", "OrderListView"]
