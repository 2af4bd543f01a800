"""``{% resume_draft_link %}``: the orders list's way back into a Create order draft."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..wizard_storage import has_draft

register = template.Library()


@register.simple_tag(takes_context=True)
def resume_draft_link(context: dict[str, Any]) -> SafeString | str:
    """A "Resume draft" link when the signed-in user left a Create order wizard unsaved."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("orders.add_order") or not has_draft(user):
        return ""
    return format_html(
        '<a class="button" id="resume-draft" href="{}">Resume draft</a>', reverse("orders:create")
    )
