"""Writes to metadata schemas (Project settings › Metadata schemas).

A property is never removed: deleting it marks it ``deleted``, so values already stored stay
readable and are no longer validated or asked for. Changing a property's type (or whether it
holds a list) when stored objects already hold values for it needs the caller's
confirmation, given after showing how many rows hold one (``rows_holding``).

The models whose ``metadata`` a schema describes belong to the apps above this one; each
registers its own in its ``AppConfig.ready()`` (``register_holder``), so this module counts
their rows without importing them.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from .conditions import KEY_PATTERN, KEY_RULE
from .models import MetadataProperty, MetadataSchema

# The model whose ``metadata`` each schema describes, by related object (``register_holder``).
HOLDERS: dict[str, type[Model]] = {}
PROPERTY_FIELDS = (
    "name",
    "type",
    "array",
    "optional",
    "eq",
    "ne",
    "lt",
    "lte",
    "gt",
    "gte",
    "min_length",
    "max_length",
    "exact_length",
)


class TypeChangeNeedsConfirmation(ValidationError):
    """Changing the type would leave ``count`` stored values of the old type behind."""

    def __init__(self, prop: MetadataProperty, count: int) -> None:
        self.count = count
        noun = MetadataSchema.RelatedObject(prop.schema.related_object).label.lower()
        super().__init__(
            f"{count:,} {noun}{'' if count == 1 else 's'} hold a value for {prop.name} of the "
            f"old type; they keep it, and it will not pass validation when next saved.",
            code="type_change_needs_confirmation",
        )


def register_holder(related_object: str, model: type[Model]) -> None:
    """Name ``model`` as the one whose ``metadata`` the ``related_object`` schema describes."""
    if related_object not in MetadataSchema.RelatedObject.values:
        raise ValueError(f"no metadata schema describes {related_object!r}")
    HOLDERS[related_object] = model


def schema_for(related_object: str) -> MetadataSchema:
    """The object's schema, created empty the first time a property is added to it."""
    schema, _ = MetadataSchema.objects.get_or_create(related_object=related_object)
    return schema


def rows_holding(related_object: str, name: str) -> int:
    """How many stored objects hold a value for ``name`` in their metadata; the "has key"
    test is answered by the metadata GIN index on orders."""
    return HOLDERS[related_object]._default_manager.filter(metadata__has_key=name).count()


def set_allow_defined_only(related_object: str, value: bool) -> MetadataSchema:
    """Accept only defined keys (``True``) or unknown keys too (``False``)."""
    schema = schema_for(related_object)
    schema.allow_defined_only = value
    schema.save(update_fields=["allow_defined_only", "updated_at"])
    return schema


@transaction.atomic
def save_property(
    schema: MetadataSchema,
    fields: dict[str, Any],
    *,
    prop: MetadataProperty | None = None,
    confirmed: bool = False,
) -> MetadataProperty:
    """Add a property to ``schema`` or change ``prop``.

    Raises ``TypeChangeNeedsConfirmation`` (writing nothing) when ``prop``'s type or array
    flag changes while stored objects hold values for it, unless ``confirmed``; and
    ``ValidationError`` for a duplicate name or bad constraints.
    """
    unknown = set(fields) - set(PROPERTY_FIELDS)
    if unknown:
        raise TypeError(f"save_property() got unexpected fields: {', '.join(sorted(unknown))}")
    if prop is None:
        prop = MetadataProperty(schema=schema)
        renamed_from = None
    else:
        prop = MetadataProperty.objects.select_for_update().get(pk=prop.pk)
        renamed_from = prop.name
        retyped = fields.get("type", prop.type) != prop.type or fields.get(
            "array", prop.array
        ) != bool(prop.array)
        if retyped and not confirmed:
            count = rows_holding(schema.related_object, prop.name)
            if count:
                raise TypeChangeNeedsConfirmation(prop, count)
    for field, value in fields.items():
        setattr(prop, field, value)
    if renamed_from is None:
        prop.deleted = False
    if not KEY_PATTERN.match(prop.name or ""):
        # The name is a metadata key: one the validator, filters and exports accept.
        raise ValidationError({"name": KEY_RULE})
    prop.full_clean()
    prop.save()
    return prop


def delete_property(prop: MetadataProperty) -> MetadataProperty:
    """Soft-delete: stored values stay readable; new metadata is not validated against it."""
    prop.deleted = True
    prop.save(update_fields=["deleted"])
    return prop


def restore_property(prop: MetadataProperty) -> MetadataProperty:
    """Undo a soft delete."""
    prop.deleted = False
    prop.save(update_fields=["deleted"])
    return prop
