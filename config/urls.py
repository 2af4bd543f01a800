from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from exports.views import NotificationListView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="orders:list", permanent=False)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("orders/", include("orders.urls")),
    path("customers/", include("customers.urls")),
    path("exports/", include("exports.urls")),
    path("notifications/", NotificationListView.as_view(), name="notifications"),
    path("settings/", include("orders.settings_urls")),
]
