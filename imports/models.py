"""Async actions: background jobs started through the API (``POST /v1/orders/import``).

The row, not Celery, is the source of truth for a job's state: ENQUEUED → IN_PROGRESS → DONE
or FAILED, with the reference's ``result {message, done_count, failed_count, failed[]}``.
"""

from django.db import models

from core.ids import ASYNC_ACTION, new_id
from core.models import Job


# A module-level callable, so migrations can name it (see ``core.ids``).
def new_async_action_id() -> str:
    return new_id(ASYNC_ACTION)


class AsyncAction(Job):
    """One background job started by an API client, polled at ``/v1/async-actions/{id}``."""

    class Type(models.TextChoices):
        ORDERS_IMPORT = "ORDERS.IMPORT", "Orders import"

    class Status(models.TextChoices):
        ENQUEUED = "ENQUEUED", "Enqueued"
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        DONE = "DONE", "Done"
        FAILED = "FAILED", "Failed"

    WAITING = Status.ENQUEUED
    RUNNING = Status.IN_PROGRESS

    id = models.CharField(
        primary_key=True, max_length=27, default=new_async_action_id, editable=False
    )
    type = models.CharField(max_length=32, choices=Type)
    status = models.CharField(max_length=16, choices=Status, default=Status.ENQUEUED)
    api_key = models.ForeignKey(
        "core.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="async_actions",
        help_text="The application key that started it.",
    )
    # The key's name when the action was started: Activity shows it even after the key goes.
    actor_label = models.CharField(max_length=255, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=list, blank=True, help_text="What the job works on.")
    result = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table of the ``async_actions`` app this model came from (issue 17).
        db_table = "async_actions_asyncaction"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="async_action_created_idx")]

    def __str__(self) -> str:
        return self.id

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def processing_time_ms(self) -> int | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds() * 1000)
