from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    # Before "<str:customer_id>/", which would otherwise take "search" for a customer id.
    path("search/", views.customer_search, name="search"),
    path("<str:customer_id>/", views.CustomerDetailView.as_view(), name="detail"),
]
