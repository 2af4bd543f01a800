from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from api.urls import api_urls
from core import views as core_views
from core.forms import ThrottledAdminAuthenticationForm
from core.health import health
from core.preferences import PreferencesView
from insights.views import OrderInsightsView

# Both sign-in pages are throttled (core.login_throttle); the admin reads its form from here.
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="orders:list", permanent=False)),
    # Before the URLs they replace, so these views answer for the same addresses and names.
    path("accounts/login/", core_views.login, name="login"),
    path("admin/login/", core_views.answers_429_when_throttled(admin.site.login)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("preferences/", PreferencesView.as_view(), name="preferences"),
    path("health/", health, name="health"),
    # Browsers ask for /favicon.ico on pages that name no icon (JSON, fragments): not a 404.
    path("favicon.ico", core_views.favicon),
    # The insights strip for the orders list's filters (an htmx fragment), before the
    # orders' own "<order id>/" pages.
    path("orders/insights/", OrderInsightsView.as_view(), name="order-insights"),
    path("orders/", include("orders.urls")),
    path("customers/", include("customers.urls")),
    path("exports/", include("exports.urls")),
    path("notifications/", include("exports.notification_urls")),
    path("settings/", include("metadata.urls")),
    path("v1/", api_urls),
]
