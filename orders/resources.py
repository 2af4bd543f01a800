"""Orders in and out of CSV/JSON files (django-import-export), for the admin.

Importing never writes an order itself: each row goes through ``orders.services`` like any
other change, so it is validated the same way and leaves an activity event. The admin's dry
run calls the service too, inside a transaction that is rolled back, so the preview shows
exactly the errors the real import would meet.
"""

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from import_export import fields, resources

from core.resources import (
    JsonObjectWidget,
    OptionalTextWidget,
    UpsertResourceMixin,
    UtcTimestampWidget,
    WholeNumberWidget,
    cell_text,
)
from customers.resources import CustomerWidget
from metadata.models import MetadataSchema
from metadata.validation import load_schema

from .actors import Actor
from .import_rules import check_order_cells
from .models import Order, OrderEvent
from .services import create_order, update_order

# What a file may set on an order; everything else (totals, dates) is computed or exported only.
IMPORTED_FIELDS = (
    "source_id",
    "status",
    "amount",
    "discount_amount",
    "customer",
    "referrer",
    "metadata",
)


def copy_saved_state(source: Order, target: Order) -> None:
    """Make ``target`` hold what the service saved in ``source`` (id, totals, dates...).

    Callers hand the service values taken from a form's or a resource's instance; the service
    saves its own ``Order``, and the caller's instance must then carry the saved state.
    """
    for field in Order._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False
    target._state.db = source._state.db
    target._state.fields_cache = dict(source._state.fields_cache)


def import_actor(user: User | AnonymousUser | None) -> Actor:
    """Who an import is recorded as: the admin user who confirmed it, else the importer."""
    if user is not None and user.is_authenticated:
        return Actor.for_user(user, via="admin import")
    return Actor.importer("file import")


def _comparable(order: Order, name: str) -> Any:
    if name in ("customer", "referrer"):
        return getattr(order, f"{name}_id")
    return getattr(order, name)


class OrderResource(UpsertResourceMixin, resources.ModelResource):
    """Total-only orders (amount and discount, no items); importing upserts by id/source_id.

    Customers and referrers are named by their source ID (or id). A blank ``source_id``,
    ``status``, ``amount`` or ``discount_amount`` cell leaves an existing order's value as it
    is; a new order needs an ``amount``.
    """

    id = fields.Field(attribute="id", column_name="id", readonly=True)
    source_id = fields.Field(
        attribute="source_id",
        column_name="source_id",
        widget=OptionalTextWidget(),
        saves_null_values=False,
    )
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=OptionalTextWidget(),
        saves_null_values=False,
    )
    amount = fields.Field(
        attribute="amount",
        column_name="amount",
        widget=WholeNumberWidget(),
        saves_null_values=False,
    )
    discount_amount = fields.Field(
        attribute="discount_amount",
        column_name="discount_amount",
        widget=WholeNumberWidget(),
        saves_null_values=False,
    )
    total_amount = fields.Field(
        attribute="total_amount",
        column_name="total_amount",
        widget=WholeNumberWidget(),
        readonly=True,
    )
    items_count = fields.Field(
        attribute="items_count",
        column_name="items_count",
        widget=WholeNumberWidget(),
        readonly=True,
    )
    customer = fields.Field(attribute="customer", column_name="customer", widget=CustomerWidget())
    referrer = fields.Field(attribute="referrer", column_name="referrer", widget=CustomerWidget())
    metadata = fields.Field(attribute="metadata", column_name="metadata", widget=JsonObjectWidget())
    created_at = fields.Field(
        attribute="created_at",
        column_name="created_at",
        widget=UtcTimestampWidget(),
        readonly=True,
    )
    updated_at = fields.Field(
        attribute="updated_at",
        column_name="updated_at",
        widget=UtcTimestampWidget(),
        readonly=True,
    )

    class Meta:
        model = Order
        fields = (
            "id",
            "source_id",
            "status",
            "amount",
            "discount_amount",
            "total_amount",
            "items_count",
            "customer",
            "referrer",
            "metadata",
            "created_at",
            "updated_at",
        )
        export_order = fields
        # The dry run relies on rolling back the service's writes.
        use_transactions = True
        # The service validates; the model's own checks would only repeat it, less clearly.
        clean_model_instances = False
        # Re-importing an exported file should not touch (or log) unchanged orders.
        skip_unchanged = True
        report_skipped = True

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        # One schema load per file, not per row (the import_orders command does the same).
        self.order_schema = load_schema(MetadataSchema.RelatedObject.ORDER)
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        """Run the ``import_orders`` command's checks on the row's cells first
        (``orders.import_rules``), so a file is judged by the same rules (and messages)
        whichever way it is imported."""
        schema = getattr(self, "order_schema", None)
        if schema is None:
            schema = load_schema(MetadataSchema.RelatedObject.ORDER)
        errors = check_order_cells(row, schema)
        if errors:
            raise ValidationError(errors)
        super().before_import_row(row, **kwargs)

    def filter_export(self, queryset: QuerySet, **kwargs: Any) -> QuerySet:
        # Both customer columns read a related row; fetch them with the orders.
        return super().filter_export(queryset, **kwargs).select_related("customer", "referrer")

    def save_instance(
        self, instance: Order, is_create: bool, row: dict[str, Any], **kwargs: Any
    ) -> None:
        """Create or update the row's order through ``orders.services``.

        A ``ValidationError`` from the service propagates to django-import-export, which
        reports it as an invalid row, keyed by the field the service named.
        """
        self.before_save_instance(instance, row, **kwargs)
        actor = import_actor(kwargs.get("user"))
        if is_create:
            saved = create_order(
                actor=actor,
                event_type=OrderEvent.Type.IMPORTED,
                source_id=instance.source_id,
                status=instance.status,
                # A blank cell is "no amount given", which the service rejects for a new
                # order, rather than the model's default of 0.
                amount=instance.amount if cell_text(row.get("amount")) else None,
                discount_amount=instance.discount_amount,
                customer=instance.customer,
                referrer=instance.referrer,
                metadata=instance.metadata,
            )
        else:
            current = Order.objects.get(pk=instance.pk)
            changes = {
                name: getattr(instance, name)
                for name in IMPORTED_FIELDS
                if _comparable(instance, name) != _comparable(current, name)
            }
            saved = update_order(instance.pk, actor=actor, **changes)
        copy_saved_state(saved, instance)
        self.after_save_instance(instance, row, **kwargs)
