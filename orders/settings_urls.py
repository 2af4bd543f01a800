from django.urls import path

from .views import MetadataSchemaListView

app_name = "settings"
urlpatterns = [
    path("metadata-schemas/", MetadataSchemaListView.as_view(), name="metadata-schemas"),
]
