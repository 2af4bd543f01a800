"""The Preferences page: what a signed-in user chooses for themselves (their time zone)."""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser, User
from django.forms.utils import flatatt
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .auth import MISSING, TIME_ZONE, signed_in, user_extra
from .models import UserPreference
from .times import available_time_zones, default_time_zone
from .views import DashboardView


def user_time_zone(user: User | AnonymousUser) -> str:
    """The zone this user chose, or ``""`` for the default (``TIME_ZONE``)."""
    if not user.is_authenticated:
        return ""
    zone = user_extra(user, TIME_ZONE)  # read with the user by core.auth.DashboardBackend
    if zone is MISSING:
        zone = UserPreference.objects.filter(user=user).values_list("time_zone", flat=True).first()
    return zone or ""


class ZoneSelect(forms.Select):
    """A ``<select>`` of the ~600 zones, written in Python: through Django's widget templates
    each option is a template of its own, and the page took 50 ms to render."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = {**self.build_attrs(self.attrs, attrs), "name": name}
        chosen = "" if value is None else str(value)
        options = "".join(
            f'<option value="{escape(choice)}"{" selected" if str(choice) == chosen else ""}>'
            f"{escape(label)}</option>"
            for choice, label in self.choices
        )
        return mark_safe(f"<select{flatatt(final)}>{options}</select>")  # noqa: S308 - escaped


class PreferencesForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone",
        required=False,
        widget=ZoneSelect(attrs={"aria-describedby": "id_time_zone_help"}),
        help_text="Dates and times on every page, and in the admin, are shown in this zone. "
        "Exported files stay in UTC.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = [
            ("", f"Site default ({default_time_zone()})"),
            *((name, name.replace("_", " ")) for name in available_time_zones()),
        ]


class PreferencesView(DashboardView):
    """Any signed-in user may set their own preferences; no permission is needed."""

    template_name = "core/preferences.html"
    title = "Preferences"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        kwargs.setdefault("zone", timezone.get_current_timezone_name())
        return super().get_context_data(**kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PreferencesForm(initial={"time_zone": user_time_zone(request.user)})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PreferencesForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        zone = form.cleaned_data["time_zone"]
        UserPreference.objects.update_or_create(
            user=signed_in(request), defaults={"time_zone": zone}
        )
        messages.success(request, f"Times are now shown in {zone or default_time_zone()}.")
        return HttpResponseRedirect(reverse("preferences"))
