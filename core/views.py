from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView


class DashboardView(PermissionRequiredMixin, TemplateView):
    """A dashboard page: anonymous users go to the login page, users without the
    permission get 403 (PermissionRequiredMixin does both)."""

    permission_required: str | tuple[str, ...] = ()
    nav: str = ""
    title: str = ""

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        return super().get_context_data(nav=self.nav, title=self.title, **kwargs)
