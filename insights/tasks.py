"""Celery tasks of insights: the periodic compaction of the order statistics."""

from celery import shared_task

from . import services


@shared_task
def compact_order_stats() -> dict[str, int | bool]:
    """Fold the order statistics' rows (``services.compact_order_stats``); beat runs it."""
    return services.compact_order_stats().as_dict()
