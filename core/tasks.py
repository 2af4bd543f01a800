"""Celery tasks of the project as a whole: the one reaper of both kinds of job."""

from celery import shared_task

from async_actions.services import reap_stuck_actions
from exports.services import reap_stuck_exports


@shared_task
def reap_stuck_jobs() -> dict[str, dict[str, int]]:
    """Re-send jobs whose message was lost and retry those of a dead worker (``core.jobs``)."""
    return {"exports": reap_stuck_exports(), "async_actions": reap_stuck_actions()}
