"""Logging filters: download tokens never reach a log line.

An export's download link carries its secret in the query string (``?token=…``); access logs
(``runserver``'s ``django.server``, gunicorn's ``gunicorn.access``) and error logs print
request lines. ``RedactTokens`` replaces the value in the message and in its arguments
(strings, tuples, and the dict of atoms gunicorn logs with) by ``[redacted]``.
Installed by ``LOGGING`` (config/settings.py) and, for gunicorn's own loggers, by
``config/wsgi.py``.
"""

import logging
import re
from typing import Any

# token=… in a query string, raw or percent-encoded (token%3D…), up to the next separator.
TOKEN = re.compile(r"((?:^|[?&;\s\"'])token(?:=|%3D))[^&;\s\"']*", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return TOKEN.sub(lambda match: match.group(1) + REDACTED, text)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, tuple):
        return tuple(_redacted(item) for item in value)
    if isinstance(value, dict):
        # In place: gunicorn's atoms are a dict subclass that answers "-" for a missing key.
        for key, item in list(value.items()):
            value[key] = _redacted(item)
    return value


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.args:
            record.args = _redacted(record.args)
        return True


def redact_gunicorn_logs() -> None:
    """Add the filter to gunicorn's loggers (they have their own handlers, set up before
    Django's LOGGING, which must not replace them)."""
    for name in ("gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
