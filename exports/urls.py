from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("", views.ExportListView.as_view(), name="list"),
    path("<str:export_id>/", views.ExportDetailView.as_view(), name="detail"),
]
