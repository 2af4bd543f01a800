from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("", views.OrderListView.as_view(), name="list"),
    path("create/", views.OrderCreateView.as_view(), name="create"),
    # Before "<str:order_id>/", which would otherwise take "views" or "catalogue" for an
    # order id.
    path("catalogue/search/", views.catalogue_search, name="catalogue-search"),
    path("views/", views.SavedViewListView.as_view(), name="saved-views"),
    path("views/<int:pk>/rename/", views.rename_saved_view, name="saved-view-rename"),
    path("views/<int:pk>/share/", views.share_saved_view, name="saved-view-share"),
    path("views/<int:pk>/update/", views.update_saved_view, name="saved-view-update"),
    path("views/<int:pk>/delete/", views.delete_saved_view, name="saved-view-delete"),
    path("<str:order_id>/", views.OrderDetailView.as_view(), name="detail"),
    path("<str:order_id>/activity/", views.order_activity, name="activity"),
    path("<str:order_id>/status/", views.change_status, name="change-status"),
    path("<str:order_id>/metadata/", views.edit_metadata, name="edit-metadata"),
    path("<str:order_id>/edit/", views.OrderEditView.as_view(), name="edit"),
]
