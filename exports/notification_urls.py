"""The Notifications Center and the header's bell, under ``/notifications/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="notifications"),
    path("bell/", views.notification_bell, name="notifications-bell"),
    path("read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("<int:notification_id>/read/", views.notification_read, name="notification-read"),
]
