"""The customers dashboard's views, one module per page."""

from .customer_detail import CustomerDetailView, CustomerFormView
from .customer_list import CustomerListView
from .lookups import customer_search
from .segments import SegmentDetailView, SegmentFormView, SegmentListView, segment_delete

__all__ = [
    "CustomerDetailView",
    "CustomerFormView",
    "CustomerListView",
    "customer_search",
    "SegmentDetailView",
    "SegmentFormView",
    "SegmentListView",
    "segment_delete",
]
