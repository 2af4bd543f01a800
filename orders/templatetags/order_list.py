"""Helpers of the orders list's filter panel (``{% load order_list %}``)."""

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def field_error(field: BoundField) -> SafeString:
    """A filter's error messages, where the page's script and tests look for them.

    The same markup as ``orders/_field_error.html``, without an include per field: the panel
    has fourteen of them, and every include costs a template context of its own.
    """
    errors = field.errors
    return format_html(
        '<div id="error-{}" class="field-error"{}>{}</div>',
        field.name,
        SafeString(' role="alert"') if errors else "",
        format_html_join("", "<p>{}</p>", ((error,) for error in errors)),
    )
