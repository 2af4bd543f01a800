"""An existing database migrates across the moves of metadata schemas (to ``metadata``) and of
products and SKUs (to ``catalog``) out of ``orders``: the rows stay, and so do the Marketing
group's grants, under the new app labels."""

from typing import Any

import pytest
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from catalog.models import SKU, Product
from core.roles import MARKETING_GROUP
from metadata.models import MetadataProperty, MetadataSchema
from orders.models import OrderItem

# Before the moves: orders as it was, neither new app yet.
ORDERS_BEFORE = ("orders", "0013_wizard_draft")
BEFORE = [("metadata", None), ("catalog", None), ORDERS_BEFORE]
# The new apps made, orders still holding the models in its state (a new database can run
# another app's data migration here).
BETWEEN = [("metadata", "0001_initial"), ("catalog", "0001_initial")]
MOVED = {
    "metadata": ["metadataschema", "metadataproperty"],
    "catalog": ["product", "sku"],
}
OLD_GRANTS = [
    ("orders", "view_metadataschema"),
    ("orders", "view_metadataproperty"),
    ("orders", "view_product"),
    ("orders", "view_sku"),
]
NEW_GRANTS = {
    ("metadata", "view_metadataschema"),
    ("metadata", "view_metadataproperty"),
    ("catalog", "view_product"),
    ("catalog", "view_sku"),
}


def migrate(targets: list[tuple[str, str | None]], state: list[tuple[str, str]]) -> Any:
    """Migrate to ``targets``; the historical apps at the ``state`` nodes."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    ContentType.objects.clear_cache()
    return executor.loader.project_state(state).apps


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()
    ContentType.objects.clear_cache()


def grant(apps: Any, permissions: list[tuple[str, str]]) -> None:
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=MARKETING_GROUP)
    permission = apps.get_model("auth", "Permission")
    for app_label, codename in permissions:
        group.permissions.add(
            permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def moved_grants() -> set[tuple[str, str]]:
    group = Group.objects.get(name=MARKETING_GROUP)
    models = [model for names in MOVED.values() for model in names]
    return set(
        group.permissions.filter(content_type__model__in=models).values_list(
            "content_type__app_label", "codename"
        )
    )


def leftover_content_types() -> list[str]:
    models = [model for names in MOVED.values() for model in names]
    return list(
        ContentType.objects.filter(app_label="orders", model__in=models).values_list(
            "model", flat=True
        )
    )


@pytest.mark.django_db(transaction=True)
def test_an_existing_database_keeps_its_rows_and_grants_across_the_moves() -> None:
    # Given a database before the moves: a schema with a property, a product with a SKU that
    # an order item uses, and a Marketing group allowed to view them under "orders"
    old = migrate(BEFORE, [ORDERS_BEFORE])
    schema = old.get_model("orders", "MetadataSchema").objects.create(related_object="order")
    old.get_model("orders", "MetadataProperty").objects.create(
        schema=schema, name="channel", type="string"
    )
    product = old.get_model("orders", "Product").objects.create(name="Mug", price=1200)
    sku = old.get_model("orders", "SKU").objects.create(product=product, sku="Mug, blue")
    order = old.get_model("orders", "Order").objects.create(amount=1200, total_amount=1200)
    old.get_model("orders", "OrderItem").objects.create(
        order=order, product=product, sku=sku, related_object="sku", price=1200, amount=1200
    )
    grant(old, OLD_GRANTS)

    # When it migrates to the latest state
    migrate_to_latest()

    # Then the rows read through the new apps' models, the item still points to its product
    # and SKU, and the group holds the same permissions under the new labels
    kept = MetadataSchema.objects.get(pk=schema.pk)
    assert [prop.name for prop in kept.properties.all()] == ["channel"]
    assert MetadataProperty.objects.get().schema_id == schema.pk
    item = OrderItem.objects.select_related("product", "sku").get(order_id=order.pk)
    assert (item.product, item.sku) == (Product.objects.get(), SKU.objects.get())
    assert item.sku.product_id == product.pk
    assert moved_grants() == NEW_GRANTS
    assert leftover_content_types() == []


@pytest.mark.django_db(transaction=True)
def test_orders_permissions_made_between_the_two_migrations_are_folded_into_the_new_ones() -> None:
    # Given a database where the new apps exist while orders still holds the models in its
    # state, and a data migration there made the orders permissions again (as customers 0003
    # does on a new database) and granted one
    migrate(BEFORE, [ORDERS_BEFORE])
    between = migrate(BETWEEN, BETWEEN)
    for app_config in between.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=between)
        app_config.models_module = None
    grant(between, [("orders", "view_product")])

    # When orders' migration forgets the models
    migrate_to_latest()

    # Then no orders content type of a moved model is left, and the grant is catalog's
    assert leftover_content_types() == []
    assert moved_grants() == {("catalog", "view_product")}
