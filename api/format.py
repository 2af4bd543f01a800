"""How the API writes values on the wire (the reference's formats).

Use ``timestamp(dt)`` for every date-time in a response: ISO 8601 in UTC with milliseconds
and ``Z`` (``2022-03-09T09:16:32.521Z``); ``None`` stays ``None``. ``absolute_url(request,
path)`` makes a link clients can follow (export downloads).
"""

from datetime import UTC, date, datetime
from typing import overload

from django.http import HttpRequest


@overload
def timestamp(value: datetime) -> str: ...
@overload
def timestamp(value: None) -> None: ...
@overload
def timestamp(value: datetime | None) -> str | None: ...
def timestamp(value: datetime | None) -> str | None:
    """``2022-03-09T09:16:32.521Z`` for an aware datetime (naive ones are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # isoformat, not strftime: strftime writes year 1 as "1", not "0001".
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    """``2022-03-09`` for a date (a datetime is reduced to its UTC date)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return timestamp(value)[:10]
    return value.isoformat()


def absolute_url(request: HttpRequest, path: str) -> str:
    """``path`` (``/v1/exports/exp_…?token=…``) as an absolute URL on the host the client used."""
    return request.build_absolute_uri(path)
