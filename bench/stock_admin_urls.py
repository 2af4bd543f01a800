"""Benchmark-only URLs: the project's, plus ``/stock-admin/`` with a default ModelAdmin."""

from django.contrib import admin
from django.urls import include, path

from orders.models import Order

stock_site = admin.AdminSite(name="stock_admin")
stock_site.register(Order, admin.ModelAdmin)

urlpatterns = [
    path("stock-admin/", stock_site.urls),
    path("", include("config.urls")),
]
