"""The breadcrumb every dashboard page shows, by the rule of ``core.navigation``.

Load with ``{% load navigation %}``; ``base.html`` renders ``{% breadcrumbs %}``.
"""

from typing import Any

from django import template

from core.navigation import breadcrumbs as breadcrumb_rule

register = template.Library()


@register.inclusion_tag("_breadcrumbs.html", takes_context=True)
def breadcrumbs(context: template.Context, current: str = "") -> dict[str, Any]:
    """The page's crumbs from its view's ``nav``, ``trail`` and ``title`` (or ``current``,
    for pages rendered without a view's context: 403 and 404)."""
    crumbs = breadcrumb_rule(
        nav=context.get("nav") or "",
        title=str(current or context.get("title") or ""),
        trail=context.get("trail") or (),
        home_url=str(context.get("home_url") or "/"),
    )
    return {"crumbs": crumbs}
