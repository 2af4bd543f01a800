from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from core.ids import new_order_id

# A cart holds at most this many line items (the reference's limit).
MAX_ITEMS = 500


class OrderStatus(models.TextChoices):
    CREATED = "CREATED", "Created"
    PAID = "PAID", "Paid"
    CANCELED = "CANCELED", "Canceled"
    FULFILLED = "FULFILLED", "Fulfilled"


# Statuses that count towards a customer's purchase summary (the reference's rule).
COUNTED_STATUSES = (OrderStatus.PAID, OrderStatus.FULFILLED)


def is_rollback(current_status: str, new_status: str) -> bool:
    """Whether a status change is a redemption rollback, which people confirm first: an order
    that counts in its customer's purchase summary (Paid, Fulfilled) becomes Canceled."""
    return current_status in COUNTED_STATUSES and new_status == OrderStatus.CANCELED


class Order(models.Model):
    """A customer purchase. Change it only through ``orders.services``."""

    id = models.CharField(primary_key=True, max_length=28, default=new_order_id, editable=False)
    source_id = models.CharField(
        "source ID",
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text="Your internal reference for the order (optional, unique).",
        error_messages={"unique": "Another order already uses this source ID."},
    )
    status = models.CharField(max_length=16, choices=OrderStatus, default=OrderStatus.CREATED)
    # All amounts are integers in minor units; see orders.totals for how they relate.
    amount = models.BigIntegerField(default=0, help_text="Total before discounts.")
    initial_amount = models.BigIntegerField(default=0, help_text="Items' total before any effect.")
    discount_amount = models.BigIntegerField(default=0, help_text="Order-level discount.")
    items_discount_amount = models.BigIntegerField(default=0, help_text="Sum of item discounts.")
    total_discount_amount = models.BigIntegerField(default=0)
    total_amount = models.BigIntegerField(default=0, help_text="Total after discounts.")
    items_count = models.PositiveIntegerField(default=0, help_text="Units in the cart.")
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        db_index=False,  # served by order_customer_idx
    )
    referrer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referred_orders",
        db_index=False,  # served by order_referrer_idx
    )
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Bumped by every saved change; an edit made from an older version is refused instead of
    # overwriting what someone else saved in between.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    # The Create order wizard's idempotency key, generated when the wizard starts: a second
    # Save (double click, reload) finds the order made by the first instead of making another.
    creation_key = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Keyset-friendly pairs for the list page's default sorts and status filter.
            models.Index(fields=["created_at", "id"], name="order_created_idx"),
            models.Index(fields=["updated_at", "id"], name="order_updated_idx"),
            models.Index(fields=["status", "created_at", "id"], name="order_status_created_idx"),
            models.Index(fields=["status", "id"], name="order_status_idx"),
            models.Index(fields=["amount", "id"], name="order_amount_idx"),
            models.Index(fields=["total_amount", "id"], name="order_total_idx"),
            # The filter grammar's equality and ranges on the discounts (issue 21): without
            # them a rare value is a scan of every order (bench/filters.py). Partial: most
            # orders have no discount, and a condition that matches those (0, "less than")
            # selects too many orders to want an index; a positive value or bound implies > 0.
            models.Index(
                fields=["discount_amount", "id"],
                name="order_discount_idx",
                condition=Q(discount_amount__gt=0),
            ),
            models.Index(
                fields=["items_discount_amount", "id"],
                name="order_items_discount_idx",
                condition=Q(items_discount_amount__gt=0),
            ),
            models.Index(
                fields=["total_discount_amount", "id"],
                name="order_total_discount_idx",
                condition=Q(total_discount_amount__gt=0),
            ),
            # The customer's orders, newest first; the leaves also carry what the insights
            # strip sums, so a customer search's sums never read the table (orders/0016).
            models.Index(
                fields=["customer", "created_at"],
                include=["status", "amount", "total_amount", "total_discount_amount"],
                name="order_customer_idx",
            ),
            models.Index(fields=["referrer", "created_at"], name="order_referrer_idx"),
            # A status and a created range sorted by amount: the date range is checked inside
            # the index instead of on every row the amount order walks past.
            models.Index(
                fields=["status", "amount", "id", "created_at"], name="order_status_amount_idx"
            ),
            # jsonb_ops: serves both "contains" (@>) and "has key" (?) metadata conditions.
            GinIndex(fields=["metadata"], name="order_metadata_idx"),
            # The search's UPPER(source_id) LIKE UPPER('%text%') (icontains).
            GinIndex(
                OpClass(Upper("source_id"), name="gin_trgm_ops"), name="order_source_id_trgm_idx"
            ),
            # A source ID's beginning (istartswith, the grammar's $starts_with): a range of
            # this index, where the trigram index reads its commonest trigrams' whole lists.
            models.Index(
                OpClass(Upper("source_id"), name="text_pattern_ops"),
                name="order_source_id_prefix_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="order_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(total_amount__gte=0), name="order_total_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(discount_amount__gte=0) & Q(items_discount_amount__gte=0),
                name="order_discounts_not_negative",
            ),
        ]
        permissions = [("export_order", "Can export orders")]

    def __str__(self) -> str:
        return self.id

    def get_absolute_url(self) -> str:
        return reverse("orders:detail", args=[self.id])


