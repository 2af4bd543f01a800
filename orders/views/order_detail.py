"""One order: its page (Dashboard, Metadata and Activity tabs), status changes and edits.

Every change goes through ``orders.services.update_order`` with the version the page was
shown for, so a save over someone else's newer change is refused, never lost.
"""

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.auth import signed_in
from core.money import format_money
from core.views import DashboardView
from metadata.forms import (
    UNKNOWN_KINDS,
    TypedMetadataForm,
    describe_order_properties,
    type_label,
    value_input,
)

from ..activity import describe
from ..actors import Actor
from ..forms import (
    ItemFormSet,
    MetadataValueForm,
    OrderEditForm,
    StatusForm,
    item_reference,
    with_empty_row,
)
from ..models import Order, OrderStatus, is_rollback
from ..selectors import orders_visible_to
from ..services import OrderChangedElsewhere, change_order_status, update_order
from ..totals import OrderTotals, compute_totals

ACTIVITY_PAGE_SIZE = 50
TABS = ("dashboard", "metadata", "activity")


def get_order(request: HttpRequest, order_id: str) -> Order:
    """The order if the user may see it, else 404 (the friendly page)."""
    return get_object_or_404(
        orders_visible_to(request.user).select_related("customer", "referrer"), pk=order_id
    )


def activity_page(order: Order, number: Any) -> dict[str, Any]:
    events = order.events.select_related("actor_user").order_by("-created_at", "-id")
    page = Paginator(events, ACTIVITY_PAGE_SIZE).get_page(number)
    return {"activity": describe(list(page.object_list)), "activity_page": page}


