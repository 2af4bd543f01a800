"""Models the apps share: the base of every background job, and what each user chooses for
themselves (for now, the time zone pages are shown in)."""

from django.conf import settings
from django.db import models

from .times import validate_time_zone


class Job(models.Model):
    """What every background job row has (an export, an import): the row, not Celery, is the
    source of truth, and ``core.jobs`` claims, beats, finishes and reaps it through these
    fields alone.

    Each job keeps its own ``status`` choices (their values are stored and shown by the API);
    a subclass names the two ``core.jobs`` acts on: ``WAITING`` (its message is on its way to
    a worker) and ``RUNNING`` (a worker has claimed it).
    """

    WAITING: str
    RUNNING: str

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker has started this job: the reaper retries a stuck job a few
    # times (``JOB_MAX_ATTEMPTS``), then fails it.
    attempts = models.PositiveSmallIntegerField(default=0)
    # The job's last sign of life: set when its message is sent and every few seconds while a
    # worker runs it. An old one means the message or the worker was lost (``core.jobs``).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


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
