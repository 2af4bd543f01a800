"""``GET /v1/orders/stats``: the insights strip's figures for storefront dashboards.

The orders are selected by ``GET /v1/orders``' own ``filters[...]`` parameters, read by the
same code (``api.orders.order_filter_for``: the same 400s), and counted by the strip's
selector (``insights.selectors.order_insights``), so the API, the list and the strip agree.

``timezone`` (an IANA name, UTC by default) is the zone of the series' days and of the
filters' dates without an offset: a day is then that zone's day in both, so every bucket is
whole. With the default, the orders counted are exactly those ``GET /v1/orders`` lists.
"""

from typing import Annotated, Any
from zoneinfo import ZoneInfo, available_timezones

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from core.money import currency
from insights.selectors import COUNTABLE_TYPES, Figures, Insights, order_insights
from orders.filters import OrderFilter
from orders.models import OrderStatus

from .errors import ApiError
from .order_schemas import ERRORS, METADATA_KEY
from .order_stats_schemas import OrderStatsOut
from .orders import order_filter_for

router = Router()

# Read once: the names the document lists are the names the server takes.
TIME_ZONES = sorted(available_timezones() | {"UTC"})
_KNOWN_ZONES = frozenset(TIME_ZONES)
# Buckets a series holds at most (monthly: 50 years).
MAX_SERIES = 600
# Checked by ``_zone`` (its 400 names the parameter without listing every zone).
ZoneName = Annotated[str, Field(json_schema_extra={"enum": TIME_ZONES})]


@router.get(
    "/orders/stats",
    response={200: OrderStatsOut, **ERRORS},
    by_alias=True,
    summary="Order statistics",
    operation_id="get-orders-stats",
)
def orders_stats(
    request: HttpRequest,
    timezone: ZoneName = Query(
        "UTC",
        description="IANA time zone of the series' days and of the filters' dates "
        "without an offset.",
    ),
    metadata_key: str | None = Query(
        None,
        min_length=1,
        max_length=100,
        pattern=f"^{METADATA_KEY}$",
        description="A string, number or boolean property of the order metadata schema: "
        "`top_values` counts its most frequent values.",
    ),
) -> dict[str, Any]:
    """Counts and sums of the orders `GET /v1/orders` would list for the same
    `filters[<field>][conditions][<$operator>][<index>]=<value>` parameters, the same
    figures for the period just before, a series per day, week or month with the statuses
    apart, and the top values of one metadata property. Amounts are minor units of
    `currency`.

    A `timezone` the server does not know, a filter it can't read, a `metadata_key` that
    is not a string, number or boolean property of the order metadata schema, or a range
    whose series would pass 600 buckets (50 years) is a 400 `invalid_query_params` naming
    the parameter."""
    zone = _zone(timezone)
    order_filter = order_filter_for(request.GET, zone=zone)
    top_key = _countable_property(order_filter, metadata_key) if metadata_key else None
    insights = order_insights(order_filter, zone=zone, top_key=top_key)
    if len(insights.buckets) > MAX_SERIES:
        # Each bucket is about 450 bytes of JSON: 0001-01-02 to today by month is 10 MB.
        raise ApiError(
            400,
            "invalid_query_params",
            details=f"Parameter filters[created_at]: the series would hold "
            f"{len(insights.buckets):,} {insights.granularity}s; give a created_at range of at "
            f"most {MAX_SERIES:,} months.",
        )
    return _body(insights, timezone)


def _zone(name: str) -> ZoneInfo:
    if name not in _KNOWN_ZONES:
        raise ApiError(
            400,
            "invalid_query_params",
            details=f"Parameter timezone: '{name}' is not an IANA time zone name "
            "(e.g. Europe/Warsaw, America/New_York, UTC).",
        )
    return ZoneInfo(name)


def _countable_property(order_filter: OrderFilter, key: str) -> str:
    prop = order_filter.schema_properties.get(key)
    if prop is None:
        known = [
            name for name, p in order_filter.schema_properties.items() if p.type in COUNTABLE_TYPES
        ]
        choices = f"; use one of {', '.join(known)}" if known else "; it has none to count"
        raise ApiError(
            400,
            "invalid_query_params",
            details=f"Parameter metadata_key: '{key}' is not a property of the order metadata "
            f"schema{choices}.",
        )
    if prop.type not in COUNTABLE_TYPES:
        raise ApiError(
            400,
            "invalid_query_params",
            details=f"Parameter metadata_key: '{key}' is a {prop.type} property; top values "
            f"are counted for {', '.join(COUNTABLE_TYPES)} properties.",
        )
    return key


def _status_figures(figures: Figures) -> dict[str, int]:
    return {
        "orders": figures.orders,
        "amount": figures.amount,
        "total_amount": figures.revenue,
        "total_discount_amount": figures.discount,
    }


def _figures(figures: Figures) -> dict[str, Any]:
    return {
        **_status_figures(figures),
        "average_order_value": figures.average,
        "canceled": figures.canceled,
        "canceled_share": figures.canceled_share,
    }


def _body(insights: Insights, zone_name: str) -> dict[str, Any]:
    previous = None
    if insights.previous is not None:
        previous = {
            **_figures(insights.previous),
            "from": insights.previous_first,
            "to": insights.previous_last,
        }
    series = []
    for bucket in insights.buckets:
        total = bucket.total
        series.append(
            {
                "from": bucket.first,
                "to": bucket.last,
                "orders": total.orders,
                "total_amount": total.revenue,
                "statuses": {
                    status: _status_figures(bucket.statuses.get(status, Figures()))
                    for status in OrderStatus.values
                },
            }
        )
    top_values = None
    if insights.top_key is not None:
        top_values = {
            "key": insights.top_key,
            "values": [
                {"value": top.value, "orders": top.orders, "total_amount": top.revenue}
                for top in insights.top_values
            ],
        }
    return {
        "object": "orders_stats",
        "currency": currency(),
        "timezone": zone_name,
        "granularity": insights.granularity,
        **_figures(insights.current),
        "previous": previous,
        "series": series,
        "top_values": top_values,
    }
