"""The order admin: a form checked by the service's rules, saves through the service."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from import_export.admin import ImportExportModelAdmin
from import_export.results import Result

from core.admin_columns import money_column
from core.admin_large_tables import ExactSearchMixin, LargeTableAdminMixin
from core.resources import FILE_FORMATS
from customers.models import Customer

from ..models import (
    COUNTED_STATUSES,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
)
from ..resources import OrderResource, copy_saved_state
from ..services import (
    change_order_status,
    create_order,
    delete_order,
    ensure_source_id_available,
    normalize_source_id,
    update_order,
    validate_metadata,
)
from ..totals import ItemInput, compute_totals
from .common import ITEM_FIELDS, ReadOnlyAdminMixin, admin_actor

ORDER_FORM_FIELDS = (
    "source_id",
    "status",
    "customer",
    "referrer",
    "amount",
    "discount_amount",
    "metadata",
)
ORDER_COMPUTED_FIELDS = (
    "id",
    "initial_amount",
    "items_discount_amount",
    "total_discount_amount",
    "total_amount",
    "items_count",
    "created_at",
    "updated_at",
)

# The rollback confirmation lists this many orders, then says how many more.
ROLLBACKS_LISTED = 100


class ServiceRejected(Exception):
    """The order service refused a save that the form's checks let through (a race)."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(error)
        self.error = error


class OrderAdminForm(forms.ModelForm):
    """Validates an order with the order service's rules; it never saves (``OrderAdmin`` does).

    The checks are the service's own functions, so the form shows the very messages the
    service would raise ("Source ID 'X' is already used by order ord_..."), on their fields.
    """

    # Set by OrderAdmin when the service rejected a save after this form had validated.
    rejected_save: ValidationError | None = None
    # The version the page was opened at: a save over someone else's newer change is refused.
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Order
        fields = ORDER_FORM_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean() returns
        for check in (self._check_source_id, self._check_metadata, self._check_totals):
            try:
                check(cleaned)
            except ValidationError as error:
                self.add_service_error(error)
        if self.rejected_save is not None:
            self.add_service_error(self.rejected_save)
        return cleaned

    # The service decides uniqueness (with a message naming the other order) and the amount
    # rules; the model's generic "constraint ... is violated" would only repeat them.
    def validate_unique(self) -> None:
        pass

    def validate_constraints(self) -> None:
        pass

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service ``ValidationError`` on the fields it names (the rest at the top)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = name if name in self.fields else None
            if field is not None and self.has_error(field):
                continue  # one message per field is enough
            self.add_error(field, errors)

    @property
    def _adding(self) -> bool:
        return self.instance._state.adding

    def _check_source_id(self, cleaned: dict[str, Any]) -> None:
        if "source_id" not in cleaned:
            return
        cleaned["source_id"] = normalize_source_id(cleaned["source_id"])
        ensure_source_id_available(
            cleaned["source_id"], exclude_id=None if self._adding else self.instance.pk
        )

    def _check_metadata(self, cleaned: dict[str, Any]) -> None:
        if "metadata" not in cleaned:
            return
        cleaned["metadata"] = validate_metadata(cleaned["metadata"])

    def _check_totals(self, cleaned: dict[str, Any]) -> None:
        if "discount_amount" not in cleaned:
            return
        items = (
            []
            if self._adding
            else [
                ItemInput(i.quantity, i.price, i.discount_amount) for i in self.instance.items.all()
            ]
        )
        if items:
            amount = None  # the items' sum; the amount field is read-only then
        elif "amount" in self.fields:
            if "amount" not in cleaned:
                return  # already reported as a field error
            amount = cleaned["amount"]
        else:
            amount = self.instance.amount
        compute_totals(items, amount=amount, discount_amount=cleaned["discount_amount"])


class OrderItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The order's cart, read-only: a cart changes through the order service."""

    model = OrderItem
    fields = (*ITEM_FIELDS, "metadata")
    readonly_fields = fields
    ordering = ("position",)
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderItem]:
        return super().get_queryset(request).select_related("product", "sku")


class OrderEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The order's activity log, newest first; events are written only by the service."""

    model = OrderEvent
    fields = ("created_at", "type", "actor_type", "actor_label", "changes")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    extra = 0
    can_delete = False


