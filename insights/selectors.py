"""The figures of the insights strip, for whatever an ``OrderFilter`` selects.

One path for any filter: the orders themselves, counted and summed per day (of the filter's
time zone) and status. When the filter is only statuses and whole-day creation dates (no
filter at all included), the same sums come from the statistics instead, which PostgreSQL
keeps in step with the orders (insights/models.py): ``HourlyOrderStats`` (70,000 rows for a
million orders over two years) in a zone a whole number of hours from UTC, else
``OrderStats`` per quarter-hour (255,000), against the orders table's million.

Days are always what SQL returns; weeks and months are folded from them here, so both paths
bucket the same way.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import QueryDict
from django.utils import timezone
from psycopg.types.json import Jsonb

from core.filters import Moment, filter_zone
from metadata.conditions import MetaCondition, MetadataKeyText
from orders import grammar
from orders.filters import OrderFilter, reading_every_match
from orders.models import Order, OrderStatus

from .models import HourlyOrderStats, MetadataStats, MetadataTotals, OrderStats, TrackedKey
from .services import TRACKED_TYPES

# Ranges up to this many days are drawn per day, up to TWO_YEARS per week, longer per month.
DAILY_UP_TO = 92
WEEKLY_UP_TO = 731
TOP_VALUES = 5
# Metadata properties whose values are worth counting (not dates or objects).
COUNTABLE_TYPES = ("string", "number", "boolean")
# Filters the statistics table can answer: statuses and creation days; the sort changes no
# figure.
STATS_FILTERS = {"status", "created_after", "created_before", "sort", "source_id_match"}


@dataclass
class Figures:
    """What the strip shows for one period: counts and sums in minor units."""

    orders: int = 0
    amount: int = 0
    revenue: int = 0  # total_amount: after discounts
    discount: int = 0
    canceled: int = 0

    def add(self, status: str, orders: Any, amount: Any, revenue: Any, discount: Any) -> None:
        """Add a row's counts and sums (SQL's sums arrive as Decimals or None)."""
        self.orders += int(orders)
        self.amount += int(amount or 0)
        self.revenue += int(revenue or 0)
        self.discount += int(discount or 0)
        if status == OrderStatus.CANCELED:
            self.canceled += int(orders)

    @property
    def average(self) -> int | None:
        """Average order value (revenue ÷ orders), rounded half up to a minor unit."""
        return (self.revenue * 2 + self.orders) // (self.orders * 2) if self.orders else None

    @property
    def canceled_share(self) -> float | None:
        return self.canceled / self.orders if self.orders else None


@dataclass
class Bucket:
    """One bar of the chart: a day, week or month, its first and last day, per status."""

    first: date
    last: date
    statuses: dict[str, Figures] = field(default_factory=dict)

    @property
    def total(self) -> Figures:
        total = Figures()
        for status, figures in self.statuses.items():
            total.add(status, figures.orders, figures.amount, figures.revenue, figures.discount)
        return total


@dataclass
class TopValue:
    value: str | None  # None: orders without the property
    orders: int
    revenue: int


@dataclass
class Insights:
    current: Figures
    # The period before, of the same length, with the same other filters; None without a
    # creation range to compare.
    previous: Figures | None
    previous_first: date | None
    previous_last: date | None
    granularity: str  # "day", "week" or "month"
    buckets: list[Bucket]
    top_key: str | None
    top_values: list[TopValue]
    from_stats: bool


def _day_rows_from_orders(
    filterset: OrderFilter, zone: tzinfo, within: Q | None = None
) -> list[tuple[Any, ...]]:
    """Orders and sums per day and status of the orders ``filterset`` selects (``within``
    narrowing them further), read from the orders.

    A customer search is summed in its two disjoint parts (``OrderFilter.search_parts``),
    joined in one statement so that both read the same snapshot."""
    parts = filterset.search_parts() or [filterset.qs]
    grouped = [_per_day(part if within is None else part.filter(within), zone) for part in parts]
    if len(grouped) == 1:
        return list(grouped[0])
    # Ordered by its own columns: the orders' default order names none of them.
    joined = grouped[0].union(*grouped[1:], all=True).order_by("day", "status")
    sums: dict[tuple[Any, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for day, status, *figures in joined:
        totals = sums[day, status]
        for index, value in enumerate(figures):
            totals[index] += int(value or 0)
    return [(day, status, *figures) for (day, status), figures in sums.items()]


def _per_day(queryset: QuerySet, zone: tzinfo) -> QuerySet:
    return (
        queryset.order_by()
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values_list("day", "status")
        .annotate(
            orders=Count("*"),
            amount=Sum("amount"),
            revenue=Sum("total_amount"),
            discount=Sum("total_discount_amount"),
        )
    )


# A ``meta=key:eq:value`` the statistics answer: the key and its JSON value.
Facet = tuple[str, Any]


def _day_rows_from_stats(
    statuses: list[str],
    start: datetime | None,
    end: datetime | None,
    zone: tzinfo,
    facet: Facet | None = None,
) -> list[tuple[Any, ...]] | None:
    """Per day and status from the statistics; ``None`` when they cannot answer (a metadata
    value's are per hour only, and the zone's days are not whole hours here)."""
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    if statuses:
        where.append("status = ANY(%s)")
        params.append(statuses)
    if start is not None:
        where.append("bucket >= %s")
        params.append(start)
    if end is not None:
        where.append("bucket < %s")
        params.append(end)
    table = OrderStats._meta.db_table
    condition = " AND ".join(where)
    with connection.cursor() as cursor:
        # The first and last bucket, for the zone's offsets in between (a metadata value's
        # are within these, which the bucket index finds at once).
        cursor.execute(
            f"SELECT min(bucket), max(bucket) FROM {table} WHERE {condition}",  # noqa: S608  # as below
            params,
        )
        first, last = cursor.fetchone()
        if first is None:
            return []
        if on_whole_hours(zone, first, last, [start, end]):
            table = HourlyOrderStats._meta.db_table
        elif facet is not None:
            return None
        if facet is not None:
            table = MetadataStats._meta.db_table
            condition += " AND key = %s AND value = %s"
            params += [facet[0], Jsonb(facet[1])]
        day, day_params = local_day_sql(zone, first, last)
        sql = f"""
            SELECT {day} AS day, status, sum(orders), sum(amount), sum(total_amount),
                   sum(discount_amount)
            FROM {table}
            WHERE {condition}
            GROUP BY 1, 2
            HAVING sum(orders) <> 0
        """  # noqa: S608  # the table name is the model's; every value is a parameter
        cursor.execute(sql, [*day_params, *params])
        return cursor.fetchall()


def on_whole_hours(
    zone: tzinfo, first: datetime, last: datetime, bounds: Sequence[datetime | None]
) -> bool:
    """Whether ``zone``'s days from ``first`` to ``last`` are whole hours of UTC, so that
    ``HourlyOrderStats`` answers (a quarter of the rows): every offset it had meanwhile is a
    whole number of hours, each change of offset falls on the hour, and so do ``bounds`` (a
    range's start and end)."""
    changes = offset_changes(zone, first, last)
    if changes is None:
        return False
    offsets = [_offset(zone, first), *(offset for _instant, offset in changes)]
    instants = [instant for instant, _after in changes]
    instants += [bound for bound in bounds if bound is not None]
    hour = timedelta(hours=1)
    return all(offset % hour == timedelta(0) for offset in offsets) and all(
        instant.astimezone(UTC).replace(tzinfo=None) == _hour_of(instant) for instant in instants
    )


def _hour_of(instant: datetime) -> datetime:
    """The start of ``instant``'s hour in UTC, as a naive UTC datetime."""
    return instant.astimezone(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)


# Past this many changes of a zone's offset over the buckets read, PostgreSQL's own AT TIME
# ZONE is cheaper than the CASE below (a zone with daylight saving time changes twice a year).
MAX_OFFSET_CHANGES = 16


def local_day_sql(zone: tzinfo, first: datetime, last: datetime) -> tuple[str, list[Any]]:
    """SQL for a bucket's day in ``zone``, for buckets from ``first`` to ``last``.

    ``bucket AT TIME ZONE 'Europe/Warsaw'`` looks the zone's rules up for each of the
    statistics' rows, about two thirds of the strip's time with no filter (196 ms of its
    query at a million orders, against 70 ms for adding a fixed offset). Over the buckets read
    a zone has a few offsets, each from one instant on (``offset_changes``), so the day is the
    bucket plus the offset in force then, read as a date (Django's connections are in UTC).
    """
    changes = offset_changes(zone, first, last) if connection.timezone_name == "UTC" else None
    if changes is None:
        return "(bucket AT TIME ZONE %s)::date", [str(zone)]
    offset = _offset(zone, first)
    if not changes:
        return "(bucket + %s)::date", [offset]
    branches, params = [], []
    for instant, after in changes:
        branches.append("WHEN bucket < %s THEN %s")
        params.extend([instant, offset])
        offset = after
    params.append(offset)
    return f"(bucket + CASE {' '.join(branches)} ELSE %s END)::date", params


def _offset(zone: tzinfo, moment: datetime) -> timedelta:
    offset = moment.astimezone(zone).utcoffset()
    assert offset is not None  # an aware moment in a zone
    return offset


@lru_cache(maxsize=64)  # a strip asks twice: for its table and for its days
def offset_changes(
    zone: tzinfo, first: datetime, last: datetime
) -> list[tuple[datetime, timedelta]] | None:
    """``(instant, offset from then on)`` for each change of ``zone``'s UTC offset after
    ``first`` up to ``last``, to the second; ``None`` past ``MAX_OFFSET_CHANGES`` changes or
    when a moment is beyond what a datetime holds in the zone."""
    changes: list[tuple[datetime, timedelta]] = []
    step = timedelta(days=1)
    try:
        before, offset = first, _offset(zone, first)
        while before < last:
            after = min(before + step, last)
            next_offset = _offset(zone, after)
            if next_offset != offset:
                if len(changes) == MAX_OFFSET_CHANGES:
                    return None
                low, high = before, after  # the change is in (low, high]
                while high - low > timedelta(seconds=1):
                    middle = low + (high - low) / 2
                    if _offset(zone, middle) == offset:
                        low = middle
                    else:
                        high = middle
                changes.append((high.replace(microsecond=0), next_offset))
                offset = next_offset
            before = after
    except OverflowError:
        return None
    return changes


def _figures(rows: list[tuple[Any, ...]]) -> Figures:
    figures = Figures()
    for _day, status, orders, amount, revenue, discount in rows:
        figures.add(status, orders, amount or 0, revenue or 0, discount or 0)
    return figures


def _bucket_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def _next_bucket(start: date, granularity: str) -> date:
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def buckets_for(
    rows: list[tuple[Any, ...]], first: date | None, last: date | None
) -> tuple[str, list[Bucket]]:
    """Fold per-day rows into days, weeks or months from ``first`` to ``last`` (the data's
    own first and last day when not given), every bucket present, empty ones included."""
    days = [row[0] for row in rows]
    first = first or (min(days) if days else None)
    last = last or (max(days) if days else None)
    if first is None or last is None or last < first:
        return "day", []
    span = (last - first).days + 1
    granularity = "day" if span <= DAILY_UP_TO else "week" if span <= WEEKLY_UP_TO else "month"
    buckets: dict[date, Bucket] = {}
    start = _bucket_start(first, granularity)
    while start <= last:
        try:
            following = _next_bucket(start, granularity)
        except OverflowError:  # the bucket of 9999-12-31: the last a date can start
            buckets[start] = Bucket(max(start, first), last)
            break
        buckets[start] = Bucket(max(start, first), min(following - timedelta(days=1), last))
        start = following
    for day, status, orders, amount, revenue, discount in rows:
        bucket = buckets.get(_bucket_start(day, granularity))
        if bucket is None:
            continue
        figures = bucket.statuses.setdefault(status, Figures())
        figures.add(status, orders, amount or 0, revenue or 0, discount or 0)
    return granularity, list(buckets.values())


@dataclass(frozen=True)
class StatsScope:
    """The statistics can answer a filter: these statuses, creation range, and metadata
    value (``facet``) if any."""

    statuses: list[str]
    start: datetime | None
    end: datetime | None
    facet: Facet | None


def stats_scope(filterset: OrderFilter, zone: tzinfo) -> StatsScope | None:
    """What the statistics would read for ``filterset``, or ``None`` when only the orders
    can answer it: every order may be counted (the FilterSet's queryset is not narrowed),
    only statuses, whole creation days and one ``meta=key:eq:value`` on a tracked property
    are in force, and the days in ``zone`` are whole quarter-hours from the first order (or
    the range's start) to now."""
    if filterset.queryset.query.where:  # type: ignore[union-attr]  # a FilterSet's queryset
        return None  # someone's orders only, or none
    filterset.form.is_valid()  # fills cleaned_data with the fields that are valid
    data = filterset.form.cleaned_data
    facet: Facet | None = None
    for name, value in data.items():
        if name in STATS_FILTERS or value in (None, "", [], (), grammar.NO_FILTERS):
            continue
        if name == "meta" and (facet := _facet(value)) is not None:
            continue
        return None
    after: Moment | None = data.get("created_after")
    before: Moment | None = data.get("created_before")
    if not all(moment is None or moment.whole_day for moment in (after, before)):
        return None
    start = after.start(zone) if after else None
    end = before.end(zone) if before else None
    moments = [start] if start else []
    if not moments:
        earliest = Order.objects.aggregate(earliest=Min("created_at"))["earliest"]
        moments = [earliest] if earliest else []
    now = timezone.now()
    if not all(_on_quarter_hours(zone, moment) for moment in [*moments, now]):
        return None
    # A metadata value is counted per hour only
    if facet is not None and not on_whole_hours(zone, (moments or [now])[0], now, [start, end]):
        return None
    return StatsScope(list(data.get("status") or []), start, end, facet)


def _facet(conditions: list[MetaCondition]) -> Facet | None:
    """The key and value of a lone ``key:eq:value`` on a tracked text or yes/no property."""
    if len(conditions) != 1:
        return None
    condition = conditions[0]
    if condition.op != "eq" or condition.array or condition.type not in TRACKED_TYPES:
        return None
    if not TrackedKey.objects.filter(key=condition.key).exists():
        return None
    return condition.key, condition.value


def _on_quarter_hours(zone: tzinfo, moment: datetime) -> bool:
    """Whether ``zone`` was a whole number of quarter-hours from UTC at ``moment``: every
    zone is today, but local mean times before standard time were not (St John's was
    −3:30:52 until 1935, Kolkata +5:53:20 before 1906). Offsets became whole quarter-hours
    once and stayed so, so the first moment of a range (and now) tell for all of it."""
    try:
        offset = moment.astimezone(zone).utcoffset()
    except OverflowError:
        return False
    return offset is not None and offset.total_seconds() % (15 * 60) == 0


def order_insights(filterset: OrderFilter, *, zone: tzinfo, top_key: str | None = None) -> Insights:
    """The strip's figures for the orders ``filterset`` selects (its invalid fields left out,
    as the list leaves them out), days and weeks in ``zone``."""
    with for_sums():
        return _order_insights(filterset, zone, top_key)


@contextmanager
def for_sums() -> Iterator[None]:
    """The strip's statements read every order a filter selects, not the first page of them:
    the filters name a search's customers up to ``MANY_CUSTOMERS`` (``reading_every_match``),
    and JIT compilation is off. The planner's costs for a million orders switch it on, which
    alone takes longer (about 300 ms) than the aggregates it would speed up.

    Set for the session and reset after, not ``SET LOCAL`` in a transaction: a transaction
    around the strip's statements would keep each table it read locked until the last one,
    and a ``TRUNCATE`` of the orders (which empties the statistics too) taking them in the
    other order deadlocks with it. Statement by statement, either one waits for the other."""
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        with reading_every_match():
            yield
    except BaseException:
        # In a failed transaction the RESET fails too: its rollback takes the SET with it.
        with suppress(DatabaseError):
            _reset_jit()
        raise
    _reset_jit()


def _reset_jit() -> None:
    with connection.cursor() as cursor:
        cursor.execute("RESET jit")


def _order_insights(filterset: OrderFilter, zone: tzinfo, top_key: str | None) -> Insights:
    filterset.form.is_valid()  # fills cleaned_data with the fields that are valid
    data = filterset.form.cleaned_data
    after: Moment | None = data.get("created_after")
    before: Moment | None = data.get("created_before")
    start = after.start(zone) if after else None
    end = (before.end(zone) if before.whole_day else before.start(zone)) if before else None
    scope = stats_scope(filterset, zone)
    rows = None
    if scope is not None:
        rows = _day_rows_from_stats(scope.statuses, start, end, zone, scope.facet)
    from_stats = rows is not None
    if rows is None:
        rows = _day_rows_from_orders(filterset, zone)

    first = _local_day(start, zone) if start else None
    last = None
    if before is not None:
        last = _local_day(_just_before(end), zone) if end else None
    elif start is not None:
        last = timezone.localdate(timezone=zone)
    granularity, buckets = buckets_for(rows, first, last)

    previous = previous_first = previous_last = None
    # An open range (from a day on) is compared, day for day, with as many days before it,
    # today included: whole days, as the statistics count them.
    period_end = end
    if period_end is None and after is not None and after.whole_day:
        period_end = Moment(timezone.localdate(timezone=zone)).end(zone)
    previous_start = _previous_start(start, period_end or timezone.now(), zone) if start else None
    if start is not None and previous_start is not None:
        earlier = None
        if scope is not None and from_stats and _on_quarter_hours(zone, previous_start):
            earlier = _day_rows_from_stats(scope.statuses, previous_start, start, zone, scope.facet)
        if earlier is not None:
            previous = _figures(earlier)
        else:
            previous = _previous_from_orders(filterset, zone, previous_start, start)
        previous_first = previous_start.astimezone(zone).date()
        previous_last = _local_day(_just_before(start), zone)

    top_values = _top_values(filterset, top_key, zone, scope) if top_key else []
    return Insights(
        current=_figures(rows),
        previous=previous,
        previous_first=previous_first,
        previous_last=previous_last,
        granularity=granularity,
        buckets=buckets,
        top_key=top_key,
        top_values=top_values,
        from_stats=from_stats,
    )


def _just_before(moment: datetime) -> datetime:
    """The instant before ``moment`` (the first instant there is has none: itself)."""
    try:
        return moment - timedelta(microseconds=1)
    except OverflowError:
        return moment


def _local_day(moment: datetime, zone: tzinfo) -> date:
    """``moment``'s day in ``zone``; the first (last) day a date holds for a moment before
    year 1 (after year 9999) there, as ``0001-01-01T00:00+05:00`` is in UTC."""
    try:
        return moment.astimezone(zone).date()
    except OverflowError:
        return date.min if moment.year == 1 else date.max


def _previous_start(start: datetime, end: datetime, zone: tzinfo) -> datetime | None:
    """The start of the period of the same length just before ``[start, end)``; ``None``
    when that range is empty (a range the wrong way round, a start in the future) or the
    period would begin before year 1 (``created_after=0001-01-02``)."""
    if end <= start:
        return None
    try:
        previous_start = start - (end - start)
        previous_start.astimezone(zone).date()  # its first day, in the zone, too
    except OverflowError:
        return None
    return previous_start


def _previous_from_orders(
    filterset: OrderFilter, zone: tzinfo, start: datetime, end: datetime
) -> Figures:
    """The same filters with the creation range moved to [start, end)."""
    data = (filterset.data or QueryDict()).copy()
    for name in ("created_after", "created_before"):
        data.pop(name, None)
    # The same reading of ranges, or a range the wrong way round (which the API takes as
    # given) would be dropped from the previous period and kept in the current one.
    earlier = OrderFilter(
        data,
        queryset=filterset.queryset,
        zone=filterset.zone,
        hint_empty_ranges=filterset.hint_empty_ranges,
    )
    within = Q(created_at__gte=start, created_at__lt=end)
    return _figures(_day_rows_from_orders(earlier, zone, within))


def top_values(filterset: OrderFilter, key: str) -> list[TopValue]:
    """The most frequent values of the metadata property ``key`` among the orders
    ``filterset`` selects (orders without it counted as ``None``)."""
    with for_sums():
        zone = filter_zone(filterset)
        return _top_values(filterset, key, zone, stats_scope(filterset, zone))


def _top_values(
    filterset: OrderFilter, key: str, zone: tzinfo, scope: StatsScope | None
) -> list[TopValue]:
    """The top values from the statistics when ``scope`` (``stats_scope`` of the filter)
    allows, else from the orders."""
    if scope is not None and (scope.facet is None or scope.facet[0] == key):
        counted = _top_values_from_stats(scope, key, zone)
        if counted is not None:
            return counted
    rows = (
        filterset.qs.order_by()
        .annotate(value=MetadataKeyText(key, "metadata"))
        .values_list("value")
        .annotate(orders=Count("*"), revenue=Sum(F("total_amount")))
        .order_by("-orders", "value")[:TOP_VALUES]
    )
    return [TopValue(value, orders, int(revenue or 0)) for value, orders, revenue in rows]


def _top_values_from_stats(scope: StatsScope, key: str, zone: tzinfo) -> list[TopValue] | None:
    """The same from ``MetadataTotals`` (``MetadataStats`` for a creation range); ``None``
    when ``key`` is not tracked, or a range's days in ``zone`` are not whole hours. The
    value's text, as the orders' ``->>`` reads it (``"12"`` and ``12`` are one value there,
    JSON's null is no value)."""
    if not TrackedKey.objects.filter(key=key).exists():
        return None
    table = MetadataTotals._meta.db_table  # every creation time: no hours to read
    if scope.start is not None or scope.end is not None:
        table = MetadataStats._meta.db_table
        moments = [moment for moment in (scope.start, scope.end) if moment is not None]
        if not on_whole_hours(zone, moments[0], moments[-1], moments):
            return None
    where: list[str] = ["key = %s"]
    params: list[Any] = [key]
    if scope.facet is not None:
        where.append("value = %s")
        params.append(Jsonb(scope.facet[1]))
    if scope.statuses:
        where.append("status = ANY(%s)")
        params.append(scope.statuses)
    if scope.start is not None:
        where.append("bucket >= %s")
        params.append(scope.start)
    if scope.end is not None:
        where.append("bucket < %s")
        params.append(scope.end)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT value #>> '{{}}' AS text, sum(orders), sum(total_amount)
            FROM {table}
            WHERE {" AND ".join(where)}
            GROUP BY 1
            HAVING sum(orders) <> 0
            ORDER BY 2 DESC, 1
            LIMIT {TOP_VALUES}
            """,  # noqa: S608  # the table name is the model's; every value is a parameter
            params,
        )
        return [TopValue(text, int(orders), int(revenue or 0)) for text, orders, revenue in cursor]
