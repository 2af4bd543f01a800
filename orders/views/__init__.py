"""The orders dashboard's views, one module per page."""

from .lookups import catalogue_search
from .order_create import OrderCreateView
from .order_detail import (
    OrderDetailView,
    OrderEditView,
    change_status,
    edit_metadata,
    order_activity,
)
from .order_list import OrderListView
from .saved_views import (
    SavedViewListView,
    delete_saved_view,
    rename_saved_view,
    share_saved_view,
    update_saved_view,
)

__all__ = [
    "catalogue_search",
    "OrderCreateView",
    "OrderDetailView",
    "OrderEditView",
    "change_status",
    "edit_metadata",
    "order_activity",
    "OrderListView",
    "SavedViewListView",
    "delete_saved_view",
    "rename_saved_view",
    "share_saved_view",
    "update_saved_view",
]
