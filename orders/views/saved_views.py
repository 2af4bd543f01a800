"""Campaign hub › Orders › Saved views: their page, and the POST actions that change them.

Every action ends in a redirect back to the page it came from (the ``next`` field, when it is
a URL of this site) with a message saying what happened; a bad name is a message, never a 500.
A view the user may not see at all is a 404; one they may see (shared) but not change is 403.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.auth import signed_in
from core.views import DashboardView

from ..filter_descriptions import describe_query
from ..models import SavedView
from ..saved_views import (
    canonical_query,
    check_owner,
    delete_view,
    rename_view,
    save_view,
    saved_views_for,
    set_view_shared,
    update_view_query,
)

# What a checkbox or an on/off field posts when it is on.
TRUE_VALUES = frozenset({"on", "true", "1", "yes"})


def saved_views_context(request: HttpRequest) -> dict[str, Any]:
    """What ``orders/_saved_views.html`` needs from the page that includes it."""
    return {
        "saved_views": saved_views_for(request.user),
        "current_query": canonical_query(request.GET),
    }


class SavedViewListView(DashboardView):
    """GET: the user's saved views and the team's shared ones. POST: save a new view."""

    permission_required = "orders.view_order"
    template_name = "orders/savedview_list.html"
    nav = "orders"
    title = "Saved views"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        views = list(saved_views_for(self.request.user))
        for view in views:
            view.sentence = describe_query(view.query)  # type: ignore[attr-defined]  # for the template
        own = [view for view in views if view.owner_id == self.request.user.pk]
        shared = [view for view in views if view.owner_id != self.request.user.pk]
        return super().get_context_data(own_views=own, shared_views=shared, **kwargs)

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        query = canonical_query(request.POST.get("query", ""))
        try:
            view = save_view(
                owner=signed_in(request),
                name=request.POST.get("name", ""),
                query=query,
                shared=_is_on(request.POST, "shared"),
            )
        except ValidationError as error:
            messages.error(request, _first_message(error))
            # Back where they were, filters intact, so they can pick another name.
            return redirect(_next_url(request, default=_list_url(query)))
        messages.success(request, f"Saved the view '{view.name}'.")
        # Show the view just saved (from its first page); the list marks it as active.
        return redirect(view.get_absolute_url())


@require_POST
@login_required
@permission_required("orders.view_order", raise_exception=True)
def rename_saved_view(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    """Rename one of the user's saved views (field ``name``)."""
    view = _get_view(request, pk)
    old_name = view.name
    try:
        rename_view(view, user=request.user, name=request.POST.get("name", ""))
    except ValidationError as error:
        messages.error(request, _first_message(error))
    else:
        if view.name != old_name:
            messages.success(request, f"Renamed the view '{old_name}' to '{view.name}'.")
    return redirect(_next_url(request))


@require_POST
@login_required
@permission_required("orders.view_order", raise_exception=True)
def share_saved_view(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    """Share one of the user's saved views with the team, or stop sharing it (``shared``)."""
    view = _get_view(request, pk)
    set_view_shared(view, user=request.user, shared=_is_on(request.POST, "shared"))
    if view.shared:
        messages.success(request, f"The view '{view.name}' is now shared with the team.")
    else:
        messages.success(request, f"The view '{view.name}' is now visible only to you.")
    return redirect(_next_url(request))


@require_POST
@login_required
@permission_required("orders.view_order", raise_exception=True)
def update_saved_view(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    """Give one of the user's saved views the filters and sort shown (field ``query``)."""
    view = _get_view(request, pk)
    update_view_query(view, user=request.user, query=request.POST.get("query", ""))
    messages.success(request, f"The view '{view.name}' now shows: {describe_query(view.query)}.")
    return redirect(_next_url(request))


@require_POST
@login_required
@permission_required("orders.view_order", raise_exception=True)
def delete_saved_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the user's saved views, once confirmed.

    Without ``confirm`` the answer is a page that asks, as the dashboard asks before any
    change that cannot be taken back (a Paid order's rollback is the other one).
    """
    view = _get_view(request, pk)
    if not _is_on(request.POST, "confirm"):
        check_owner(view, request.user)
        context = {
            "view": view,
            "sentence": describe_query(view.query),
            "next": _next_url(request),
            "title": "Delete a saved view",
            "section": "Campaign hub › Orders",
            "nav": "orders",
        }
        return render(request, "orders/savedview_confirm_delete.html", context)
    delete_view(view, user=request.user)
    messages.success(request, f"Deleted the view '{view.name}'.")
    return redirect(_next_url(request))


def _get_view(request: HttpRequest, pk: int) -> SavedView:
    # Among the views the user may open only: someone else's private view is a 404, so
    # its existence does not leak; a shared one is found, and the service refuses (403).
    return get_object_or_404(saved_views_for(request.user), pk=pk)


def _list_url(query: str) -> str:
    url = reverse("orders:list")
    return f"{url}?{query}" if query else url


def _next_url(request: HttpRequest, default: str = "") -> str:
    """The ``next`` field when it points into this site, else ``default`` (the orders list)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse("orders:list")


def _is_on(data: QueryDict, field: str) -> bool:
    return data.get(field, "").strip().lower() in TRUE_VALUES


def _first_message(error: ValidationError) -> str:
    return next(iter(error.messages), "The view could not be saved.")
