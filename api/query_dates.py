"""Dates in query parameters, made safe for the database."""

from datetime import UTC, datetime

from .errors import ApiError


def utc(value: datetime, parameter: str) -> datetime:
    """``value`` in UTC (a naive one is taken as UTC); 400 ``invalid_query_params`` for one
    outside what a timestamp can hold (year 9999 at −18:59 is in year 10000 in UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ApiError(
            400,
            "invalid_query_params",
            details=f"Parameter {parameter}: the date is out of range (actual value is "
            f"'{value.isoformat()}')",
        ) from None