class OrderItem(models.Model):
    """One line of an order's cart: a product or SKU, quantity and price."""

    class RelatedObject(models.TextChoices):
        PRODUCT = "product", "Product"
        SKU = "sku", "SKU"

    # Indexed by the (order, position) unique constraint.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items", db_index=False)
    position = models.PositiveSmallIntegerField(default=0)
    related_object = models.CharField(
        max_length=8, choices=RelatedObject, default=RelatedObject.PRODUCT
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sku = models.ForeignKey(
        "catalog.SKU", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_id = models.CharField(
        "source ID", max_length=255, blank=True, help_text="The shop's product or SKU id."
    )
    quantity = models.PositiveIntegerField(default=1)
    price = models.BigIntegerField(default=0)
    amount = models.BigIntegerField(default=0, help_text="price × quantity")
    discount_amount = models.BigIntegerField(default=0)
    subtotal_amount = models.BigIntegerField(default=0, help_text="amount − discount_amount")
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        # "order_id", not "order": the relation would sort through a join on the order's
        # own ordering instead of reading the (order, position) index.
        ordering = ["order_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="order_item_position_uniq"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="item_quantity_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="item_price_not_negative"),
            models.CheckConstraint(
                condition=Q(subtotal_amount__gte=0), name="item_subtotal_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"

    @property
    def name(self) -> str:
        if self.sku_id:
            return self.sku.sku  # type: ignore[union-attr]  # sku_id is set
        if self.product_id:
            return self.product.name  # type: ignore[union-attr]  # product_id is set
        return self.source_id or "item"


class OrderEvent(models.Model):
    """One entry of an order's activity log, written by ``orders.services`` with each change."""

    class Type(models.TextChoices):
        CREATED = "created", "Created"
        IMPORTED = "imported", "Imported"
        UPDATED = "updated", "Updated"
        STATUS_CHANGED = "status_changed", "Status changed"
        ITEMS_CHANGED = "items_changed", "Items changed"
        METADATA_CHANGED = "metadata_changed", "Metadata changed"
        CUSTOMER_CHANGED = "customer_changed", "Customer changed"

    class ActorType(models.TextChoices):
        USER = "user", "User"
        API_KEY = "api_key", "API key"
        IMPORTER = "importer", "Importer"
        SYSTEM = "system", "System"

    # Indexed by order_event_order_idx.
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    type = models.CharField(max_length=24, choices=Type)
    actor_type = models.CharField(max_length=16, choices=ActorType, default=ActorType.SYSTEM)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(
        max_length=255, blank=True, help_text="Who or what made the change, as shown to people."
    )
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The order's version this change produced."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["order", "-created_at"], name="order_event_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.type}"


class SavedView(models.Model):
    """A named set of filters and sort for the orders list, kept on the server.

    ``query`` is the list page's URL query string in the form ``orders.saved_views``
    writes it (``canonical_query``), so opening a view is a link to ``/orders/?<query>`` and
    the list can tell which saved view it is showing by comparing strings.
    Written only through ``orders.saved_views`` (the admin aside).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_order_views"
    )
    name = models.CharField(max_length=100)
    query = models.TextField(blank=True, help_text="The orders list's URL query string.")
    shared = models.BooleanField(
        default=False, help_text="Visible to everyone who may view orders, not only the owner."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="saved_view_owner_name_uniq",
                # Seen in the admin; the dashboard says "You already have a view named …".
                violation_error_message="This owner already has a saved view with this name.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """The orders list showing this view: opening a view is following this link."""
        url = reverse("orders:list")
        return f"{url}?{self.query}" if self.query else url

    @property
    def parameters(self) -> list[tuple[str, str]]:
        """The view's filters and sort as (name, value) pairs, decoded, for showing it."""
        return [(name, value) for name, values in QueryDict(self.query).lists() for value in values]


class WizardDraft(models.Model):
    """What a user has entered in the Create order wizard, kept until they Save or Cancel
    (``orders.wizard_storage``): leaving the wizard and coming back, even after signing out,
    resumes it."""

    # Indexed by the (user, wizard) unique constraint.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    wizard = models.CharField(max_length=100)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "wizard"], name="wizard_draft_user_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.wizard} of {self.user_id}"
