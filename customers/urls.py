from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    # Before "<str:customer_id>/", which would otherwise take these words for a customer id.
    path("search/", views.customer_search, name="search"),
    path("create/", views.CustomerFormView.as_view(), name="create"),
    path("segments/", views.SegmentListView.as_view(), name="segments"),
    path("segments/create/", views.SegmentFormView.as_view(), name="segment-create"),
    path("segments/<int:pk>/", views.SegmentDetailView.as_view(), name="segment-detail"),
    path("segments/<int:pk>/edit/", views.SegmentFormView.as_view(), name="segment-edit"),
    path("segments/<int:pk>/delete/", views.segment_delete, name="segment-delete"),
    path("<str:customer_id>/", views.CustomerDetailView.as_view(), name="detail"),
    path("<str:customer_id>/edit/", views.CustomerFormView.as_view(), name="edit"),
]
