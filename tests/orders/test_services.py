from datetime import date

import pytest
from django.core.exceptions import ValidationError

from metadata.models import MetadataProperty, MetadataSchema
from orders import services
from orders.actors import Actor
from orders.models import Order, OrderEvent, OrderItem, OrderStatus
from orders.services import ItemData
from orders.summaries import refresh_purchase_summaries
from tests.factories import CustomerFactory, ProductFactory, SKUFactory, UserFactory, make_order

pytestmark = pytest.mark.django_db


def test_create_order_computes_totals_writes_items_and_a_created_event():
    # Given a user, a product and a SKU
    user = UserFactory()
    product, sku = ProductFactory(source_id="P-1"), SKUFactory(source_id="S-1")

    # When an order with both is created
    order = services.create_order(
        actor=Actor.for_user(user),
        source_id=" SHOP-1 ",
        items=[
            ItemData(quantity=2, price=1500, product=product, discount_amount=200),
            ItemData(quantity=1, price=4700, sku=sku),
        ],
        discount_amount=500,
        metadata={"payment_method": "Visa"},
    )

    # Then its totals, items and event are stored
    order.refresh_from_db()
    assert order.source_id == "SHOP-1"
    assert order.status == OrderStatus.CREATED
    assert (order.amount, order.items_discount_amount, order.total_discount_amount) == (
        7700,
        200,
        700,
    )
    assert order.total_amount == 7000 and order.items_count == 3
    items = list(order.items.order_by("position"))
    assert [(i.related_object, i.source_id, i.amount, i.subtotal_amount) for i in items] == [
        ("product", "P-1", 3000, 2800),
        ("sku", "S-1", 4700, 4700),
    ]
    assert items[1].product_id == sku.product_id
    event = order.events.get()
    assert event.type == OrderEvent.Type.CREATED
    assert event.actor_type == OrderEvent.ActorType.USER and event.actor_user == user
    assert event.changes["total_amount"] == [None, 7000]


def test_a_used_source_id_is_refused_with_the_order_that_holds_it():
    existing = make_order(source_id="SHOP-7")
    with pytest.raises(ValidationError) as error:
        make_order(source_id="SHOP-7")
    assert error.value.message_dict["source_id"] == [
        f"Source ID 'SHOP-7' is already used by order {existing.pk}."
    ]
    assert Order.objects.count() == 1


def test_invalid_input_writes_nothing():
    with pytest.raises(ValidationError) as error:
        make_order(items=0, amount=1000, discount_amount=1500)
    assert "cannot be negative" in error.value.message_dict["discount_amount"][0]
    with pytest.raises(ValidationError):
        make_order(items=0, amount=100, status="SHIPPED")
    with pytest.raises(ValidationError):
        make_order(items=0, amount=100, metadata=["not", "a", "mapping"])
    assert not Order.objects.exists() and not OrderEvent.objects.exists()


@pytest.fixture
def item_schema() -> MetadataSchema:
    """Order items may carry a "color" (red or blue) and a "made" date."""
    schema = MetadataSchema.objects.create(related_object=MetadataSchema.RelatedObject.ORDER_ITEM)
    MetadataProperty.objects.create(schema=schema, name="color", eq=["red", "blue"])
    MetadataProperty.objects.create(schema=schema, name="made", type="date")
    return schema


def test_create_order_checks_item_metadata_naming_the_item_and_writes_nothing(item_schema):
    # Given a cart whose second line has a color the schema does not allow
    product = ProductFactory()
    items = [
        ItemData(quantity=1, price=100, product=product, metadata={"color": "red"}),
        ItemData(quantity=1, price=100, product=product, metadata={"color": "green"}),
    ]

    # When an order is created with it
    with pytest.raises(ValidationError) as error:
        services.create_order(actor=Actor.system(), items=items)

    # Then the error names the item and the property, and nothing was written
    messages = error.value.message_dict
    assert list(messages) == ["items.2.metadata.color"]
    assert "(actual value is 'green')" in messages["items.2.metadata.color"][0]
    assert not Order.objects.exists() and not OrderItem.objects.exists()


