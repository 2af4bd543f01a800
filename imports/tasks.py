"""Celery tasks of imports: each takes an id and calls a service.

Like the export task, the import acknowledges its message only once it has run
(``acks_late``; a message whose worker died is put back) and has time limits of its own.
"""

from celery import shared_task
from django.conf import settings

from . import services

# At most 2,000 orders per action: minutes, not hours, even on a busy database.
TIME_LIMIT_SECONDS = getattr(settings, "ASYNC_ACTION_TIME_LIMIT_SECONDS", 30 * 60)


# The name the task had in the ``async_actions`` app, kept: messages a broker still holds
# from before an upgrade name it, and a worker must find the task they name.
@shared_task(
    name="async_actions.tasks.import_orders",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=TIME_LIMIT_SECONDS - 30,
    time_limit=TIME_LIMIT_SECONDS,
)
def import_orders(action_id: str) -> None:
    services.run_orders_import(action_id)
