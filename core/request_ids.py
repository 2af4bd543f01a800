"""One id per web request, on every log line the request writes and every line of the Celery
tasks it sends; JSON log lines when ``LOG_FORMAT=json``.

- Each request gets its id (``v-`` and 18 hex digits, the reference API's form) when Django
  starts handling it (``request_started``) and keeps it in a context variable until the
  response is finished (``request_finished``): Django's own line about a 4xx/5xx response,
  written after the middleware, carries it too. ``RequestIdMiddleware`` (first in
  ``MIDDLEWARE``) hands it to the request and sends it back as ``X-Request-Id``. The API's
  error bodies and async actions name the same id (``api.errors.request_id``).
- A task sent while a request runs carries the id in its message headers
  (``before_task_publish``); the worker restores it around the task (``task_prerun``), so the
  task's lines carry the id of the request that asked for it.
- ``RequestIdFilter`` puts the id (``-`` outside any request or task) on every record as
  ``request_id``; ``ReadableFormatter`` and ``JsonFormatter`` write it.
"""

import contextvars
import json
import logging
import secrets
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.core.signals import request_finished, request_started
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

HEADER = "request_id"  # in a Celery message's headers
NONE = "-"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NONE)


def new_request_id() -> str:
    return "v-" + secrets.token_hex(9)


def current_request_id() -> str:
    """The id of the request (or of the task's request) running now; ``-`` outside one."""
    return _current.get()


def request_id_of(request: HttpRequest) -> str:
    """``request``'s id: the one its handling started with, given to it once."""
    value = getattr(request, "request_id", None)
    if value is None:
        value = _current.get()
        if value == NONE:  # a request built by hand (RequestFactory): an id of its own
            value = new_request_id()
        request.request_id = value  # type: ignore[attr-defined]  # read by the API and logs
    return value


@receiver(request_started)
def _begin(**kwargs: Any) -> None:
    value = new_request_id()
    _current.set(value)
    if "sentry_sdk" in sys.modules:  # error reporting on (SENTRY_DSN): events name it too
        sys.modules["sentry_sdk"].set_tag("request_id", value)


@receiver(request_finished)
def _end(**kwargs: Any) -> None:
    _current.set(NONE)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("X-Request-Id", request_id_of(request))
        return response


@before_task_publish.connect
def _send_the_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if headers is not None and HEADER not in headers and _current.get() != NONE:
        headers[HEADER] = _current.get()


_task_tokens: dict[str, contextvars.Token[str]] = {}


@task_prerun.connect
def _take_the_request_id(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    request = getattr(task, "request", None)
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    if value:
        _task_tokens[task_id] = _current.set(str(value))


@task_postrun.connect
def _drop_the_request_id(task_id: str = "", **kwargs: Any) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _current.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True


class ReadableFormatter(logging.Formatter):
    """``2026-12-07 05:43:38,123 WARNING exports.services [v-1a2b…] message``."""

    def __init__(self) -> None:
        super().__init__("{asctime} {levelname} {name} [{request_id}] {message}", style="{")

    def format(self, record: logging.LogRecord) -> str:
        record.__dict__.setdefault("request_id", NONE)
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, and the
    exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NONE),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
