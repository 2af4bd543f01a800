"""Template helpers of the dashboard: money, times in the user's zone and status badges.

Load with ``{% load dashboard %}``.
"""

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core import times
from core.money import format_money

register = template.Library()


class HasStatus(Protocol):
    status: str

    def get_status_display(self) -> str: ...


@register.filter
def money(minor_units: int | None) -> str:
    """``7700|money`` → ``"$77.00"`` in the project currency; ``None`` → ``"—"``."""
    return format_money(minor_units)


@register.filter
def local_time(value: datetime | None) -> str:
    """A moment as people read it in the dashboard: ``"2026-11-23 15:05 CET"``, in the
    signed-in user's zone (``core.times``), the zone named."""
    return times.local_time(value)


# The name templates used while every page showed UTC; it gives the same as ``local_time``.
register.filter("utc", local_time)


@register.simple_tag
def status_badge(obj: HasStatus) -> SafeString:
    """A coloured badge for anything with a ``status`` choice field (orders, exports)."""
    return badge(obj.status, obj.get_status_display())


def badge(status: str, label: str) -> SafeString:
    """``<span class="badge badge-in-progress">In progress</span>`` for a status value."""
    return format_html(
        '<span class="badge badge-{}">{}</span>', status.lower().replace("_", "-"), label
    )


@register.filter
def plain_number(value: Decimal | int | None) -> str:
    """``Decimal("10.5000000000")`` → ``"10.5"``: no trailing zeros, never ``1E+1``."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


@register.filter
def badge_count(count: int) -> str:
    """Counts on small badges stop at ``99+`` so the badge keeps its size."""
    return "99+" if count > 99 else str(count)


@register.filter
def get(mapping: Any, key: str) -> Any:
    """``mapping|get:key``: a mapping's value for a key held in a variable (``None`` if none)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def json_compact(value: Any) -> str:
    """A value as compact JSON (``{"a":1}``), for metadata shown inline."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@register.simple_tag
def metadata_value(value: Any, kind: str) -> SafeString:
    """A metadata value as its schema type reads: yes/no, dates as dates, lists as lists."""
    if value is None:
        return format_html('<span class="muted">—</span>')
    if isinstance(value, list):
        return format_html(
            '<ul class="values">{}</ul>',
            format_html_join("", "<li>{}</li>", ((metadata_value(v, kind),) for v in value)),
        )
    if isinstance(value, bool):
        return format_html("{}", "yes" if value else "no")
    if kind == "date" and isinstance(value, str):
        try:
            return format_html("{}", date.fromisoformat(value).strftime("%d %b %Y"))
        except ValueError:
            pass
    if kind == "datetime" and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return format_html("{}", local_time(moment))
        except ValueError:
            pass
    if isinstance(value, dict):
        return format_html("<code>{}</code>", json_compact(value))
    return format_html("{}", value)


@register.simple_tag
def metadata_pairs(metadata: dict[str, Any]) -> SafeString:
    """Metadata with no schema to type it (an item's) as "key: value" pairs people read."""
    return format_html(
        '<dl class="pairs">{}</dl>',
        format_html_join(
            "",
            "<div><dt>{}</dt><dd>{}</dd></div>",
            ((key, metadata_value(value, "")) for key, value in metadata.items()),
        ),
    )
