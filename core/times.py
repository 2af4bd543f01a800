"""Moments as people read them: in the signed-in user's time zone, with the zone named.

Timestamps are stored in UTC. ``core.middleware.TimeZoneMiddleware`` activates each request's
zone (the user's preference, else ``TIME_ZONE``); pages format through here so every page,
the orders table included, reads the same, e.g. ``"2026-11-23 15:05 CET"``. Exports keep
writing UTC: a file is read away from the page that asked for it.
"""

import functools
import zoneinfo
from datetime import UTC, datetime, tzinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone


@functools.cache
def _zone_names() -> tuple[frozenset[str], tuple[str, ...]]:
    # zoneinfo.available_timezones() walks the zone database's files on every call (a few
    # milliseconds); the set cannot change while the process runs.
    names = zoneinfo.available_timezones()
    return frozenset(names), tuple(sorted(names))


def available_time_zones() -> list[str]:
    """The IANA zone names a user may choose, sorted (``"Europe/Warsaw"`` ...)."""
    return list(_zone_names()[1])


def validate_time_zone(name: str) -> None:
    """Refuse a zone name the system does not know, with a message people can act on."""
    if name and name not in _zone_names()[0]:
        raise ValidationError(
            "%(name)s is not a time zone name; choose one such as Europe/Warsaw.",
            code="invalid",
            params={"name": name},
        )


def default_time_zone() -> str:
    """The zone of users who have not chosen one: the ``TIME_ZONE`` setting."""
    return settings.TIME_ZONE


def zone_label(moment: datetime) -> str:
    """The zone's abbreviation at that moment (``CET``, ``CEST``, ``UTC``), or its name
    (``America/Sao_Paulo``) where the zone has no lettered abbreviation (``-03``)."""
    abbreviation = moment.tzname() or ""
    if abbreviation.isalpha():
        return abbreviation
    return str(getattr(moment.tzinfo, "key", "") or abbreviation)


def local_time(value: datetime | None, zone: tzinfo | None = None) -> str:
    """``"2026-11-23 15:05 CET"``: a moment in ``zone`` (default: the request's zone)."""
    if value is None:
        return "—"
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    moment = value.astimezone(zone or timezone.get_current_timezone())
    return f"{moment:%Y-%m-%d %H:%M} {zone_label(moment)}"
