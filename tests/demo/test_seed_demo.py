"""``manage.py seed_demo``: reproducible, consistent demo data, and careful with existing data."""

import uuid
from collections import Counter
from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from catalog.models import SKU, Product
from core import ids
from customers.models import Customer
from demo.generator import ACTOR_LABEL, HISTORY, DemoGenerator
from demo.load import flush_demo
from demo.vocabulary import ORDER_METADATA_VALUES
from metadata.models import MetadataSchema
from orders.models import COUNTED_STATUSES, Order, OrderEvent, OrderItem, OrderStatus
from orders.totals import ItemInput, compute_totals
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db

UNTIL = "2025-06-30"
UNTIL_AT = datetime(2025, 6, 30, tzinfo=UTC)
SEEDED_MODELS = (Product, SKU, Customer, Order, OrderItem, OrderEvent)


def seed(*args: str, **options: Any) -> str:
    """Run the command with small default sizes; return what it printed."""
    out = StringIO()
    options = {"orders": 300, "customers": 60, "seed": 7, "until": UNTIL, **options}
    call_command("seed_demo", *args, stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every column of every seeded row, in primary-key order."""
    return {
        model.__name__: list(model.objects.order_by("pk").values_list()) for model in SEEDED_MODELS
    }


@pytest.fixture
def seeded() -> str:
    return seed(chunk_size=70)  # several chunks, so chunk boundaries are exercised


# --- reproducibility --------------------------------------------------------------------------


def test_same_seed_and_until_give_identical_data(seeded):
    # Given a database seeded with seed 7
    first = snapshot()

    # When it is flushed and seeded again with the same seed and end date, in other chunks
    seed("--flush", chunk_size=1000)

    # Then every row, ids and timestamps included, is the same
    assert snapshot() == first
    assert len(first["Order"]) == 300


def test_a_different_seed_gives_different_data(seeded):
    # Given a database seeded with seed 7
    first = snapshot()

    # When it is reseeded with seed 8
    seed("--flush", seed=8)

    # Then the orders differ, and so do their ids
    second = snapshot()
    assert second["Order"] != first["Order"]
    assert {row[0] for row in second["Order"]}.isdisjoint(row[0] for row in first["Order"])


# --- what is generated ------------------------------------------------------------------------


def test_counts_match_the_arguments(seeded):
    assert Order.objects.count() == 300
    assert Customer.objects.count() == 60
    assert OrderEvent.objects.count() == 300
    assert Product.objects.count() == 200
    assert SKU.objects.exists()
    # The command reports what it did
    assert "Loaded 200 products" in seeded
    assert "60 customers, 300 orders" in seeded


def test_orders_look_like_a_shop(seeded):
    orders = list(Order.objects.all())
    item_counts = Counter(OrderItem.objects.values_list("order_id", flat=True))

    # Statuses are valid and all of them occur
    assert {order.status for order in orders} == set(OrderStatus.values)
    # Orders carry 1–8 items, or none at all (total-only), and those are a few percent
    assert set(item_counts.values()) <= set(range(1, 9))
    total_only = [order for order in orders if order.id not in item_counts]
    assert len(total_only) < 0.1 * len(orders)
    assert all(order.items_count == 0 for order in total_only)
    # Most orders have a customer, some a referrer, nobody refers their own order
    with_customer = sum(order.customer_id is not None for order in orders)
    assert 0.55 * len(orders) < with_customer < 0.85 * len(orders)
    referred = [order for order in orders if order.referrer_id]
    assert referred
    assert all(order.referrer_id != order.customer_id for order in referred)
    # Some discounts on orders and on items
    assert any(order.discount_amount for order in orders)
    assert OrderItem.objects.filter(discount_amount__gt=0).exists()
    assert set(OrderItem.objects.values_list("quantity", flat=True)) <= {1, 2, 3, 4, 5}


def test_dates_cover_two_years_before_until(seeded):
    orders = list(Order.objects.order_by("source_id"))
    assert all(UNTIL_AT - HISTORY <= order.created_at < UNTIL_AT for order in orders)
    assert all(order.created_at <= order.updated_at < UNTIL_AT for order in orders)
    # ORD-0000001 is the oldest: numbers grow with time, as a shop's do
    assert [order.created_at for order in orders] == sorted(order.created_at for order in orders)
    # Customers existed before their orders
    for order in Order.objects.select_related("customer").exclude(customer=None):
        assert order.customer.created_at < order.created_at


def test_amounts_are_what_compute_totals_gives(seeded):
    items_by_order: dict[str, list[OrderItem]] = {}
    for item in OrderItem.objects.order_by("order_id", "position"):
        items_by_order.setdefault(item.order_id, []).append(item)

    for order in Order.objects.all():
        items = items_by_order.get(order.id, [])
        totals = compute_totals(
            [ItemInput(item.quantity, item.price, item.discount_amount) for item in items],
            amount=None if items else order.amount,
            discount_amount=order.discount_amount,
        )
        assert (
            order.amount,
            order.initial_amount,
            order.items_discount_amount,
            order.total_discount_amount,
            order.total_amount,
            order.items_count,
        ) == (
            totals.amount,
            totals.initial_amount,
            totals.items_discount_amount,
            totals.total_discount_amount,
            totals.total_amount,
            totals.items_count,
        ), order.source_id
        for item, computed in zip(items, totals.items, strict=True):
            assert (item.amount, item.subtotal_amount) == (
                computed.amount,
                computed.subtotal_amount,
            )
        assert [item.position for item in items] == list(range(len(items)))


def test_items_point_to_the_catalogue_at_its_price(seeded):
    for item in OrderItem.objects.select_related("product", "sku"):
        if item.related_object == OrderItem.RelatedObject.SKU:
            assert item.sku.product_id == item.product_id
            assert (item.price, item.source_id) == (item.sku.price, item.sku.source_id)
        else:
            assert item.sku is None
            assert (item.price, item.source_id) == (item.product.price, item.product.source_id)


def test_every_order_has_exactly_one_created_event(seeded):
    events = {event.order_id: event for event in OrderEvent.objects.all()}
    assert len(events) == Order.objects.count() == OrderEvent.objects.count()

    for order in Order.objects.all():
        event = events[order.id]
        assert event.type == OrderEvent.Type.CREATED
        assert event.actor_type == OrderEvent.ActorType.SYSTEM
        assert event.actor_label == ACTOR_LABEL
        assert event.actor_user is None
        assert event.created_at == order.created_at
        assert event.version == order.version == 1
        # The shape orders.services.create_order records
        assert event.changes == {
            "status": [None, order.status],
            "amount": [None, order.amount],
            "total_amount": [None, order.total_amount],
            "items_count": [None, order.items_count],
            "customer_id": [None, order.customer_id],
            "referrer_id": [None, order.referrer_id],
        }


def test_ids_and_source_ids_have_the_reference_shape(seeded):
    for model, prefix in ((Order, ids.ORDER), (Customer, ids.CUSTOMER), (Product, ids.PRODUCT)):
        assert all(ids.is_id(pk, prefix) for pk in model.objects.values_list("pk", flat=True))
    assert all(ids.is_id(pk, ids.SKU) for pk in SKU.objects.values_list("pk", flat=True))

    assert sorted(Order.objects.values_list("source_id", flat=True)) == [
        f"ORD-{n:07d}" for n in range(1, 301)
    ]
    assert sorted(Customer.objects.values_list("source_id", flat=True)) == [
        f"CUST-{n:06d}" for n in range(1, 61)
    ]


def test_customers_have_profiles(seeded):
    for customer in Customer.objects.all():
        assert customer.name and "@" in customer.email and customer.phone.startswith("+")
        assert customer.city and customer.country
        assert set(customer.metadata) == {"segment", "newsletter"}


def test_each_customer_summary_adds_up_their_paid_and_fulfilled_orders(seeded):
    # Given the seeded customers and their orders
    counted: dict[str, list[Order]] = {}
    for order in Order.objects.filter(status__in=COUNTED_STATUSES).exclude(customer=None):
        counted.setdefault(order.customer_id, []).append(order)
    assert counted, "some customers have counted orders"

    # Then each summary is the sum, the count and the latest of those orders
    for customer in Customer.objects.all():
        orders = sorted(counted.get(customer.pk, []), key=lambda o: (o.created_at, o.pk))
        last = orders[-1] if orders else None
        assert (
            customer.orders_total_amount,
            customer.orders_total_count,
            customer.orders_last_order_amount,
            customer.orders_last_order_date,
        ) == (
            sum(order.total_amount for order in orders),
            len(orders),
            last.total_amount if last else None,
            last.created_at if last else None,
        ), customer.source_id


def test_order_metadata_fits_its_schema(seeded):
    schema = MetadataSchema.objects.get(related_object="order")
    properties = {prop.name: prop for prop in schema.properties.all()}
    assert set(properties) == set(ORDER_METADATA_VALUES)
    for prop in properties.values():
        assert (prop.type, prop.optional, prop.array) == ("string", True, False)
        assert prop.eq == list(ORDER_METADATA_VALUES[prop.name])

    for metadata in Order.objects.values_list("metadata", flat=True):
        assert {"payment_method", "channel", "locale"} <= set(metadata)
        for key, value in metadata.items():
            assert value in properties[key].eq


def test_the_schema_is_updated_in_place_not_duplicated(seeded):
    # Given someone narrowed a property of the seeded schema
    schema = MetadataSchema.objects.get(related_object="order")
    schema.properties.filter(name="channel").update(eq=["web"], optional=False)

    # When the demo is loaded again
    seed("--flush")

    # Then the same schema holds the demo's definition again, once
    assert MetadataSchema.objects.get(related_object="order").pk == schema.pk
    channel = schema.properties.get(name="channel")
    assert (channel.eq, channel.optional) == (["web", "mobile_app", "store"], True)
    assert schema.properties.count() == len(ORDER_METADATA_VALUES)


def test_new_orders_after_seeding_get_fresh_item_and_event_ids(seeded):
    # Given seeded items and events with explicit ids
    # When an order is made through the service afterwards
    order = make_order(items=2)

    # Then its rows do not clash with the seeded ones
    assert order.items.count() == 2
    assert order.events.count() == 1


# --- safety -----------------------------------------------------------------------------------


def table_definitions() -> list[str]:
    """Every index and constraint of the seeded tables, as PostgreSQL prints them."""
    tables = [model._meta.db_table for model in SEEDED_MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s)
            UNION ALL
            SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
            FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])
            ORDER BY 1
            """,
            [tables, tables],
        )
        return [definition for (definition,) in cursor.fetchall()]