def test_item_metadata_is_stored_as_the_schema_normalizes_it(item_schema):
    # Given a line whose date is given as a date object
    product = ProductFactory()
    line = ItemData(quantity=1, price=100, product=product, metadata={"made": date(2026, 1, 31)})

    # When the order is created
    order = services.create_order(actor=Actor.system(), items=[line])

    # Then the item holds the schema's form of it
    assert order.items.get().metadata == {"made": "2026-01-31"}


def test_update_order_checks_the_new_carts_item_metadata(item_schema):
    # Given an order
    order = make_order(items=1)
    before = list(order.items.values_list("pk", flat=True))

    # When its cart is replaced by one whose only line has a wrong color
    wrong = ItemData(quantity=1, price=5, product=ProductFactory(), metadata={"color": 7})
    with pytest.raises(ValidationError) as error:
        services.update_order(order, actor=Actor.system(), items=[wrong])

    # Then the error names the line, and the order is as it was
    assert list(error.value.message_dict) == ["items.1.metadata.color"]
    assert list(order.items.values_list("pk", flat=True)) == before
    assert order.events.count() == 1


def test_a_save_that_changes_several_things_records_one_event_with_every_diff():
    # Given an order of a customer
    first, second = CustomerFactory(), CustomerFactory()
    order = make_order(customer=first, metadata={"channel": "web", "locale": "en-US"})

    # When status, customer and metadata change in one save
    services.update_order(
        order,
        actor=Actor.importer("shop sync"),
        status=OrderStatus.PAID,
        customer=second,
        metadata={"channel": "store", "coupon": "X1"},
    )

    # Then one "updated" event holds each field's before and after
    event = order.events.exclude(type=OrderEvent.Type.CREATED).get()
    assert event.type == OrderEvent.Type.UPDATED
    assert event.actor_label == "shop sync" and event.version == 2
    assert event.changes == {
        "status": ["CREATED", "PAID"],
        "customer_id": [first.pk, second.pk],
        "metadata.channel": ["web", "store"],
        "metadata.coupon": [None, "X1"],
        "metadata.locale": ["en-US", None],
    }


@pytest.mark.parametrize(
    ("change", "event_type", "diff_keys"),
    [
        ({"status": "PAID"}, "status_changed", {"status"}),
        ({"metadata": {"a": 1}}, "metadata_changed", {"metadata.a"}),
        ({"source_id": "NEW-1"}, "updated", {"source_id"}),
        ({"discount_amount": 100}, "items_changed", {"discount_amount", "total_amount",
                                                     "total_discount_amount"}),
    ],
)  # fmt: skip
def test_each_kind_of_change_has_its_event_type(change, event_type, diff_keys):
    order = make_order(items=0, amount=5000)
    services.update_order(order, actor=Actor.system(), **change)
    event = order.events.exclude(type=OrderEvent.Type.CREATED).get()
    assert event.type == event_type
    assert set(event.changes) == diff_keys


def test_customer_and_referrer_changes_are_customer_changed_events():
    ada, bob = CustomerFactory(), CustomerFactory()
    order = make_order()
    services.update_order(order, actor=Actor.system(), customer=ada, referrer=bob)
    event = order.events.get(type=OrderEvent.Type.CUSTOMER_CHANGED)
    assert event.changes == {"customer_id": [None, ada.pk], "referrer_id": [None, bob.pk]}


def test_an_edit_from_an_older_version_is_refused_and_shows_what_changed():
    # Given two people who opened the same order (version 1)
    order = make_order(items=0, amount=5000)
    opened_at = order.version
    services.update_order(
        order, actor=Actor.system("Ada"), expected_version=opened_at, status="PAID"
    )

    # When the second saves from the version they opened
    with pytest.raises(services.OrderChangedElsewhere) as refused:
        services.update_order(
            order, actor=Actor.system("Bob"), expected_version=opened_at, source_id="B"
        )

    # Then nothing of theirs is written, and they are told who changed what
    order.refresh_from_db()
    assert (order.status, order.source_id, order.version) == ("PAID", None, 2)
    assert "changed by Ada since you opened it" in refused.value.messages[0]
    assert [e.changes for e in refused.value.events] == [{"status": ["CREATED", "PAID"]}]
    assert order.events.count() == 2


