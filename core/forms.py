"""The sign-in forms of the dashboard and the admin, with throttling (core.login_throttle)."""

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from . import login_throttle

# The code of the error a refused sign-in shows; its view answers 429 for it.
THROTTLED = "throttled"


class ThrottledAuthenticationMixin:
    """Refuse a locked account or address before the password is even checked (a right
    password must not unlock it, or guessing would go on); count wrong passwords."""

    request: Any
    user_cache: Any
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if not username or self.request is None:
            return super().clean()  # type: ignore[misc]  # a form's mixin
        address = login_throttle.client_address(self.request)
        message = login_throttle.refusal(username, address)
        if message:
            raise ValidationError(message, code=THROTTLED)
        try:
            cleaned = super().clean()  # type: ignore[misc]  # a form's mixin
        except ValidationError:
            # Only a wrong password counts: the admin also refuses a right password of
            # someone who is not staff, which guesses nothing.
            if self.user_cache is None:
                login_throttle.record_failure(username, address)
            raise
        login_throttle.forget_failures(username)
        return cleaned


class ThrottledAuthenticationForm(ThrottledAuthenticationMixin, AuthenticationForm):
    """The dashboard's sign-in form."""


class ThrottledAdminAuthenticationForm(ThrottledAuthenticationMixin, AdminAuthenticationForm):
    """The admin's sign-in form."""