def test_indexes_and_foreign_keys_are_all_back_after_loading():
    # Given the tables' indexes and constraints, which the PostgreSQL load drops meanwhile
    before = table_definitions()
    assert any("FOREIGN KEY" in definition for definition in before)

    # When the demo is loaded
    seed()

    # Then every one of them is back, unchanged
    assert table_definitions() == before


def test_a_database_user_who_does_not_own_the_tables_loads_the_same_data(seeded):
    # Given what the tables' owner loaded, and a database user with every right on the rows
    # but not owning the tables (so it may not drop their indexes)
    loaded_by_owner = snapshot()
    before = table_definitions()
    flush_demo()
    role = f"seed_demo_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        # Created in the test's transaction, so the role vanishes with it.
        cursor.execute(f"CREATE ROLE {role}")
        cursor.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")

    # When that user loads the demo
    out = seed()

    # Then it loads the slower way, with the indexes in place, and the data is the same
    assert "does not own the tables" in out
    assert snapshot() == loaded_by_owner
    assert table_definitions() == before


def test_a_failure_midway_leaves_nothing_behind(monkeypatch):
    # Given a load that breaks in the middle of the orders
    before = table_definitions()
    make_rows = DemoGenerator._order

    def breaks_at_order_150(self: DemoGenerator, index: int, *args: Any) -> Any:
        if index == 150:
            raise RuntimeError("disk full")
        return make_rows(self, index, *args)

    monkeypatch.setattr(DemoGenerator, "_order", breaks_at_order_150)

    # When seed_demo runs
    with pytest.raises(RuntimeError, match="disk full"):
        seed(chunk_size=50)

    # Then no row was written, and the indexes and foreign keys are all there
    assert not any(model.objects.exists() for model in SEEDED_MODELS)
    assert table_definitions() == before