@admin.register(Order)
class OrderAdmin(LargeTableAdminMixin, ExactSearchMixin, ImportExportModelAdmin):  # type: ignore[misc]  # import-export's stubs clash with django-stubs'
    """Orders: list, create, edit, delete, bulk status changes, import and export."""

    form = OrderAdminForm
    resource_classes = [OrderResource]
    formats = FILE_FORMATS

    list_display = (
        "id",
        "source_id",
        "status",
        "customer",
        "amount_column",
        "total_column",
        "items_count",
        "created_at",
    )
    list_select_related = ("customer",)
    # Only filters answered from an index: status via (status, created_at, id) and dates via
    # (created_at, id). No filter lists customers: there are too many to list.
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    # No date_hierarchy: it runs SELECT DISTINCT date_trunc(...) over the whole table.
    ordering = ("-created_at", "-id")
    search_fields = ("id", "source_id", "customer__source_id", "customer__email")
    exact_search_fields = ("pk", "source_id")
    search_help_text = "An exact order id or source ID, or a customer's source ID, id or email."
    autocomplete_fields = ("customer", "referrer")
    inlines = (OrderItemInline, OrderEventInline)
    actions = ("mark_paid", "mark_canceled", "mark_fulfilled", "mark_created")

    amount_column = money_column("amount", "amount")
    total_column = money_column("total_amount", "total")

    # --- Form -------------------------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: Order | None = None) -> Any:
        if obj is None:
            return (
                (None, {"fields": ("source_id", "status", "customer", "referrer")}),
                ("Amounts (minor units: 7700 = 77.00)", {"fields": ("amount", "discount_amount")}),
                ("Metadata", {"fields": ("metadata",)}),
            )
        return (
            (
                None,
                {"fields": ("id", "source_id", "status", "customer", "referrer", "opened_version")},
            ),
            (
                "Amounts (minor units: 7700 = 77.00)",
                {
                    "fields": (
                        "amount",
                        "discount_amount",
                        "initial_amount",
                        "items_discount_amount",
                        "total_discount_amount",
                        "total_amount",
                        "items_count",
                    )
                },
            ),
            ("Metadata", {"fields": ("metadata",)}),
            ("History", {"fields": ("created_at", "updated_at")}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Order | None = None) -> Any:
        if obj is not None and obj.items_count:
            # An order with items has the items' sum as its amount.
            return (*ORDER_COMPUTED_FIELDS, "amount")
        return ORDER_COMPUTED_FIELDS

    def get_inlines(self, request: HttpRequest, obj: Order | None) -> Any:
        # A new order has neither items nor events yet.
        return self.inlines if obj is not None else ()

    def get_form(
        self, request: HttpRequest, obj: Order | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form_class = super().get_form(request, obj, change, **kwargs)
        rejected = getattr(request, "_order_save_rejected", None)
        if rejected is not None:
            form_class = type(form_class.__name__, (form_class,), {"rejected_save": rejected})
        return form_class

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRejected as rejected:
            # The form's checks passed but the service refused (another request took the
            # source ID meanwhile). Django's atomic block has rolled back; render the form
            # again with the service's errors on it instead of answering 500.
            request._order_save_rejected = rejected.error  # type: ignore[attr-defined]  # read by get_form
            return super().changeform_view(request, object_id, form_url, extra_context)

    # --- Writes: all through orders.services ------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Order, form: Any, change: bool) -> None:
        actor = admin_actor(request)
        data = form.cleaned_data
        try:
            if change:
                changes = {
                    name: data[name]
                    for name in form.changed_data
                    if name in data and name != "opened_version"
                }
                saved = update_order(
                    obj.pk, actor=actor, expected_version=data.get("opened_version"), **changes
                )
            else:
                fields = {name: data[name] for name in data if name != "opened_version"}
                saved = create_order(actor=actor, **fields)
        except ValidationError as error:
            raise ServiceRejected(error) from error
        # The admin goes on with ``obj`` (redirect, log entry, message): give it the saved state.
        copy_saved_state(saved, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Items and events are read-only here: never let a formset write them. The admin's
        # change message reads what each formset saved, which is nothing.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request: HttpRequest, obj: Order) -> None:
        delete_order(obj, actor=admin_actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        actor = admin_actor(request)
        for order_id in list(queryset.values_list("pk", flat=True)):
            delete_order(order_id, actor=actor)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Items and events go with their order inside delete_order. Their own admins refuse
        # deletes only so that nobody removes them one by one, which must not block this.
        perms_needed -= {OrderItem._meta.verbose_name, OrderEvent._meta.verbose_name}
        return deleted, model_count, perms_needed, protected

    # --- Bulk status actions ----------------------------------------------------------------

    @admin.action(description="Mark as Paid", permissions=["change"])
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._change_status(request, queryset, OrderStatus.PAID)

    @admin.action(description="Mark as Canceled", permissions=["change"])
    def mark_canceled(
        self, request: HttpRequest, queryset: QuerySet[Order]
    ) -> TemplateResponse | None:
        """Cancel the orders; rolling back Paid or Fulfilled ones is confirmed first, on a
        page listing them, as the dashboard's Change status asks."""
        rollbacks = queryset.filter(status__in=COUNTED_STATUSES)
        count = rollbacks.count()
        # The confirmation carries the number it listed: if more orders became rollbacks
        # meanwhile, the operator sees the list again rather than cancel what they did not see.
        if count and request.POST.get("rollbacks_confirmed") != str(count):
            return self._rollback_confirmation(request, queryset, rollbacks, count)
        self._change_status(request, queryset, OrderStatus.CANCELED)
        return None

    @admin.action(description="Mark as Fulfilled", permissions=["change"])
    def mark_fulfilled(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._change_status(request, queryset, OrderStatus.FULFILLED)

    @admin.action(description="Mark as Created", permissions=["change"])
    def mark_created(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._change_status(request, queryset, OrderStatus.CREATED)

    def _rollback_confirmation(
        self,
        request: HttpRequest,
        queryset: QuerySet[Order],
        rollbacks: QuerySet[Order],
        count: int,
    ) -> TemplateResponse:
        others = queryset.exclude(status__in=(*COUNTED_STATUSES, OrderStatus.CANCELED)).count()
        context = {
            **self.admin_site.each_context(request),
            "title": "Cancel Paid or Fulfilled orders?",
            "opts": self.model._meta,
            "rollbacks": rollbacks.select_related("customer").order_by("-created_at", "-id")[
                :ROLLBACKS_LISTED
            ],
            "count": count,
            "unlisted": max(count - ROLLBACKS_LISTED, 0),
            "others": others,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/orders/order/cancel_confirmation.html", context)

    def _change_status(
        self, request: HttpRequest, queryset: QuerySet[Order], status: OrderStatus
    ) -> None:
        actor = admin_actor(request)
        # Orders already in the status are left alone: no event, no summary refresh.
        to_change = list(queryset.exclude(status=status).values_list("pk", flat=True))
        for order_id in to_change:
            change_order_status(order_id, status, actor=actor)
        changed = len(to_change)
        noun = "order" if changed == 1 else "orders"
        self.message_user(request, f"{changed} {noun} marked as {status.label}.", messages.SUCCESS)

    # --- Search -----------------------------------------------------------------------------

    def exact_search_q(self, term: str) -> Q:
        # Resolve the customer first: an OR across the join would stop PostgreSQL from
        # answering each branch from its own index.
        customer_ids = list(
            Customer.objects.filter(Q(pk=term) | Q(source_id=term) | Q(email__iexact=term))
            .order_by()
            .values_list("pk", flat=True)[:100]
        )
        match = super().exact_search_q(term)
        if customer_ids:
            match |= Q(customer_id__in=customer_ids)
        return match

    # --- Import and export ------------------------------------------------------------------

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perms(["orders.add_order", "orders.change_order"])

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("orders.export_order")

    def get_import_data_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        kwargs = super().get_import_data_kwargs(**kwargs)
        # If a row turns bad between the preview and the confirmation, import nothing
        # rather than all rows but that one.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def process_result(self, result: Result, request: HttpRequest) -> HttpResponse:
        if result.has_errors() or result.has_validation_errors():
            # Everything was rolled back (see get_import_data_kwargs): say so, log nothing.
            self.message_user(
                request,
                "Import cancelled: some rows became invalid after the preview. "
                "Nothing was imported; run the import again to see them.",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:orders_order_changelist"))
        return super().process_result(result, request)
