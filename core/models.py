"""What each user chooses for themselves: for now, the time zone pages are shown in."""

from django.conf import settings
from django.db import models

from .times import validate_time_zone


class UserPreference(models.Model):
    """One row per user who has chosen something; a user without one gets the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="An IANA zone name such as Europe/Warsaw; empty for the site's zone.",
    )

    class Meta:
        verbose_name = "user preference"

    def __str__(self) -> str:
        return f"Preferences of {self.user}"
