from django.urls import path

from . import views

app_name = "settings"
urlpatterns = [
    path("metadata-schemas/", views.MetadataSchemaListView.as_view(), name="metadata-schemas"),
    path(
        "metadata-schemas/<str:related_object>/properties/add/",
        views.MetadataPropertyFormView.as_view(),
        name="property-add",
    ),
    path(
        "metadata-schemas/<str:related_object>/defined-only/",
        views.toggle_defined_only,
        name="defined-only",
    ),
    path(
        "metadata-schemas/properties/<int:pk>/edit/",
        views.MetadataPropertyFormView.as_view(),
        name="property-edit",
    ),
    path(
        "metadata-schemas/properties/<int:pk>/delete/",
        views.property_delete,
        name="property-delete",
    ),
]
