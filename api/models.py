"""Application keys: how storefronts and scripts authenticate to the v1 API."""

import hashlib
import secrets
import uuid

from django.db import models
from django.utils import timezone


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
