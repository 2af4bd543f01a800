"""Writes of async actions (the API's import jobs): start an orders import, run it in a
worker, record its result.

``start_orders_import`` stores the orders and enqueues the job once the row is committed;
``run_orders_import`` (the Celery task's body) runs the project's one importer,
``imports.loading.import_payloads``, and records the reference's result
``{message, done_count, failed_count, failed[{source_id, reason}]}``.

As with exports (``core.jobs``): the message is sent after the commit and a broker that can't
be reached raises ``QueueUnavailable`` with the action still ENQUEUED; a running import
writes a heartbeat, and ``reap_stuck_actions`` re-sends or retries the ones without one.
"""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.jobs import finish, reap_stuck, run_job, send_job

from . import loading
from .models import AsyncAction

logger = logging.getLogger(__name__)


def start_orders_import(
    orders: list[dict[str, Any]],
    *,
    api_key: Any = None,
    actor_label: str = "",
    request_id: str = "",
) -> AsyncAction:
    """Record an ENQUEUED ``ORDERS.IMPORT`` action for ``orders`` (the request's JSON
    objects, already checked for shape) and enqueue its job after the commit.

    Raises ``QueueUnavailable`` (from the commit, when inside a caller's transaction) if the
    broker can't be reached: the action is saved, still ENQUEUED, and the reaper sends it.
    """
    action = AsyncAction.objects.create(
        type=AsyncAction.Type.ORDERS_IMPORT,
        api_key=api_key,
        actor_label=actor_label,
        request_id=request_id[:64],
        payload=orders,
        heartbeat_at=timezone.now(),
    )
    transaction.on_commit(lambda: send_action(action.pk))
    return action


def send_action(action_id: str) -> None:
    """Send the action's job to a worker; ``QueueUnavailable`` when the broker is down."""
    send_job(AsyncAction, action_id, "import")


def _finish(action: AsyncAction, status: str, result: dict[str, Any]) -> None:
    # One statement: status and result are seen together (a poll never sees DONE without
    # its result).
    finish(AsyncAction, action.pk, status, result=result)


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
    result; DONE even when some orders failed, FAILED only when the import could not run.

    Claiming, attempts and the heartbeat are ``core.jobs.run_job``'s. A re-delivered action
    (its worker died) runs again: the importer upserts by ``id`` / ``source_id``, so a second
    run does not duplicate those orders.
    """
    run_job(AsyncAction, action_id, _import, too_many_attempts=_started_too_often)


def _started_too_often(action: AsyncAction) -> None:
    message = "The import was started too many times without finishing."
    _finish(action, AsyncAction.Status.FAILED, {**import_result(0, []), "message": message})


def _import(action: AsyncAction) -> None:
    orders = action.payload if isinstance(action.payload, list) else []
    try:
        outcome = loading.import_payloads(
            orders, on_error="skip", actor_label=action.actor_label or "API"
        )
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


GIVEN_UP = "The import stopped responding and was given up. Import the orders again."


def reap_stuck_actions() -> dict[str, int]:
    """Send again, retry or fail the actions with no sign of life for
    ``JOB_STUCK_AFTER_SECONDS`` (``core.jobs.reap_stuck``, as for exports). Returns the
    counts ``{resent, retried, failed}``."""
    return reap_stuck(
        AsyncAction,
        send=send_action,
        give_up=_give_up,
    )


def _give_up(action: AsyncAction) -> None:
    payload = action.payload if isinstance(action.payload, list) else []
    result = {**import_result(0, []), "message": GIVEN_UP, "failed_count": len(payload)}
    _finish(action, AsyncAction.Status.FAILED, result)
