from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView


class DashboardView(PermissionRequiredMixin, TemplateView):
    """A dashboard page: anonymous users go to the login page, users without the
    permission get 403 (PermissionRequiredMixin does both).

    ``nav`` names the navigation entry ``base.html`` highlights, ``section`` the breadcrumb
    above the heading, and ``title`` the page heading and the browser tab's title.
    """

    permission_required: str | tuple[str, ...] = ()
    nav: str = ""
    section: str = "Campaign hub"
    title: str = ""

    def has_permission(self) -> bool:
        # A page that needs no particular permission (``()``, e.g. the Notifications Center)
        # still needs a signed-in user: AnonymousUser.has_perms(()) is True.
        return self.request.user.is_authenticated and super().has_permission()

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        kwargs.setdefault("nav", self.nav)
        kwargs.setdefault("section", self.section)
        kwargs.setdefault("title", self.title)
        return super().get_context_data(**kwargs)
