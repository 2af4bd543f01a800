"""What the two kinds of background job (exports, async actions) share: sending their
message to the broker, the heartbeat of a running job, and when a job counts as stuck.

A job row is the source of truth; a Celery message only says "look at row N". So a message
that never reached the broker, or a worker killed with ``-9``, loses nothing: the row says
SCHEDULED / ENQUEUED or IN_PROGRESS with an old ``heartbeat_at``, and the reaper (every
``JOB_REAP_EVERY_SECONDS``) sends the message again or retries the job.
"""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)

# What a publish raises when the broker is down, refuses the connection or does not answer:
# kombu wraps the transport's errors in ``OperationalError`` (a ``KombuError``); a socket
# timeout or refused connection can also come through bare.
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuError, OSError, TimeoutError)


class QueueUnavailable(Exception):
    """The job is saved but its message could not be sent: the broker is unreachable.

    Nothing is lost: the reaper sends it again once the broker is back. Callers turn this
    into a message for the user (the page) or a 503 (the API).
    """

    def __init__(self, kind: str, job_id: str) -> None:
        self.kind = kind
        self.job_id = job_id
        super().__init__(
            f"The {kind} {job_id} is saved, but the job queue can't be reached right now; "
            "it will start by itself when the queue is back."
        )


def send_job(task: Any, job_id: str, kind: str) -> None:
    """Send ``task(job_id)`` to the broker, failing within seconds when it is unreachable.

    Raises ``QueueUnavailable`` (after logging the broker's error) instead of the transport's
    own exceptions, so a caller can answer something better than a 500.
    """
    try:
        task.apply_async((job_id,))
    except BROKER_ERRORS as error:
        logger.warning("could not send the %s %s to the broker: %r", kind, job_id, error)
        raise QueueUnavailable(kind, job_id) from error


def stuck_before() -> datetime:
    """A job with no sign of life (``heartbeat_at``) since this moment has lost its worker or
    its message."""
    return timezone.now() - timedelta(seconds=settings.JOB_STUCK_AFTER_SECONDS)


def reap_stuck(
    model: type[models.Model],
    *,
    waiting: str,
    running: str,
    send: Callable[[str], None],
    give_up: Callable[[Any], None],
) -> dict[str, int]:
    """Send again, retry or fail the jobs of ``model`` with no sign of life since
    ``stuck_before()``; the counts ``{resent, retried, failed}``.

    - ``waiting`` (its message never reached a worker: the broker was down or lost it): the
      message is sent again (``resent``); a broker still down leaves it for the next round.
    - ``running`` (its worker died): run again (``retried``), or after ``EXPORT_MAX_ATTEMPTS``
      runs handed to ``give_up`` (``failed``).
    A job a worker is running has a fresh heartbeat and is never touched.
    """
    cutoff = stuck_before()
    counts = {"resent": 0, "retried": 0, "failed": 0}

    def resend(job_id: str, status: str) -> bool:
        # Only if it is still as stuck as it was read: a worker that claimed it since wins.
        moved = model.objects.filter(
            Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True), pk=job_id, status=status
        ).update(status=waiting, heartbeat_at=timezone.now())
        if not moved:
            return False
        try:
            send(job_id)
        except QueueUnavailable:
            return False  # waiting again, its heartbeat old after the grace: next round
        return True

    lost = model.objects.filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff),
        status=waiting,
    )
    for job_id in lost.values_list("pk", flat=True):
        counts["resent"] += resend(job_id, waiting)
    for job in model.objects.filter(status=running, heartbeat_at__lt=cutoff):
        if job.attempts >= settings.EXPORT_MAX_ATTEMPTS:
            give_up(job)
            counts["failed"] += 1
        else:
            counts["retried"] += resend(job.pk, running)
    return counts


@contextmanager
def heartbeat(model: type[models.Model], job_id: str) -> Iterator[None]:
    """While the block runs, write ``heartbeat_at = now()`` on the job every
    ``JOB_HEARTBEAT_SECONDS`` from a thread of its own.

    A thread rather than the job's progress callback: a single slow query (a count over
    millions of rows, a long lock wait) must not make a live job look dead. A worker killed
    with ``-9`` takes the thread with it, so the heartbeat stops exactly when it should.
    """
    stop = threading.Event()

    def beat() -> None:
        jobs = model.objects.filter(pk=job_id, status="IN_PROGRESS")  # type: ignore[attr-defined]
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    jobs.update(heartbeat_at=timezone.now())
                except Exception:
                    # A database blip must not stop the beating for good (the job would be
                    # taken for dead and run twice): reconnect at the next beat.
                    logger.warning("heartbeat of %s %s missed", model.__name__, job_id)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
