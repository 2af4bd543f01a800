"""Reads of exports and notifications."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from .models import Export, Notification


def exports_visible_to(user: User | AnonymousUser) -> QuerySet[Export]:
    """Everyone's exports for holders of ``view_all_exports``; otherwise the user's own."""
    if not user.is_active or not user.is_authenticated:
        return Export.objects.none()
    if user.has_perm("exports.view_all_exports"):
        return Export.objects.all()
    return Export.objects.filter(user=user)


def notifications_of(user: User | AnonymousUser) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


# Keys found on orders are read from this many recent orders only: the dialog must open fast
# on a million orders.
METADATA_SAMPLE_ORDERS = 2000
METADATA_KEYS_LIMIT = 100


def metadata_keys_found() -> list[str]:
    """Metadata keys of recent orders (a bounded sample), sorted."""
    from orders.models import Order

    keys: set[str] = set()
    sample = Order.objects.order_by("-created_at").values_list("metadata", flat=True)
    for metadata in sample[:METADATA_SAMPLE_ORDERS].iterator(chunk_size=500):
        if isinstance(metadata, dict):
            keys.update(metadata)
        if len(keys) >= METADATA_KEYS_LIMIT:
            break
    return sorted(keys)[:METADATA_KEYS_LIMIT]


def export_field_choices() -> list[str]:
    """Fields the export dialog offers: the standard ones, then ``metadata.<key>`` for each
    property of the order schema and each key found on orders."""
    from metadata.conditions import KEY_PATTERN, order_schema_properties

    from .csv_format import META_PREFIX, STANDARD_FIELDS

    keys = sorted(set(order_schema_properties()) | set(metadata_keys_found()))
    return [*STANDARD_FIELDS, *(META_PREFIX + key for key in keys if KEY_PATTERN.match(key))]
