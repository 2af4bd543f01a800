"""The Create order wizard's type-ahead: small GET endpoints answering with HTML fragments.

Each answers at most ``LOOKUP_LIMIT`` suggestions; a suggestion is a button whose
``data-fill`` names the wizard inputs it fills in (``static/js/order_wizard.js``).
"""

import json
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from catalog.selectors import search_catalogue
from core.money import format_plain

LOOKUP_LIMIT = 10


def fill(**inputs: Any) -> str:
    """A suggestion's ``data-fill``: input name → value, as JSON."""
    return json.dumps({name: value for name, value in inputs.items() if name})


@login_required
@permission_required("catalog.view_product", raise_exception=True)
@require_GET
def catalogue_search(request: HttpRequest) -> HttpResponse:
    """Products and SKUs by name, id or source ID (``?q=``); ``row`` is the cart row whose
    Product or SKU and Price inputs a pick fills in (e.g. ``items-rows-0``)."""
    row = request.GET.get("row", "")
    matches = search_catalogue(request.GET.get("q", ""), limit=LOOKUP_LIMIT)
    suggestions = [
        {
            "match": match,
            "fill": fill(
                **{
                    f"{row}-reference": match.name,
                    f"{row}-reference_id": match.id,
                    f"{row}-price": format_plain(match.price) if match.price is not None else "",
                }
            ),
        }
        for match in matches
    ]
    return TemplateResponse(
        request,
        "orders/wizard/_catalogue_results.html",
        {"suggestions": suggestions, "q": request.GET.get("q", "").strip()},
    )
