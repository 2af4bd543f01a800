"""Metadata schemas as every write reads them, kept in the shared cache.

Validating an order's, its items' and its customer's metadata reads three schemas with
their properties: six queries per API write when read from the database. They change
rarely (Project settings › Metadata schemas), so they are kept in Django's cache
(``core.shared_cache``) and forgotten on every saved or deleted schema or property.
"""

from collections.abc import Callable
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.shared_cache import VersionedCache

from .models import MetadataProperty, MetadataSchema

_schemas = VersionedCache("metadata-schema")


def cached_schema(
    related_object: str, load: Callable[[], MetadataSchema | None]
) -> MetadataSchema | None:
    """The stored schema of ``related_object`` (``None``: none stored), from the cache when
    it holds the current one, else ``load()``."""
    return _schemas.get(related_object, load)


@receiver([post_save, post_delete], sender=MetadataProperty)
@receiver([post_save, post_delete], sender=MetadataSchema)
def forget_cached_schemas(**kwargs: Any) -> None:
    """Every cached schema is read again after a schema or property changes."""
    _schemas.forget()


def forget_cached_schemas_now() -> None:
    """Forget every cached schema at once (a test's rolled-back schema sends no signal)."""
    _schemas.forget_now()
