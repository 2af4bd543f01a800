"""Template helpers of the dashboard: money, UTC times and status badges.

Load with ``{% load dashboard %}``.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

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
def utc(value: datetime | None) -> str:
    """A moment as people read it in the dashboard: ``"2026-11-23 14:05 UTC"``.

    Shown in UTC whatever ``TIME_ZONE`` says, because exports are in UTC too and a list and
    its export must agree.
    """
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@register.simple_tag
def status_badge(obj: HasStatus) -> SafeString:
    """A coloured badge for anything with a ``status`` choice field (orders, exports)."""
    return format_html(
        '<span class="badge badge-{}">{}</span>',
        obj.status.lower().replace("_", "-"),
        obj.get_status_display(),
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
