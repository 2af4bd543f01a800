"""Models the apps share: the base of every background job, what each user chooses for
themselves (for now, the time zone pages are shown in), and the application keys of the v1
API (an API import job names the key that started it; ``api`` authenticates with them)."""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

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


def hash_token(token: str) -> str:
    """SHA-256 of a token. Tokens are 256 random bits, so a fast hash is as good as a slow
    one against guessing, and checking a request costs microseconds."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_app_id() -> str:
    return str(uuid.uuid4())


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> "ApiKeyQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A pair of ``X-App-Id`` (public) and ``X-App-Token`` (secret, stored only as a hash).

    Create one with ``ApiKey.issue(name)``, which returns the key and its token: the token
    is shown once and can't be read back later. A revoked key is refused (401).
    """

    name = models.CharField(
        max_length=100, unique=True, help_text="Shown as the actor in orders' Activity."
    )
    app_id = models.CharField("app ID", max_length=36, unique=True, default=new_app_id)
    token_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        # The table of the ``api`` app this model came from (issue 17).
        db_table = "api_apikey"
        verbose_name = "API key"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, name: str) -> tuple["ApiKey", str]:
        """Create a key named ``name``; returns it and its token (the only time it is known)."""
        key = cls(name=name)
        token = key.set_new_token()
        key.save()
        return key, token

    def set_new_token(self) -> str:
        """Give the key a fresh token (not saved); returns the token."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        return token

    def token_matches(self, token: str) -> bool:
        return secrets.compare_digest(self.token_hash, hash_token(token))

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
