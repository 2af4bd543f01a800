"""Writes to customers and their segments."""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from metadata.models import MetadataSchema
from metadata.validation import validate_metadata

from .models import Customer, Segment
from .segments import clean_conditions

# The profile fields a person may edit (the summary is the order service's:
# ``orders.summaries``).
PROFILE_FIELDS = (
    "name",
    "email",
    "phone",
    "description",
    "address_line_1",
    "address_line_2",
    "city",
    "state",
    "postal_code",
    "country",
)


def create_customer(
    *,
    name: str = "",
    email: str = "",
    phone: str = "",
    source_id: str | None = None,
    metadata: dict[str, Any] | None = None,
    **profile: str,
) -> Customer:
    """Create a customer after the model's own checks (email, unique source ID) and the
    customer metadata schema's.

    Raises ``ValidationError`` keyed by field, e.g. ``{"source_id": "Another customer already
    uses this source ID."}`` or ``{"metadata": ["tier: must be …"]}``, and writes nothing then.
    """
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"create_customer() got unexpected fields: {', '.join(sorted(unknown))}")
    customer = Customer(
        name=name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        source_id=(source_id or "").strip() or None,
        **{field: value.strip() for field, value in profile.items()},
    )
    customer.metadata = _checked_metadata(customer, metadata)
    customer.save(force_insert=True)
    return customer


@transaction.atomic
def update_customer(customer: Customer | str, **changes: Any) -> Customer:
    """Apply a partial update of profile fields, ``source_id`` and ``metadata`` (replaced
    whole); the same checks as ``create_customer``. The purchase summary is not editable.
    """
    unknown = set(changes) - {*PROFILE_FIELDS, "source_id", "metadata"}
    if unknown:
        raise TypeError(f"update_customer() got unexpected fields: {', '.join(sorted(unknown))}")
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    for field in PROFILE_FIELDS:
        if field in changes:
            setattr(customer, field, (changes[field] or "").strip())
    if "source_id" in changes:
        customer.source_id = (changes["source_id"] or "").strip() or None
    # Metadata left alone is not checked again: a schema made stricter since it was saved
    # must not block fixing a typo in the name.
    metadata = _checked_metadata(customer, changes.get("metadata"), check="metadata" in changes)
    if "metadata" in changes:
        customer.metadata = metadata
    customer.save()
    return customer


def _checked_metadata(
    customer: Customer, metadata: dict[str, Any] | None, *, check: bool = True
) -> dict[str, Any]:
    """Run the model's checks and the metadata schema's together, so a form shows every
    problem at once; the cleaned metadata on success."""
    errors: dict[str, Any] = {}
    cleaned: dict[str, Any] = {}
    try:
        customer.full_clean(exclude=["metadata"])
    except ValidationError as error:
        errors.update(error.error_dict)  # keeps each error's code (e.g. ``unique``)
    if check:
        try:
            cleaned = validate_metadata(metadata, MetadataSchema.RelatedObject.CUSTOMER)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- segments --------------------------------------------------------------------------------


def create_segment(*, name: str, conditions: dict[str, Any], owner: User) -> Segment:
    """Save a segment after checking its name (unique) and conditions."""
    segment = Segment(name=name.strip(), owner=owner)
    return _save_segment(segment, conditions, force_insert=True)


def update_segment(segment: Segment, *, name: str, conditions: dict[str, Any]) -> Segment:
    """Rename a segment and replace its conditions, with the same checks as creating one."""
    segment.name = name.strip()
    return _save_segment(segment, conditions)


def delete_segment(segment: Segment) -> None:
    """Delete a segment; its customers are untouched (membership is never stored)."""
    segment.delete()


def _save_segment(segment: Segment, conditions: dict[str, Any], **save: Any) -> Segment:
    errors: dict[str, list[Any]] = {}  # messages, or ValidationErrors
    try:
        segment.full_clean(exclude=["conditions", "owner"])
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        segment.conditions = clean_conditions(conditions)
    except ValidationError as error:
        errors.update(error.update_error_dict({}))
    if errors:
        raise ValidationError(errors)
    segment.save(**save)
    return segment
