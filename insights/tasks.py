"""Celery tasks of insights: the periodic upkeep of the order statistics."""

from typing import Any

from celery import shared_task

from . import services


@shared_task
def compact_order_stats() -> dict[str, Any]:
    """Count the order schema's text and yes/no properties (``services.track_metadata_keys``)
    and fold the order statistics' rows (``services.compact_order_stats``); beat runs it."""
    tracking = services.track_metadata_keys()
    return {**services.compact_order_stats().as_dict(), **tracking.as_dict()}
