"""Writes of async actions: start an orders import, run it in a worker, record its result.

``start_orders_import`` stores the orders and enqueues the job once the row is committed;
``run_orders_import`` (the Celery task's body) runs the project's one importer,
``orders.importing.import_payloads``, and records the reference's result
``{message, done_count, failed_count, failed[{source_id, reason}]}``.
"""

import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import AsyncAction

logger = logging.getLogger(__name__)

# An action started this many times without finishing (its worker keeps dying) is failed.
MAX_ATTEMPTS = 3


def start_orders_import(
    orders: list[dict[str, Any]],
    *,
    api_key: Any = None,
    actor_label: str = "",
    request_id: str = "",
) -> AsyncAction:
    """Record an ENQUEUED ``ORDERS.IMPORT`` action for ``orders`` (the request's JSON
    objects, already checked for shape) and enqueue its job after the commit."""
    from .tasks import import_orders  # tasks import this module

    action = AsyncAction.objects.create(
        type=AsyncAction.Type.ORDERS_IMPORT,
        api_key=api_key,
        actor_label=actor_label,
        request_id=request_id[:64],
        payload=orders,
    )
    transaction.on_commit(lambda: import_orders.delay(action.pk))
    return action


def _claim(action_id: str) -> AsyncAction | None:
    """Mark the action IN_PROGRESS for this run; ``None`` when it has already finished.

    A re-delivered task (``acks_late``) finds it IN_PROGRESS and runs it again: the importer
    upserts by ``id`` / ``source_id``, so a second run does not duplicate those orders.
    """
    claimed = AsyncAction.objects.filter(
        pk=action_id, status__in=[AsyncAction.Status.ENQUEUED, AsyncAction.Status.IN_PROGRESS]
    ).update(
        status=AsyncAction.Status.IN_PROGRESS,
        started_at=timezone.now(),
        updated_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    return AsyncAction.objects.get(pk=action_id) if claimed else None


def _finish(action: AsyncAction, status: str, result: dict[str, Any]) -> None:
    now = timezone.now()
    AsyncAction.objects.filter(pk=action.pk).update(
        status=status, result=result, finished_at=now, updated_at=now
    )


def import_result(done: int, failures: list[dict[str, str]]) -> dict[str, Any]:
    """The reference's ``ORDERS.IMPORT`` result."""
    return {
        "message": f"{done} order(s) imported successfully, {len(failures)} failed.",
        "done_count": done,
        "failed_count": len(failures),
        "failed": failures,
    }


def _failures(problems: list[Any]) -> list[dict[str, str]]:
    """One ``{source_id, reason}`` per failed order (its problems joined), in input order.

    An order without a ``source_id`` is named by its position in the request instead.
    """
    by_order: dict[Any, tuple[str, list[str]]] = {}
    for problem in problems:
        key = (getattr(problem, "file", ""), getattr(problem, "line", 0))
        source_id = getattr(problem, "source_id", "") or ""
        reasons = by_order.setdefault(key, (source_id, []))[1]
        reasons.append(str(problem.reason))
    failures = []
    for (_, line), (source_id, reasons) in by_order.items():
        reason = "; ".join(dict.fromkeys(reasons))
        if source_id:
            failures.append({"source_id": source_id, "reason": reason})
        else:
            failures.append({"reason": f"Order [{max(int(line or 1), 1) - 1}]: {reason}"})
    return failures


def run_orders_import(action_id: str) -> None:
    """Import the action's orders (invalid ones are skipped and reported) and record the
    result; DONE even when some orders failed, FAILED only when the import could not run."""
    from orders.importing import import_payloads

    action = _claim(action_id)
    if action is None:
        logger.info("async action %s: nothing to do", action_id)
        return
    orders = action.payload if isinstance(action.payload, list) else []
    if action.attempts > MAX_ATTEMPTS:
        message = "The import was started too many times without finishing."
        _finish(action, AsyncAction.Status.FAILED, {**import_result(0, []), "message": message})
        return
    try:
        outcome = import_payloads(orders, on_error="skip", actor_label=action.actor_label or "API")
    except Exception:
        logger.exception("async action %s failed", action.pk)
        result = import_result(0, [])
        result["message"] = "The orders could not be imported because of an internal error."
        result["failed_count"] = len(orders)
        _finish(action, AsyncAction.Status.FAILED, result)
        return
    failures = _failures(list(outcome.problems))
    done = outcome.created + outcome.updated + outcome.unchanged
    _finish(action, AsyncAction.Status.DONE, import_result(done, failures))
