from django.urls import path

from core.views import DashboardView

app_name = "settings"
urlpatterns = [
    path(
        "metadata-schemas/",
        DashboardView.as_view(
            permission_required="orders.view_metadataschema",
            template_name="orders/metadataschema_list.html",
            nav="settings",
            title="Project settings › Metadata schemas",
        ),
        name="metadata-schemas",
    ),
]
