from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("", views.ExportListView.as_view(), name="list"),
    path("new/", views.ExportCreateView.as_view(), name="new"),
    path("<str:export_id>/", views.ExportDetailView.as_view(), name="detail"),
    path("<str:export_id>/download/", views.download_export, name="download"),
]
