"""Metadata schemas: the properties each kind of object's ``metadata`` may hold."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from core.ids import new_metadata_schema_id


class MetadataSchema(models.Model):
    """The metadata properties defined for one kind of object (orders, customers, items)."""

    class RelatedObject(models.TextChoices):
        ORDER = "order", "Order"
        CUSTOMER = "customer", "Customer"
        ORDER_ITEM = "order_item", "Order item"

    id = models.CharField(
        primary_key=True, max_length=27, default=new_metadata_schema_id, editable=False
    )
    related_object = models.CharField(max_length=16, choices=RelatedObject, unique=True)
    allow_defined_only = models.BooleanField(
        default=False, help_text="Reject metadata keys that are not defined below."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "orders_metadataschema"  # moved from orders; the table kept its name
        ordering = ["related_object"]

    def __str__(self) -> str:
        return f"{self.get_related_object_display()} metadata"


class MetadataProperty(models.Model):
    """One property of a metadata schema with its type and constraints."""

    class Type(models.TextChoices):
        STRING = "string", "Text"
        NUMBER = "number", "Number"
        BOOLEAN = "boolean", "Yes / no"
        DATE = "date", "Date"
        DATETIME = "datetime", "Date and time"
        OBJECT = "object", "Object"
        IMAGE_URL = "image_url", "Image URL"
        GEOPOINT = "geopoint", "Geopoint"

    schema = models.ForeignKey(MetadataSchema, on_delete=models.CASCADE, related_name="properties")
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=16, choices=Type, default=Type.STRING)
    array = models.BooleanField(default=False, help_text="Holds a list of values.")
    optional = models.BooleanField(default=True)
    deleted = models.BooleanField(
        default=False, help_text="Soft-deleted: old values stay readable, new ones are not asked."
    )
    eq = models.JSONField("allowed values", default=list, blank=True)
    ne = models.JSONField("forbidden values", default=list, blank=True)
    lt = models.DecimalField(max_digits=30, decimal_places=10, null=True, blank=True)
    lte = models.DecimalField(max_digits=30, decimal_places=10, null=True, blank=True)
    gt = models.DecimalField(max_digits=30, decimal_places=10, null=True, blank=True)
    gte = models.DecimalField(max_digits=30, decimal_places=10, null=True, blank=True)
    min_length = models.PositiveIntegerField(null=True, blank=True)
    max_length = models.PositiveIntegerField(null=True, blank=True)
    exact_length = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        db_table = "orders_metadataproperty"  # moved from orders; the table kept its name
        verbose_name_plural = "metadata properties"
        ordering = ["schema", "name"]
        constraints = [
            models.UniqueConstraint(fields=["schema", "name"], name="metadata_property_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.type})"

    # The number limits as the schema form names them.
    BOUND_WORDS = {"gt": "more than", "gte": "at least", "lt": "less than", "lte": "at most"}

    def clean(self) -> None:
        """Refuse constraints no value could meet, so a property never silently refuses
        everything: number limits that cross (at least 0 and less than -5), limits on a
        property that is not a number, lengths that cross, and allowed values all forbidden.
        """
        errors: dict[str, str] = {}
        bounds = {f: getattr(self, f) for f in self.BOUND_WORDS if getattr(self, f) is not None}
        if bounds and self.type != self.Type.NUMBER:
            field = next(iter(bounds))
            errors[field] = "Only a Number property can have number limits; clear them."
        for low in ("gt", "gte"):
            for high in ("lt", "lte"):
                if low not in bounds or high not in bounds or high in errors:
                    continue
                lower, upper = bounds[low], bounds[high]
                both_inclusive = (low, high) == ("gte", "lte")
                if lower > upper or (lower == upper and not both_inclusive):
                    errors[high] = (
                        f"No number is {self.BOUND_WORDS[low]} {_plain(lower)} and "
                        f"{self.BOUND_WORDS[high]} {_plain(upper)}; change one of the limits."
                    )
        shortest, longest, exact = self.min_length, self.max_length, self.exact_length
        if shortest is not None and longest is not None and shortest > longest:
            errors["max_length"] = (
                f"The longest length ({longest}) is below the shortest ({shortest})."
            )
        elif exact is not None and (
            (shortest is not None and exact < shortest) or (longest is not None and exact > longest)
        ):
            errors["exact_length"] = (
                f"The exact length ({exact}) is outside the shortest and longest lengths."
            )
        if self.eq and self.ne and all(value in self.ne for value in self.eq):
            errors["ne"] = "Every allowed value is also forbidden, so no value could be given."
        if errors:
            raise ValidationError(errors)


def _plain(number: Any) -> str:
    """A limit without trailing zeros: ``Decimal("-5.0000000000")`` → ``-5``."""
    return f"{number.normalize():f}" if hasattr(number, "normalize") else str(number)
