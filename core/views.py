from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.views import LoginView
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.http.response import HttpResponseBase
from django.templatetags.static import static
from django.views.generic import TemplateView

from .forms import THROTTLED, ThrottledAuthenticationForm
from .htmx import HtmxHttpRequest
from .roles import load_permissions


class DashboardView(PermissionRequiredMixin, TemplateView):
    """A dashboard page: anonymous users go to the login page, users without the
    permission get 403 (PermissionRequiredMixin does both).

    ``nav`` names the navigation entry (``core.navigation``) ``base.html`` highlights and the
    breadcrumb starts from, and ``title`` the page heading, the browser tab's title and the
    breadcrumb's last step. A page below a record (an order's Edit page) passes the records in
    between as ``trail`` (``trail=[order]``; see ``core.navigation.breadcrumbs``).
    """

    # Set by View.setup(); HtmxMiddleware has marked it.
    request: HtmxHttpRequest
    permission_required: str | tuple[str, ...] = ()
    nav: str = ""
    title: str = ""

    def has_permission(self) -> bool:
        # A page that needs no particular permission (``()``, e.g. the Notifications Center)
        # still needs a signed-in user: AnonymousUser.has_perms(()) is True.
        if not self.request.user.is_authenticated:
            return False
        load_permissions(self.request.user)
        return super().has_permission()

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        kwargs.setdefault("nav", self.nav)
        kwargs.setdefault("title", self.title)
        return super().get_context_data(**kwargs)


def answers_429_when_throttled(
    login_view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Wrap a sign-in view so a refused (throttled) attempt answers 429 Too Many Requests
    with ``Retry-After``; the page is the same sign-in page, with the form's message.

    A wrapper rather than a subclass, because the admin's login view (``AdminSite.login``)
    builds its own ``LoginView``; both views render a ``TemplateResponse`` with the form.
    """

    @wraps(login_view)
    def view(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        response = login_view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if form is not None and form.is_bound and form.has_error(NON_FIELD_ERRORS, THROTTLED):
            response.status_code = 429
            response["Retry-After"] = str(settings.LOGIN_LOCKOUT_SECONDS)
        return response

    return view


login = answers_429_when_throttled(
    LoginView.as_view(authentication_form=ThrottledAuthenticationForm)
)


def favicon(request: HttpRequest) -> HttpResponseBase:
    """``/favicon.ico``: the dashboard's icon (``img/favicon.svg``), for browsers that ask for
    it on pages naming none (``/health/``'s JSON, htmx fragments opened on their own)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
