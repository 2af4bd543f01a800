from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from api.urls import api_urls
from exports import views as export_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="orders:list", permanent=False)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("orders/", include("orders.urls")),
    path("customers/", include("customers.urls")),
    path("exports/", include("exports.urls")),
    path("notifications/", export_views.NotificationListView.as_view(), name="notifications"),
    path("notifications/bell/", export_views.notification_bell, name="notifications-bell"),
    path(
        "notifications/read-all/",
        export_views.notifications_read_all,
        name="notifications-read-all",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        export_views.notification_read,
        name="notification-read",
    ),
    path("settings/", include("orders.settings_urls")),
    path("v1/", api_urls),
]
