"""The orders dashboard's views, one module per page."""

from .metadata_schemas import MetadataSchemaListView
from .order_detail import OrderCreateView, OrderDetailView
from .order_list import OrderListView
from .saved_views import (
    SavedViewListView,
    delete_saved_view,
    rename_saved_view,
    share_saved_view,
)

__all__ = [
    "MetadataSchemaListView",
    "OrderCreateView",
    "OrderDetailView",
    "OrderListView",
    "SavedViewListView",
    "delete_saved_view",
    "rename_saved_view",
    "share_saved_view",
]
