import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.ids import new_export_id
from core.models import Job


def new_download_token() -> str:
    return secrets.token_urlsafe(32)


def export_upload_to(export: "Export", filename: str) -> str:
    return f"exports/{export.created_at:%Y/%m}/{export.id}.csv"


class Export(Job):
    """A CSV export job; this row, not Celery, is the source of truth for its state."""

    class Status(models.TextChoices):
        SCHEDULED = "SCHEDULED", "Scheduled"
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        DONE = "DONE", "Done"
        ERROR = "ERROR", "Error"

    WAITING = Status.SCHEDULED
    RUNNING = Status.IN_PROGRESS

    class Channel(models.TextChoices):
        WEBSITE = "WEBSITE", "Website"
        API = "API", "API"

    class ExportedObject(models.TextChoices):
        ORDER = "order", "Order"

    id = models.CharField(primary_key=True, max_length=28, default=new_export_id, editable=False)
    exported_object = models.CharField(
        max_length=16, choices=ExportedObject, default=ExportedObject.ORDER
    )
    status = models.CharField(max_length=16, choices=Status, default=Status.SCHEDULED)
    channel = models.CharField(max_length=16, choices=Channel, default=Channel.WEBSITE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exports",
    )
    parameters = models.JSONField(default=dict, blank=True, help_text="{fields, filters, order}")
    file = models.FileField(upload_to=export_upload_to, blank=True)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    token = models.CharField(max_length=64, default=new_download_token, editable=False)
    # Set when the retention purge deleted the file; the row stays for the audit log.
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="export_user_idx"),
            models.Index(fields=["status"], name="export_status_idx"),
        ]
        permissions = [("view_all_exports", "Can view and download everyone's exports")]

    def __str__(self) -> str:
        return self.id

    def get_absolute_url(self) -> str:
        return reverse("exports:detail", args=[self.id])

    def get_download_url(self) -> str:
        return reverse("exports:download", args=[self.id])

    @property
    def downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file) and self.expired_at is None

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class Notification(models.Model):
    """A message in a user's Notifications Center (an export ready or failed, ...)."""

    class Kind(models.TextChoices):
        EXPORT_STARTED = "export_started", "Export in progress"
        EXPORT_READY = "export_ready", "Export ready"
        EXPORT_FAILED = "export_failed", "Export failed"
        INFO = "info", "Information"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=Kind, default=Kind.INFO)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    export = models.ForeignKey(
        Export, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    link = models.CharField(max_length=500, blank=True, help_text="Where the notification leads.")
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notif_user_idx")]

    def __str__(self) -> str:
        return self.title
