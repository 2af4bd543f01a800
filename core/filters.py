"""Pieces every list's ``FilterSet`` is made of: date and money range filters, and a form that
says when a from/to pair is the wrong way round.

The orders list (``orders.filters.OrderFilter``, also the exports' and the API's) and the
customers list (``customers.filters.CustomerFilter``) build their filters from these, so a
date or an amount is read, and a range checked, the same way on every list.
"""

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, ClassVar

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from .money import MoneyField, format_money


class Moment:
    """A parsed ``created_after``-style value: a whole day (a date) or an exact date-time.

    A date, or a date-time without an offset, is read in a time zone only when it filters
    (``start`` and ``end``): the dashboard's is the signed-in user's, the API's and the
    exports' is UTC (the FilterSet's ``zone``, see ``filter_zone``).
    """

    def __init__(self, value: date | datetime) -> None:
        self.value = value
        self.whole_day = not isinstance(value, datetime)

    def start(self, zone: tzinfo) -> datetime:
        """The first instant this value covers, in UTC (see ``in_utc``)."""
        if isinstance(self.value, datetime):
            moment = self.value
        else:
            moment = datetime.combine(self.value, time())
        return in_utc(moment if moment.tzinfo else moment.replace(tzinfo=zone))

    def end(self, zone: tzinfo) -> datetime:
        """The first instant after this value: the next midnight for a day (which may be 23
        or 25 hours later on a clock change), else the moment itself."""
        if isinstance(self.value, datetime):
            return self.start(zone)
        if self.value == date.max:
            # No next midnight in a date: the last instant a datetime holds, which excludes
            # only its last microsecond (rather than a 500 for ``created_before=9999-12-31``).
            return in_utc(datetime.combine(self.value, time.max, zone))
        return in_utc(datetime.combine(self.value + timedelta(days=1), time(), zone))

    def __str__(self) -> str:
        if isinstance(self.value, datetime):
            text = self.value.strftime("%Y-%m-%d %H:%M")
            if self.value.second or self.value.microsecond:
                text = self.value.strftime("%Y-%m-%d %H:%M:%S")
            offset = self.value.utcoffset()
            if offset is not None:
                text += " UTC" if not offset else self.value.strftime(" %z")
            return text
        return self.value.isoformat()


def in_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; past the last (before the first) instant a datetime holds there, that
    instant. PostgreSQL refuses offsets past ±15:59, which an ISO date-time may carry
    (``9999-12-31T23:59:59-23:59``)."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (datetime.max if moment.year > 1 else datetime.min).replace(tzinfo=UTC)


def parse_date_or_datetime(text: str) -> date | datetime:
    """``2026-05-31`` (a day) or an ISO date-time (with or without an offset); a
    ``ValueError`` for anything else."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return datetime.fromisoformat(text)


class DateOrDateTimeField(forms.CharField):
    """Accepts ``2026-05-31`` or ``2026-05-31T14:00[:00][Z|+02:00]``; a date, or a time
    without an offset, is read in the filter's time zone (see ``Moment``)."""

    def clean(self, value: Any) -> Moment | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return Moment(parse_date_or_datetime(text))
        except ValueError:
            raise ValidationError(
                f"Enter a date like 2026-05-31 or a date and time like 2026-05-31T14:00 "
                f"(actual value is '{text}').",
                code="invalid_date",
            ) from None


def filter_zone(filterset: Any) -> tzinfo:
    """The zone a FilterSet reads dates in: its own ``zone``, else the current one."""
    return getattr(filterset, "zone", None) or timezone.get_current_timezone()


class RangeForm(forms.Form):
    """A filter form whose from/to pairs (``ranges``) must not be the wrong way round.

    A from after its to would match nothing; the to-field says so instead, and the from
    still applies.
    """

    ranges: ClassVar[tuple[tuple[str, str], ...]] = ()

    # The dashboard's lists say so; the API and exports take a range as given (it matches
    # nothing), as the reference's filters do (``OrderFilter(..., hint_empty_ranges=False)``).
    hint_empty_ranges = True

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns
        if not self.hint_empty_ranges:
            return data
        zone = timezone.get_current_timezone()
        for low_name, high_name in self.ranges:
            low, high = data.get(low_name), data.get(high_name)
            if low is None or high is None:
                continue
            if isinstance(low, Moment):
                # A day ends at the next midnight (exclusive); a moment is included.
                if high.whole_day:
                    empty = low.start(zone) >= high.end(zone)
                else:
                    empty = low.start(zone) > high.start(zone)
                relation = "is before"
            else:
                empty = low > high
                relation = "is less than"
            if empty:
                message = (
                    f"{self.fields[high_name].label} ({self._text(high_name, high)}) "
                    f"{relation} {self.fields[low_name].label} ({self._text(low_name, low)}), "
                    "so nothing can match: change one of them."
                )
                self.add_error(high_name, ValidationError(message, code="empty_range"))
        return data

    def _text(self, name: str, value: Any) -> str:
        if isinstance(self.fields[name], MoneyField):
            return format_money(value)
        return str(value)


class MomentFilter(django_filters.Filter):
    """``*_after`` (from, inclusive) or ``*_before`` (up to, inclusive; a date means the
    whole day)."""

    # Set by the FilterSet that binds the filter (not in django-filter's stubs).
    parent: django_filters.FilterSet

    field_class = DateOrDateTimeField

    def filter(self, qs: QuerySet, value: Moment | None) -> QuerySet:
        if value is None:
            return qs
        zone = filter_zone(self.parent)
        if self.lookup_expr == "gte":
            return qs.filter(**{f"{self.field_name}__gte": value.start(zone)})
        if value.whole_day:
            return qs.filter(**{f"{self.field_name}__lt": value.end(zone)})
        return qs.filter(**{f"{self.field_name}__lte": value.start(zone)})


class MoneyFilter(django_filters.Filter):
    field_class = MoneyField
