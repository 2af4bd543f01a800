"""Date formats of the admin (and of any ``|date`` without an argument): the same reading as
the dashboard's ``core.times.local_time``, ``2026-11-23 15:05 CET``, so the zone is named."""

DATETIME_FORMAT = "Y-m-d H:i T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