def metadata_rows(order: Order, refused: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every live schema property (set or not) and every other stored key, each with its
    schema type ("unknown" when the schema lacks it) and the typed input that edits it.

    ``refused`` (``key``, ``data``, ``errors``) is an in-place edit that was refused: its row
    shows what was typed, with the messages beside it.
    """
    properties = describe_order_properties()
    metadata = order.metadata or {}
    refused = refused or {}
    rows = []
    for key in sorted(set(metadata) | set(properties)):
        prop, value = properties.get(key), metadata.get(key)
        data = refused.get("data") if refused.get("key") == key else None
        rows.append(
            {
                "key": key,
                "value": value,
                "is_set": key in metadata,
                "type": prop.type if prop else "unknown",
                "array": bool(prop and prop.array),
                "required": bool(prop and prop.required),
                "type_label": type_label(prop) if prop else "unknown",
                "input": value_input(key, prop, value, data=data),
                "errors": refused.get("errors", []) if data is not None else [],
            }
        )
    return rows


def _change_allowed(request: HttpRequest) -> None:
    if not request.user.has_perm("orders.change_order"):
        raise PermissionDenied("You may look at orders but not change them.")


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(signed_in(request))


def _stale_message(request: HttpRequest, error: OrderChangedElsewhere) -> None:
    what = "; ".join(
        f"{change.label}: {change.before} → {change.after}"
        for entry in describe(error.events)
        for change in entry.changes
    )
    messages.error(request, f"{error.messages[0]} {what}".strip())


class OrderDetailView(DashboardView):
    """Header, tabs and the current tab; with htmx, just the tab."""

    permission_required = "orders.view_order"
    template_name = "orders/order_detail.html"
    nav = "orders"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        order = get_order(request, kwargs["order_id"])
        tab = request.GET.get("tab", "dashboard")
        tab = tab if tab in TABS else "dashboard"
        context = self.get_context_data(order=order, title=order.id, tab=tab, **kwargs)
        context.update(self.tab_context(order, tab))
        if self.request.htmx and self.request.htmx.target == "tab-panel":
            # The header may be older than the tab now shown: bring it along.
            context["refresh_header"] = True
            return TemplateResponse(request, f"{self.template_name}#tab", context)
        return self.render_to_response(context)

    def tab_context(self, order: Order, tab: str) -> dict[str, Any]:
        can_change = self.request.user.has_perm("orders.change_order")
        context: dict[str, Any] = {
            "can_change": can_change,
            "statuses": OrderStatus.choices,
            "is_staff": self.request.user.is_staff,
        }
        if tab == "dashboard":
            context["items"] = order.items.select_related("product", "sku").order_by("position")
        elif tab == "metadata":
            context["metadata_rows"] = metadata_rows(order)
            context["unknown_kinds"] = UNKNOWN_KINDS
            undo = self.request.session.get(METADATA_UNDO)
            if undo and undo["order"] == order.pk and undo["version"] == order.version:
                context["metadata_undo"] = undo
        else:
            context.update(activity_page(order, self.request.GET.get("page")))
        return context


@login_required
@permission_required("orders.view_order", raise_exception=True)
@require_GET
def order_activity(request: HttpRequest, order_id: str) -> HttpResponse:
    """The Activity tab's list alone: what the tab polls to stay current.

    When the order has changed since the version the tab was shown for, the response also
    carries the page's header (status badge, Updated, the Change status form with the new
    version) as htmx out-of-band swaps: a header left behind would show an old status and
    make the next Change status from the page be refused as stale.
    """
    order = get_order(request, order_id)
    context = {
        "order": order,
        "refresh_header": request.GET.get("shown_version") != str(order.version),
        "can_change": request.user.has_perm("orders.change_order"),
        "statuses": OrderStatus.choices,
        **activity_page(order, request.GET.get("page")),
    }
    return TemplateResponse(request, "orders/_order_activity_poll.html", context)


@login_required
@require_POST
def change_status(request: HttpRequest, order_id: str) -> HttpResponse:
    """Change Status; a rollback (a Paid or Fulfilled order to Canceled) asks for confirmation."""
    _change_allowed(request)
    order = get_order(request, order_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of Created, Paid, Canceled or Fulfilled.")
        return HttpResponseRedirect(order.get_absolute_url())
    status = form.cleaned_data["status"]
    if is_rollback(order.status, status) and not form.cleaned_data["confirm"]:
        return TemplateResponse(
            request,
            "orders/order_status_confirm.html",
            {"order": order, "status": status, "version": form.cleaned_data["version"],
             "title": f"Cancel {order.id}?", "nav": "orders", "trail": [order]},
        )  # fmt: skip
    try:
        change_order_status(
            order, status, actor=_actor(request), expected_version=form.cleaned_data["version"]
        )
    except OrderChangedElsewhere as error:
        _stale_message(request, error)
    else:
        messages.success(request, f"Order {order.id} is now {OrderStatus(status).label}.")
    return HttpResponseRedirect(order.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def edit_metadata(request: HttpRequest, order_id: str) -> HttpResponse:
    """Set or remove one metadata property in place, validated against the schema.

    A refused edit shows the Metadata tab at this address; its tab links (``?tab=…``) then
    come here by GET and are sent on to the order's page.
    """
    if request.method == "GET":
        order = get_order(request, order_id)
        query = request.GET.urlencode()
        return HttpResponseRedirect(order.get_absolute_url() + (f"?{query}" if query else ""))
    _change_allowed(request)
    order = get_order(request, order_id)
    target = f"{order.get_absolute_url()}?tab=metadata"
    if "undo" in request.POST:
        return _undo_metadata_removal(request, order, target)
    form = MetadataValueForm(request.POST, properties=describe_order_properties())
    if not form.is_valid():
        problems = [problem for errors in form.errors.values() for problem in errors]
        return _refused_metadata(request, order, problems)
    metadata = dict(order.metadata or {})
    key = form.cleaned_data["key"]
    value = form.cleaned_data.get("metadata_value")
    removed = metadata.get(key)
    if form.cleaned_data["remove"] or value is None:
        # An emptied input unsets the property; the validator refuses it when required.
        metadata[key] = None
    else:
        metadata[key] = value
    try:
        saved = update_order(
            order,
            actor=_actor(request),
            expected_version=form.cleaned_data["version"],
            metadata=metadata,
        )
    except OrderChangedElsewhere as error:
        _stale_message(request, error)
    except ValidationError as error:
        return _refused_metadata(request, order, error.messages)
    else:
        if form.cleaned_data["remove"] and removed is not None:
            # Removing is one click, so it can be undone at once (until the order changes).
            request.session[METADATA_UNDO] = {
                "order": saved.pk, "version": saved.version, "key": key, "value": removed,
            }  # fmt: skip
            messages.success(request, f"Metadata {key} removed.")
        else:
            messages.success(request, f"Metadata {key} saved.")
    return HttpResponseRedirect(target)


# The session key of the last metadata removal, for its Undo button on the Metadata tab.
METADATA_UNDO = "metadata_undo"


def _undo_metadata_removal(request: HttpRequest, order: Order, target: str) -> HttpResponse:
    """Put back the value the user's last Remove took off this order, if nothing changed the
    order since; the restore is an order change like any other (its own activity entry)."""
    undo = request.session.pop(METADATA_UNDO, None)
    if not undo or undo["order"] != order.pk or undo["version"] != order.version:
        messages.warning(request, "There is nothing to undo: the order has changed since.")
        return HttpResponseRedirect(target)
    metadata = {**(order.metadata or {}), undo["key"]: undo["value"]}
    try:
        update_order(
            order, actor=_actor(request), expected_version=undo["version"], metadata=metadata
        )
    except OrderChangedElsewhere as error:
        _stale_message(request, error)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Metadata {undo['key']} is back.")
    return HttpResponseRedirect(target)


def _refused_metadata(
    request: HttpRequest, order: Order, problems: Sequence[object]
) -> HttpResponse:
    """The Metadata tab again (400) with what was typed kept in its row, or in the Add
    property form for a new key, and the messages beside it: nothing typed is lost."""
    key = (request.POST.get("key") or "").strip()
    view = OrderDetailView()
    view.setup(request, order_id=order.pk)
    context = view.get_context_data(order=order, title=order.id, tab="metadata")
    context.update(view.tab_context(order, "metadata"))
    rows = metadata_rows(order, {"key": key, "data": request.POST, "errors": problems})
    context["metadata_rows"] = rows
    if not any(row["errors"] for row in rows):
        context["add_refused"] = {"data": request.POST, "errors": problems}
    return view.render_to_response(context, status=400)


class OrderEditView(DashboardView):
    """Edit order: its fields and cart; Calculate shows the server's totals without saving."""

    permission_required = "orders.change_order"
    template_name = "orders/order_edit.html"
    nav = "orders"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        order = get_order(request, kwargs["order_id"])
        items = order.items.select_related("product", "sku").order_by("position")
        form = OrderEditForm(
            initial={
                "version": order.version,
                "source_id": order.source_id or "",
                "status": order.status,
                "customer": order.customer,
                "referrer": order.referrer,
                "amount": order.amount if not order.items_count else None,
                "discount_amount": order.discount_amount,
            }
        )
        self.metadata_form = TypedMetadataForm(
            prefix="metadata", metadata=order.metadata or {}, empty_row=True
        )
        formset = ItemFormSet(
            prefix="items",
            initial=[
                {
                    "reference": item_reference(item),
                    "quantity": item.quantity,
                    "price": item.price,
                    "discount_amount": item.discount_amount or None,
                }
                for item in items
            ],
        )
        return self.render_form(order, form, formset)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        order = get_order(request, kwargs["order_id"])
        form = OrderEditForm(request.POST)
        calculate = "calculate" in request.POST
        cart = with_empty_row(request.POST, "items") if calculate else request.POST
        formset = ItemFormSet(cart, prefix="items")
        self.metadata_form = metadata_form = TypedMetadataForm(request.POST, prefix="metadata")
        if not all([form.is_valid(), formset.is_valid(), metadata_form.is_valid()]):
            return self.render_form(order, form, formset)
        data = form.cleaned_data
        items = formset.items()
        changes = {
            "source_id": data["source_id"],
            "status": data["status"],
            "customer": data["customer"],
            "referrer": data["referrer"],
            "metadata": metadata_form.cleaned_data["metadata"],
            "discount_amount": data["discount_amount"] or 0,
            "items": items,
        }
        if not items:
            changes["amount"] = data["amount"]
        elif data["amount"] is not None:
            form.add_error("amount", "Leave the total empty: the items' prices make it.")
            return self.render_form(order, form, formset)
        if calculate:
            return self.render_form(order, form, formset, calculate=True)
        if self.check_totals(form, formset) is None:
            return self.render_form(order, form, formset)
        try:
            update_order(
                order, actor=Actor.for_user(signed_in(request)),
                expected_version=data["version"], **changes,
            )  # fmt: skip
        except OrderChangedElsewhere as error:
            form.add_error(None, error.messages[0])
            return self.render_form(order, form, formset, stale=describe(error.events))
        except ValidationError as error:
            self.add_service_errors(form, formset, error)
            return self.render_form(order, form, formset)
        messages.success(request, f"Order {order.id} saved.")
        return HttpResponseRedirect(order.get_absolute_url())

    @staticmethod
    def add_service_errors(form: OrderEditForm, formset: Any, error: ValidationError) -> None:
        """Put the service's errors (``items.2.quantity``, ``amount`` ...) on their fields."""
        item_forms = formset.item_forms()
        for field, problems in error.message_dict.items():
            if field.startswith("items."):
                _, index, name = field.split(".", 2)
                item_form = item_forms[int(index) - 1]
                item_form.add_error(name if name in item_form.fields else None, problems)
            elif field in form.fields:
                form.add_error(field, problems)
            else:
                form.add_error(None, problems)

    def check_totals(self, form: OrderEditForm, formset: Any) -> OrderTotals | None:
        """The order's totals by the service's rule, or ``None`` with every limit it breaks
        put on its field, in money (before anything is written)."""
        try:
            items = [item.as_input() for item in formset.items()]
            return compute_totals(
                items,
                amount=None if items else form.cleaned_data.get("amount"),
                discount_amount=form.cleaned_data.get("discount_amount") or 0,
                money=format_money,
            )
        except ValidationError as error:
            self.add_service_errors(form, formset, error)
            return None

    def render_form(
        self,
        order: Order,
        form: OrderEditForm,
        formset: Any,
        *,
        calculate: bool = False,
        stale: list[Any] | None = None,
    ) -> HttpResponse:
        totals = self.check_totals(form, formset) if calculate else None
        context = self.get_context_data(
            order=order,
            form=form,
            formset=formset,
            metadata_form=self.metadata_form,
            totals=totals,
            stale=stale,
            title=f"Edit {order.id}",
            trail=[order],
        )
        return self.render_to_response(context)