def test_refuses_to_write_into_a_database_with_orders():
    # Given an order made by someone
    make_order()

    # When seed_demo runs without --flush or --if-empty
    with pytest.raises(CommandError, match="already has orders"):
        seed()

    # Then nothing was written
    assert Order.objects.count() == 1
    assert not Customer.objects.filter(source_id__startswith="CUST-").exists()


def test_if_empty_leaves_existing_data_alone():
    # Given an existing order
    existing = make_order()

    # When seed_demo runs with --if-empty
    out = seed("--if-empty")

    # Then it says so and writes nothing
    assert "already exist" in out
    assert list(Order.objects.values_list("pk", flat=True)) == [existing.pk]


def test_if_empty_loads_an_empty_database():
    seed("--if-empty")
    assert Order.objects.count() == 300


def test_flush_replaces_existing_data():
    # Given an order and a customer that are not demo data
    make_order(customer=CustomerFactory())

    # When seed_demo runs with --flush
    out = seed("--flush")

    # Then only demo data remains
    assert "Deleted the existing data (1 orders)" in out
    assert Order.objects.count() == 300
    assert not Customer.objects.exclude(source_id__startswith="CUST-").exists()


def test_refuses_when_demo_customers_are_left_without_orders():
    # Given demo-looking customers from an interrupted load, but no orders
    Customer.objects.create(source_id="CUST-000001", name="Left over")

    # When seed_demo runs
    with pytest.raises(CommandError, match="--flush"):
        seed()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"orders": -1}, "--orders cannot be negative"),
        ({"customers": -5}, "--customers cannot be negative"),
        ({"customers": 10, "referrers": 11}, r"--referrers \(11\) cannot exceed --customers"),
        ({"referrers": -1}, "--referrers must be zero or more"),
        ({"until": "30/06/2025"}, "--until must be a date"),
        ({"until": "2025-02-30"}, "--until must be a date"),
        ({"until": "1900-01-01"}, "--until must be 1980-01-01 or later"),
        ({"chunk_size": 0}, "--chunk-size must be at least 1"),
        ({"flush": True, "if_empty": True}, "either --flush or --if-empty"),
    ],
)
def test_bad_arguments_are_clear_errors(options, message):
    with pytest.raises(CommandError, match=message):
        seed(**options)
    assert not Order.objects.exists()


def test_bad_arguments_from_the_command_line_are_clear_errors():
    with pytest.raises(CommandError, match="invalid int value"):
        call_command("seed_demo", "--orders", "many", stdout=StringIO())
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command("seed_demo", "--flush", "--if-empty", stdout=StringIO())


def test_no_orders_loads_the_catalogue_and_customers_only():
    seed(orders=0)
    assert not Order.objects.exists()
    assert Customer.objects.count() == 60
    assert Product.objects.count() == 200


def test_no_customers_means_orders_without_customers():
    seed(customers=0, orders=50)
    assert Order.objects.count() == 50
    assert not Order.objects.exclude(customer=None).exists()
    assert not Order.objects.exclude(referrer=None).exists()


def test_until_defaults_to_today_at_midnight_utc():
    def midnight() -> datetime:
        return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)

    # (Taken on both sides of the run, in case it straddles midnight.)
    today_before = midnight()
    seed(until=None, orders=20)
    today_after = midnight()

    orders = Order.objects.order_by("created_at")
    assert today_before - HISTORY <= orders.first().created_at
    assert orders.last().created_at < today_after
