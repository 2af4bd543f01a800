"""Celery tasks of exports: each takes ids only and calls a service.

The export task acknowledges its message only once it has run (``acks_late``, and a message
whose worker died is put back), and has time limits of its own: an export of millions of
rows must not be cut short by a limit meant for small tasks.
"""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.EXPORT_SOFT_TIME_LIMIT_SECONDS,
    time_limit=settings.EXPORT_TIME_LIMIT_SECONDS,
)
def export_orders(export_id: str) -> None:
    services.run_export(export_id)


@shared_task
def purge_old_exports() -> int:
    return services.purge_old_exports()