def test_update_that_changes_nothing_writes_nothing():
    order = make_order(source_id="A", status=OrderStatus.PAID)
    before = Order.objects.get(pk=order.pk).updated_at
    services.update_order(order, actor=Actor.system(), source_id="A", status=OrderStatus.PAID)
    assert order.events.count() == 1
    assert Order.objects.get(pk=order.pk).updated_at == before


def test_replacing_items_recomputes_totals_and_logs_before_and_after():
    order = make_order(items=2)  # 1 × 1000 + 2 × 2000 = 5000
    product = ProductFactory()

    services.update_order(
        order, actor=Actor.system(), items=[ItemData(quantity=3, price=999, product=product)]
    )

    order.refresh_from_db()
    assert (order.amount, order.total_amount, order.items_count) == (2997, 2997, 3)
    assert OrderItem.objects.filter(order=order).count() == 1
    event = order.events.get(type=OrderEvent.Type.ITEMS_CHANGED)
    assert event.changes["amount"] == [5000, 2997]
    assert len(event.changes["items"][0]) == 2 and len(event.changes["items"][1]) == 1


def test_total_only_order_changes_amount_and_rejects_a_negative_total():
    order = make_order(items=0, amount=5000)
    services.update_order(order, actor=Actor.system(), amount=6000, discount_amount=1000)
    order.refresh_from_db()
    assert (order.amount, order.total_amount) == (6000, 5000)

    with pytest.raises(ValidationError):
        services.update_order(order, actor=Actor.system(), discount_amount=7000)
    order.refresh_from_db()
    assert order.discount_amount == 1000


def test_emptying_a_cart_needs_a_total_amount():
    order = make_order(items=2)
    with pytest.raises(ValidationError) as error:
        services.update_order(order, actor=Actor.system(), items=[])
    assert "total amount" in error.value.message_dict["amount"][0]
    assert order.items.count() == 2


def test_update_refuses_another_orders_source_id():
    make_order(source_id="TAKEN")
    order = make_order(source_id="MINE")
    with pytest.raises(ValidationError) as error:
        services.update_order(order, actor=Actor.system(), source_id="TAKEN")
    assert "already used by order" in error.value.message_dict["source_id"][0]


def test_purchase_summary_counts_only_paid_and_fulfilled_orders():
    # Given a customer with orders in every status
    customer = CustomerFactory()
    paid = make_order(items=0, amount=3000, customer=customer, status=OrderStatus.PAID)
    make_order(items=0, amount=2000, customer=customer, status=OrderStatus.FULFILLED)
    make_order(items=0, amount=9000, customer=customer, status=OrderStatus.CREATED)
    make_order(items=0, amount=8000, customer=customer, status=OrderStatus.CANCELED)

    customer.refresh_from_db()
    assert (customer.orders_total_amount, customer.orders_total_count) == (5000, 2)
    assert customer.orders_average_amount == 2500
    assert customer.orders_last_order_amount == 2000

    # When the paid order is rolled back
    services.change_order_status(paid, OrderStatus.CANCELED, actor=Actor.system("rollback"))

    # Then the summary follows
    customer.refresh_from_db()
    assert (customer.orders_total_amount, customer.orders_total_count) == (2000, 1)


def test_moving_an_order_to_another_customer_updates_both_summaries():
    first, second = CustomerFactory(), CustomerFactory()
    order = make_order(items=0, amount=4000, customer=first, status=OrderStatus.PAID)

    services.update_order(order, actor=Actor.system(), customer=second)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.orders_total_count, first.orders_total_amount) == (0, 0)
    assert first.orders_last_order_date is None
    assert (second.orders_total_count, second.orders_total_amount) == (1, 4000)


def test_delete_order_corrects_the_summary():
    customer = CustomerFactory()
    order = make_order(items=0, amount=4000, customer=customer, status=OrderStatus.PAID)
    services.delete_order(order, actor=Actor.system())
    customer.refresh_from_db()
    assert customer.orders_total_count == 0
    assert not Order.objects.filter(pk=order.pk).exists()


def test_refresh_of_unknown_or_empty_ids_is_harmless():
    refresh_purchase_summaries([None, "", "cust_doesnotexist"])


def test_unknown_fields_are_a_programming_error():
    order = make_order()
    with pytest.raises(TypeError):
        services.update_order(order, actor=Actor.system(), total_amount=1)
