"""Helpers of the orders list's filter panel (``{% load order_list %}``)."""

from datetime import date

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def field_error(field: BoundField, oob: bool = False) -> SafeString:
    """A filter's error messages, where the page's script and tests look for them.

    The same markup as ``orders/_field_error.html``, without an include per field: the panel
    has fourteen of them, and every include costs a template context of its own. ``oob``
    marks it for an htmx out-of-band swap: the response to a filter change replaces the
    messages, never the fields around them.
    """
    errors = field.errors
    return format_html(
        '<div id="error-{}" class="field-error"{}{}>{}</div>',
        field.name,
        SafeString(' hx-swap-oob="true"') if oob else "",
        SafeString(' role="alert"') if errors else "",
        format_html_join("", "<p>{}</p>", ((error,) for error in errors)),
    )


@register.filter
def date_input_type(value: object) -> str:
    """``date`` (a date picker) for a blank value or a date, else ``text``: links and the API
    may give a date and time, which a date picker cannot show."""
    if not value:
        return "date"
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return "text"
    return "date"
