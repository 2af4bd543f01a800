"""Celery tasks of the project as a whole: the one reaper of every kind of job."""

from celery import shared_task

from .jobs import REAPERS


@shared_task
def reap_stuck_jobs() -> dict[str, dict[str, int]]:
    """Re-send jobs whose message was lost and retry those of a dead worker (``core.jobs``),
    for every app that registered its reaper."""
    return {name: reaper() for name, reaper in REAPERS.items()}
