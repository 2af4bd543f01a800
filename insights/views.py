"""The insights strip above the orders list (and on a segment's page): an htmx fragment,
loaded after the list so the list never waits for it.

It takes the list's own query (the same ``OrderFilter``), so its figures always agree with
the list and with an export of the same filters, plus ``by``: the metadata property whose
top values it shows.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import mark_safe

from core.lists import changed_query, url_with
from core.money import format_money
from core.views import DashboardView
from orders.filters import OrderFilter
from orders.list_links import list_url, list_url_maker
from orders.models import OrderStatus
from orders.selectors import orders_visible_to

from .charts import bars, svg
from .selectors import COUNTABLE_TYPES, Bucket, Figures, Insights, order_insights, top_values


@dataclass
class Figure:
    """One number of the strip, with its change against the period before."""

    label: str
    value: str
    change: str  # "+12 %", "−3.1 pts", "new", or "" without a period to compare
    trend: str  # "up", "down" or "" (for the arrow's colour; the text says it too)


def _percent_change(current: int | None, previous: int | None) -> tuple[str, str]:
    if current is None or previous is None:
        return "", ""
    if previous == 0:
        return ("new", "up") if current else ("no change", "")
    change = (current - previous) / previous * 100
    if round(change, 1) == 0:
        return "no change", ""
    sign = "+" if change > 0 else "−"
    return f"{sign}{abs(change):.1f} %", "up" if change > 0 else "down"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def figures_of(insights: Insights) -> list[Figure]:
    current, previous = insights.current, insights.previous

    def figure(label: str, text: str, now: int | None, before: int | None) -> Figure:
        change, trend = _percent_change(now, before) if previous is not None else ("", "")
        return Figure(label, text, change, trend)

    canceled_change, canceled_trend = "", ""
    now_share = current.canceled_share
    before_share = previous.canceled_share if previous is not None else None
    if now_share is not None and before_share is not None:
        points = (now_share - before_share) * 100
        if round(points, 1) == 0:
            canceled_change = "no change"
        else:
            sign = "+" if points > 0 else "−"
            canceled_change = f"{sign}{abs(points):.1f} pts"
            canceled_trend = "up" if points > 0 else "down"
    before = previous or Figures()
    return [
        figure("Orders", number_format(current.orders, force_grouping=True), current.orders,
               before.orders),
        figure("Revenue", format_money(current.revenue), current.revenue, before.revenue),
        figure("Average order", format_money(current.average), current.average,
               before.average),
        figure("Discount given", format_money(current.discount), current.discount,
               before.discount),
        Figure("Canceled", _share(current.canceled_share), canceled_change, canceled_trend),
    ]  # fmt: skip


def _bucket_label(bucket: Bucket, granularity: str) -> str:
    if granularity == "month":
        return bucket.first.strftime("%b %Y")
    return f"{bucket.first.day} {bucket.first.strftime('%b')}"


def _bucket_name(bucket: Bucket, granularity: str) -> str:
    if granularity == "month":
        return bucket.first.strftime("%B %Y")
    if granularity == "week":
        return f"Week of {_day(bucket.first)} – {_day(bucket.last)}"
    return _day(bucket.first)


def _day(day: date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"


def countable_properties(filterset: OrderFilter) -> list[str]:
    """The order metadata properties whose top values the strip can show."""
    return [
        name
        for name, prop in sorted(filterset.schema_properties.items())
        if prop.type in COUNTABLE_TYPES
    ]


def chosen_property(query: QueryDict, properties: list[str]) -> str:
    """``by`` when it names one of ``properties``, else the first of them (or "")."""
    key = query.get("by", "")
    return key if key in properties else next(iter(properties), "")


def strip_context(
    filterset: OrderFilter, query: QueryDict, link_base: QueryDict, top_url: str
) -> dict[str, Any]:
    """What insights/_strip.html needs for the orders ``filterset`` selects; bars link to the
    orders list with ``link_base`` narrowed to their days (and status). The top values are
    a fragment of their own (``top_url``), fetched once the strip is shown."""
    zone = timezone.get_current_timezone()
    insights = order_insights(filterset, zone=zone)
    granularity = insights.granularity

    links: dict[tuple[date, str | None], str] = {}
    days = ("created_after", "created_before")
    of_days = list_url_maker(link_base, days)
    of_days_and_status = list_url_maker(link_base, (*days, "status"))

    def link(bucket: Bucket, status: str | None) -> str:
        url = links.get((bucket.first, status))
        if url is None:
            first, last = bucket.first.isoformat(), bucket.last.isoformat()
            if status is None:
                url = of_days(created_after=first, created_before=last)
            else:
                url = of_days_and_status(created_after=first, created_before=last, status=status)
            links[bucket.first, status] = url
        return url

    def label(bucket: Bucket) -> str:
        return _bucket_label(bucket, granularity)

    orders = bars(insights.buckets, lambda f: f.orders, link, label)
    revenue = bars(insights.buckets, lambda f: f.revenue, link, label)
    charts = [
        ("orders", "Orders", mark_safe(svg(orders, noun="orders", money=None))),  # noqa: S308  # escaped by svg()
        ("revenue", "Revenue", mark_safe(svg(revenue, noun="", money=format_money))),  # noqa: S308
    ]
    table = [
        {
            "name": _bucket_name(bucket, granularity),
            "url": link(bucket, None),
            "cells": [bucket.statuses.get(status, Figures()) for status, _ in OrderStatus.choices],
            "total": bucket.total,
        }
        for bucket in insights.buckets
    ]
    return {
        "insights": insights,
        "figures": figures_of(insights),
        "charts": charts,
        "table": table,
        "statuses": OrderStatus.choices,
        "per": {"day": "per day", "week": "per week", "month": "per month"}[granularity],
        "top_url": top_url,
    }


def top_context(
    filterset: OrderFilter, query: QueryDict, link_base: QueryDict, top_url: str
) -> dict[str, Any]:
    """What the strip's top-values part needs: the property chosen with ``by`` (else the
    first countable one), its most frequent values, each linking to the list narrowed to it."""
    properties = countable_properties(filterset)
    key = chosen_property(query, properties)
    values = top_values(filterset, key) if key else []
    return {
        "properties": properties,
        "key": key,
        "top_links": [(value, list_url(_with_meta(link_base, key, value))) for value in values],
        "strip_query": query,
        "top_url": top_url,
    }


def _with_meta(query: QueryDict, key: str, value: Any) -> QueryDict:
    narrowed = changed_query(query)
    condition = f"{key}:unset:" if value.value is None else f"{key}:eq:{value.value}"
    narrowed.appendlist("meta", condition)
    return narrowed


class OrderInsightsView(DashboardView):
    """``/orders/insights/?<the list's filters>``: the strip; with ``part=top`` (and
    ``by=<metadata property>``) its top values."""

    permission_required = "orders.view_order"
    template_name = "insights/_strip.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        query = request.GET
        filterset = OrderFilter(query, queryset=orders_visible_to(request.user))
        base = query.copy()
        for name in ("by", "part"):
            base.pop(name, None)
        top_url = url_with(request.path, base, part="top")
        if query.get("part") == "top":
            context = top_context(filterset, query, base, top_url)
            return TemplateResponse(request, f"{self.template_name}#top", context)
        context = strip_context(filterset, query, base, top_url)
        return TemplateResponse(request, self.template_name, context)
