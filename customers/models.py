from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Lower, Upper
from django.urls import reverse

from core.ids import new_customer_id


def name_and_email_words() -> Func:
    """The words of a customer's name and email, lower-cased, as a tsvector: "Ada Lovelace"
    and "ada.l@example.com" give ada, lovelace, l, example, com.

    The orders list's free-text search matches against it, and ``customer_search_words_idx``
    indexes exactly it: PostgreSQL uses an expression index only for the same expression,
    so both take it from here.
    """
    # name || ' ' || email, as the index was first written; Concat would add COALESCEs and
    # so be another expression.
    joined = Func(
        F("name"),
        Value(" "),
        F("email"),
        template="(%(expressions)s)",
        arg_joiner=" || ",
        output_field=TextField(),
    )
    words = Func(
        Lower(joined),
        Value("[^[:alnum:]]+"),
        function="regexp_split_to_array",
        output_field=ArrayField(TextField()),
    )
    non_empty = Func(
        words, Value(""), function="array_remove", output_field=ArrayField(TextField())
    )
    return Func(non_empty, function="array_to_tsvector", output_field=SearchVectorField())


class Customer(models.Model):
    """A person who places orders or refers them; ``id`` is ``cust_`` + 24 characters."""

    id = models.CharField(primary_key=True, max_length=29, default=new_customer_id, editable=False)
    source_id = models.CharField(
        "source ID",
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text="Your own identifier for this customer (optional, unique).",
        error_messages={"unique": "Another customer already uses this source ID."},
    )
    name = models.CharField(max_length=255, blank=True)
    email = models.EmailField(max_length=254, blank=True, db_index=True)
    phone = models.CharField(max_length=64, blank=True)
    description = models.TextField(blank=True)
    address_line_1 = models.CharField(max_length=255, blank=True)
    address_line_2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=128, blank=True)
    state = models.CharField(max_length=128, blank=True)
    postal_code = models.CharField(max_length=32, blank=True)
    country = models.CharField(max_length=128, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Purchase summary, kept current by the order service. Only PAID and FULFILLED orders count.
    orders_total_amount = models.BigIntegerField(default=0, editable=False)
    orders_total_count = models.PositiveIntegerField(default=0, editable=False)
    orders_last_order_amount = models.BigIntegerField(null=True, blank=True, editable=False)
    orders_last_order_date = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "id"]
        # The list sorts by each summary column with id as the tie-breaker, so each sort has a
        # (column, id) index the page can walk in either direction without sorting 200,000 rows.
        indexes = [
            models.Index(fields=["name", "id"], name="customer_name_idx"),
            models.Index(fields=["email", "id"], name="customer_email_sort_idx"),
            models.Index(fields=["source_id", "id"], name="customer_source_sort_idx"),
            models.Index(fields=["created_at", "id"], name="customer_created_idx"),
            models.Index(fields=["orders_total_amount", "id"], name="customer_spent_idx"),
            models.Index(fields=["orders_total_count", "id"], name="customer_count_idx"),
            models.Index(fields=["orders_last_order_date", "id"], name="customer_last_order_idx"),
            # Newest last order first with customers without orders at the end: a backward
            # walk of customer_last_order_idx would put those 0-order customers first.
            models.Index(
                F("orders_last_order_date").desc(nulls_last=True),
                F("id").desc(),
                name="customer_last_order_desc_idx",
            ),
            # The orders list's search: UPPER(column) LIKE UPPER('%text%') (icontains) from
            # trigram indexes on exactly those expressions, and the word index.
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="customer_name_trgm_idx"),
            GinIndex(OpClass(Upper("email"), name="gin_trgm_ops"), name="customer_email_trgm_idx"),
            GinIndex(name_and_email_words(), name="customer_search_words_idx"),
            # The filter grammar's text conditions on an order's customer or referrer ID
            # ($contains, $starts_with, ...) find the customers first, by their id.
            GinIndex(OpClass(Upper("id"), name="gin_trgm_ops"), name="customer_id_trgm_idx"),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.source_id or self.id

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.id])

    @property
    def orders_average_amount(self) -> int:
        """Average PAID/FULFILLED order, rounded down to a whole minor unit."""
        if not self.orders_total_count:
            return 0
        return self.orders_total_amount // self.orders_total_count


class Segment(models.Model):
    """A saved group of customers, defined by conditions on their purchase summary and
    metadata; membership is computed when asked (see ``customers.segments``), never stored.

    ``conditions`` keys: ``min_total_spent`` (minor units), ``min_orders``,
    ``last_order_within_days``, ``last_order_more_than_days_ago`` and ``metadata`` (a list of
    ``key:op:value`` strings, the orders list's syntax, read against the customer schema).
    Written only through ``customers.services``.
    """

    name = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer_segments",
    )
    conditions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="segment_name_uniq",
                violation_error_message="Another segment already has this name.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:segment-detail", args=[self.pk])
