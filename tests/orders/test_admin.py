"""The operators' admin for orders: every page loads, and every write goes through the service."""

import csv
import io
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.admin.utils import quote
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import SKU, Product
from core.admin_large_tables import EstimatedCountPaginator, planner_row_estimate
from core.counts import forget_row_estimates
from customers.models import Customer
from metadata.models import MetadataProperty, MetadataSchema
from orders.actors import Actor
from orders.admin.common import order_link
from orders.models import Order, OrderEvent, OrderItem, OrderStatus
from orders.services import change_order_status
from tests.factories import CustomerFactory, ProductFactory, SKUFactory, make_order

pytestmark = pytest.mark.django_db

# The columns the issue asks the orders export for, in this order.
EXPORT_COLUMNS = [
    "id",
    "source_id",
    "status",
    "amount",
    "discount_amount",
    "total_amount",
    "items_count",
    "customer",
    "referrer",
    "metadata",
    "created_at",
    "updated_at",
]
IMPORT_HEADER = "source_id,status,amount,discount_amount,customer,referrer,metadata\n"


def admin_url(model: type[Model], view: str, *args: Any) -> str:
    opts = model._meta
    # Ids hold "_", which the admin escapes in its URLs.
    name = f"admin:{opts.app_label}_{opts.model_name}_{view}"
    return reverse(name, args=[quote(arg) for arg in args])


def order_form(**fields: Any) -> dict[str, Any]:
    """The admin order form as an operator fills it in: a total-only order by default."""
    data = {
        "source_id": "",
        "status": OrderStatus.CREATED,
        "customer": "",
        "referrer": "",
        "amount": "5000",
        "discount_amount": "0",
        "metadata": "{}",
    }
    return data | {name: "" if value is None else value for name, value in fields.items()}


class FormFields(HTMLParser):
    """The values a browser would post back from a page's form fields."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in ("submit", "button"):
            if attributes.get("type") != "checkbox" or "checked" in attributes:
                self.data[name] = attributes.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attributes:
            self.data[self._select] = attributes.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data


def change_form(client: Client, order: Order, **fields: Any) -> dict[str, str]:
    """The order's change page as the browser would post it (inlines included), edited."""
    parser = FormFields()
    parser.feed(client.get(admin_url(Order, "change", order.pk)).content.decode())
    return parser.data | fields


def form_errors(response: Any) -> dict[str, list[str]]:
    return response.context["adminform"].form.errors


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def upload(client: Client, content: str, name: str = "orders.csv") -> Any:
    """Step one of an import: the dry run and its preview (format 0 is CSV)."""
    import_file = SimpleUploadedFile(name, content.encode(), content_type="text/csv")
    return client.post(
        admin_url(Order, "import"), {"format": "0", "resource": "0", "import_file": import_file}
    )


@pytest.fixture
def catalogue() -> dict[type[Model], Model]:
    """One object of every orders model, the order made through the service with items."""
    customer = CustomerFactory()
    sku = SKUFactory()
    order = make_order(customer=customer, source_id="shop-1", metadata={"channel": "web"})
    schema = MetadataSchema.objects.create(related_object=MetadataSchema.RelatedObject.ORDER)
    MetadataProperty.objects.create(schema=schema, name="channel")
    return {
        Order: order,
        OrderItem: order.items.first(),
        OrderEvent: order.events.first(),
        Product: ProductFactory(),
        SKU: sku,
        MetadataSchema: schema,
    }


# --- Every page loads ---------------------------------------------------------------------


def test_admin_index_loads_for_an_operator(operator_client):
    response = operator_client.get(reverse("admin:index"))

    assert response.status_code == 200
    for label in ("Orders", "Order items", "Order events", "Products", "SKUs", "Metadata schemas"):
        assert label in response.content.decode()


@pytest.mark.parametrize("model", [Order, OrderItem, OrderEvent, Product, SKU, MetadataSchema])
def test_changelist_loads(operator_client, catalogue, model):
    response = operator_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert str(catalogue[model].pk) in response.content.decode()


@pytest.mark.parametrize("model", [Order, OrderItem, OrderEvent, Product, SKU, MetadataSchema])
def test_change_page_of_an_existing_object_loads(operator_client, catalogue, model):
    response = operator_client.get(admin_url(model, "change", catalogue[model].pk))

    assert response.status_code == 200


@pytest.mark.parametrize("model", [Order, Product, SKU, MetadataSchema])
def test_add_page_loads(operator_client, model):
    assert operator_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", [OrderItem, OrderEvent])
def test_items_and_events_cannot_be_added_changed_or_deleted_in_the_admin(
    operator_client, catalogue, model
):
    # Given an item and an event, written by the order service
    obj = catalogue[model]

    # When the operator tries to add or delete one, or opens one
    add = operator_client.get(admin_url(model, "add"))
    delete = operator_client.get(admin_url(model, "delete", obj.pk))
    change = operator_client.get(admin_url(model, "change", obj.pk))

    # Then only looking is allowed
    assert add.status_code == 403
    assert delete.status_code == 403
    assert change.status_code == 200
    assert not change.context["has_change_permission"]


@pytest.mark.parametrize("model", [Order, Product, SKU, MetadataSchema])
def test_delete_confirmation_loads(operator_client, catalogue, model):
    response = operator_client.get(admin_url(model, "delete", catalogue[model].pk))

    assert response.status_code == 200


def test_deleting_an_order_is_not_blocked_by_its_read_only_items_and_events(
    operator_client, catalogue
):
    response = operator_client.get(admin_url(Order, "delete", catalogue[Order].pk))

    # Then the page asks for confirmation instead of listing missing permissions
    assert not response.context["perms_lacking"]
    assert "Are you sure" in response.content.decode()


def test_order_change_page_shows_items_and_events_newest_first(operator_client, catalogue):
    # Given an order that was created and then changed
    order = catalogue[Order]
    change_order_status(order, OrderStatus.PAID, actor=Actor.system("tests"))

    # When the operator opens it
    response = operator_client.get(admin_url(Order, "change", order.pk))

    # Then both inlines are there, read-only, and the latest event comes first
    inlines = {
        formset.formset.prefix: formset for formset in response.context["inline_admin_formsets"]
    }
    assert set(inlines) == {"items", "events"}
    assert len(inlines["items"].formset.forms) == order.items.count()
    events = [form.instance.type for form in inlines["events"].formset.forms]
    assert events == [OrderEvent.Type.STATUS_CHANGED, OrderEvent.Type.CREATED]
    assert not inlines["events"].has_add_permission
    assert not inlines["items"].has_change_permission


def test_import_and_export_pages_load(operator_client):
    assert operator_client.get(admin_url(Order, "import")).status_code == 200
    assert operator_client.get(admin_url(Order, "export")).status_code == 200


def test_a_marketing_user_is_sent_to_the_admin_login(marketing_client):
    # Given a Marketing user, who may work with orders on the dashboard but is not staff
    for url in (reverse("admin:index"), admin_url(Order, "changelist"), admin_url(Order, "add")):
        # When they open an admin page
        response = marketing_client.get(url)

        # Then they are asked to log in as staff
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


# --- Creating and editing through the service ----------------------------------------------


def test_creating_a_total_only_order_records_the_operator_as_creator(operator_client, operator):
    # Given a customer
    customer = CustomerFactory()

    # When the operator fills in the add form
    response = operator_client.post(
        admin_url(Order, "add"),
        order_form(
            source_id="admin-1",
            status=OrderStatus.PAID,
            customer=customer.pk,
            amount="7700",
            discount_amount="700",
            metadata='{"channel": "phone"}',
        ),
    )

    # Then the order exists with computed totals, and its history says who created it
    assert response.status_code == 302
    order = Order.objects.get(source_id="admin-1")
    assert (order.amount, order.total_discount_amount, order.total_amount) == (7700, 700, 7000)
    assert order.metadata == {"channel": "phone"}
    event = order.events.get()
    assert event.type == OrderEvent.Type.CREATED
    assert event.actor_type == OrderEvent.ActorType.USER
    assert event.actor_user == operator
    assert event.actor_label == "operator (admin)"
    # and the service kept the customer's purchase summary current
    customer.refresh_from_db()
    assert (customer.orders_total_count, customer.orders_total_amount) == (1, 7000)


def test_a_duplicate_source_id_is_shown_on_the_form(operator_client):
    # Given an order using a source ID
    existing = make_order(source_id="dup-1", amount=1000)

    # When the operator creates another order with the same source ID
    response = operator_client.post(admin_url(Order, "add"), order_form(source_id="dup-1"))

    # Then the form comes back with the service's message on the field, and nothing is saved
    assert response.status_code == 200
    message = f"Source ID 'dup-1' is already used by order {existing.pk}."
    assert form_errors(response)["source_id"] == [message]
    assert f"already used by order {existing.pk}" in response.content.decode()
    assert Order.objects.count() == 1


def test_taking_another_orders_source_id_when_editing_is_refused(operator_client):
    # Given two orders
    taken = make_order(source_id="taken", amount=1000)
    order = make_order(source_id="mine", amount=1000, items=0)

    # When the operator gives the second the first one's source ID
    response = operator_client.post(
        admin_url(Order, "change", order.pk), change_form(operator_client, order, source_id="taken")
    )

    # Then the form says which order has it
    assert response.status_code == 200
    assert form_errors(response)["source_id"] == [
        f"Source ID 'taken' is already used by order {taken.pk}."
    ]
    order.refresh_from_db()
    assert order.source_id == "mine"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"amount": "1000", "discount_amount": "1500"},
            "discount_amount",
            "exceed the order amount",
        ),
        ({"discount_amount": "-100"}, "discount_amount", "must be zero or more"),
        ({"amount": "-100"}, "amount", "must be zero or more"),
        ({"metadata": "[1, 2]"}, "metadata", "must be an object of key/value pairs"),
        ({"status": "SHIPPED"}, "status", "Select a valid choice"),
    ],
)
def test_invalid_amounts_and_values_are_shown_on_their_fields(
    operator_client, fields, field, message
):
    # When the operator submits an order the service would refuse
    response = operator_client.post(admin_url(Order, "add"), order_form(**fields))

    # Then the form shows why, on the field, and no order is created
    assert response.status_code == 200
    assert message in " ".join(form_errors(response)[field])
    assert not Order.objects.exists()


def test_a_save_the_service_refuses_after_the_form_validated_is_shown_not_a_500(
    operator_client, monkeypatch
):
    # Given another request takes the source ID between the form's check and the save
    existing = make_order(source_id="raced", amount=1000)
    monkeypatch.setattr("orders.admin.order.ensure_source_id_available", lambda *a, **kw: None)

    # When the operator saves
    response = operator_client.post(admin_url(Order, "add"), order_form(source_id="raced"))

    # Then the form comes back with the service's message
    assert response.status_code == 200
    assert form_errors(response)["source_id"] == [
        f"Source ID 'raced' is already used by order {existing.pk}."
    ]
    assert Order.objects.count() == 1


def test_editing_the_status_writes_a_status_changed_event(operator_client, operator):
    # Given an order with items (its amount is then read-only)
    order = make_order(source_id="edit-1")

    # When the operator changes only its status
    response = operator_client.post(
        admin_url(Order, "change", order.pk),
        change_form(operator_client, order, status=OrderStatus.PAID),
    )

    # Then the order is PAID and its history has exactly that change, by the operator
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    event = order.events.get(type=OrderEvent.Type.STATUS_CHANGED)
    assert event.changes == {"status": [OrderStatus.CREATED, OrderStatus.PAID]}
    assert event.actor_user == operator
    assert order.events.count() == 2  # created + status_changed: nothing else was touched


def test_an_order_with_items_keeps_its_amount_read_only(operator_client):
    order = make_order()

    response = operator_client.get(admin_url(Order, "change", order.pk))

    assert "amount" not in response.context["adminform"].form.fields
    assert "discount_amount" in response.context["adminform"].form.fields


def test_editing_the_discount_recomputes_the_totals(operator_client):
    # Given a total-only order
    order = make_order(amount=5000, items=0)

    # When the operator gives it a discount
    operator_client.post(
        admin_url(Order, "change", order.pk),
        change_form(operator_client, order, discount_amount="1250"),
    )

    # Then the service recomputed the total
    order.refresh_from_db()
    assert (order.discount_amount, order.total_amount) == (1250, 3750)
    assert order.events.filter(type=OrderEvent.Type.ITEMS_CHANGED).exists()


# --- Deleting and bulk actions --------------------------------------------------------------


def test_deleting_an_order_goes_through_the_service(operator_client):
    # Given a customer's paid order
    customer = CustomerFactory()
    order = make_order(customer=customer, amount=4000, items=0, status=OrderStatus.PAID)

    # When the operator confirms its deletion
    response = operator_client.post(admin_url(Order, "delete", order.pk), {"post": "yes"})

    # Then it is gone and the customer's summary no longer counts it
    assert response.status_code == 302
    assert not Order.objects.filter(pk=order.pk).exists()
    customer.refresh_from_db()
    assert (customer.orders_total_count, customer.orders_total_amount) == (0, 0)


def test_bulk_delete_goes_through_the_service(operator_client):
    customer = CustomerFactory()
    orders = [
        make_order(customer=customer, amount=1000, items=0, status=OrderStatus.PAID)
        for _ in range(2)
    ]

    operator_client.post(
        admin_url(Order, "changelist"),
        {"action": "delete_selected", "_selected_action": [o.pk for o in orders], "post": "yes"},
    )

    assert not Order.objects.exists()
    customer.refresh_from_db()
    assert customer.orders_total_count == 0


def test_bulk_mark_as_paid_updates_the_customers_purchase_summary(operator_client, operator):
    # Given a customer with two new orders and one already paid
    customer = CustomerFactory()
    new = [make_order(customer=customer, amount=3000, items=0) for _ in range(2)]
    paid = make_order(customer=customer, amount=1000, items=0, status=OrderStatus.PAID)

    # When the operator marks all three as paid
    response = operator_client.post(
        admin_url(Order, "changelist"),
        {"action": "mark_paid", "_selected_action": [o.pk for o in [*new, paid]]},
    )

    # Then the two new ones changed, each with an event by the operator
    assert response.status_code == 302
    assert messages_of(response) == ["2 orders marked as Paid."]
    for order in new:
        event = OrderEvent.objects.get(order=order, type=OrderEvent.Type.STATUS_CHANGED)
        assert event.actor_user == operator
    assert not paid.events.filter(type=OrderEvent.Type.STATUS_CHANGED).exists()
    # and the customer's summary counts all three
    customer.refresh_from_db()
    assert (customer.orders_total_count, customer.orders_total_amount) == (3, 7000)


@pytest.mark.parametrize(
    ("action", "before", "status"),
    [
        ("mark_canceled", OrderStatus.CREATED, OrderStatus.CANCELED),
        ("mark_fulfilled", OrderStatus.PAID, OrderStatus.FULFILLED),
        ("mark_created", OrderStatus.PAID, OrderStatus.CREATED),
    ],
)
def test_other_bulk_status_actions(operator_client, action, before, status):
    order = make_order(amount=1000, items=0, status=before)

    response = operator_client.post(
        admin_url(Order, "changelist"), {"action": action, "_selected_action": [order.pk]}
    )

    order.refresh_from_db()
    assert order.status == status
    assert messages_of(response) == [f"1 order marked as {status.label}."]


def hidden_fields(page: str) -> list[tuple[str, str]]:
    """The hidden fields a confirmation page's form posts back, in order, repeats kept."""
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)


def test_bulk_cancel_of_paid_orders_asks_first_then_rolls_back(operator_client):
    # Given a customer's Paid order, a Created order and a Canceled one, all selected
    customer = CustomerFactory(name="Ada Lovelace")
    paid = make_order(customer=customer, amount=4000, items=0, status=OrderStatus.PAID)
    created = make_order(amount=1000, items=0)
    canceled = make_order(amount=1000, items=0, status=OrderStatus.CANCELED)
    selected = [paid.pk, created.pk, canceled.pk]

    # When the operator runs "Mark as Canceled" on them
    response = operator_client.post(
        admin_url(Order, "changelist"), {"action": "mark_canceled", "_selected_action": selected}
    )

    # Then a confirmation lists the Paid order and says what happens, and nothing changed yet
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 of the selected orders is Paid or Fulfilled" in page
    assert "no longer count in its customer&#x27;s purchase summary" in page
    assert paid.pk in page and "Ada Lovelace" in page and "$40.00" in page
    assert created.pk not in re.search(r'<table id="rollback-orders">.*?</table>', page, re.S)[0]
    assert "1 other selected order will be Canceled too" in page
    for order in (paid, created):
        order.refresh_from_db()
        assert order.status != OrderStatus.CANCELED
    customer.refresh_from_db()
    assert customer.orders_total_count == 1

    # When the operator confirms with the page's own form
    response = operator_client.post(admin_url(Order, "changelist"), hidden_fields_data(page))

    # Then both are Canceled and the customer's summary no longer counts the order
    assert response.status_code == 302
    assert messages_of(response) == ["2 orders marked as Canceled."]
    for order in (paid, created):
        order.refresh_from_db()
        assert order.status == OrderStatus.CANCELED
    customer.refresh_from_db()
    assert (customer.orders_total_count, customer.orders_total_amount) == (0, 0)


def hidden_fields_data(page: str) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in hidden_fields(page):
        data.setdefault(name, []).append(value)
    return data


def test_bulk_cancel_of_fulfilled_orders_asks_too(operator_client):
    fulfilled = make_order(amount=1000, items=0, status=OrderStatus.FULFILLED)

    response = operator_client.post(
        admin_url(Order, "changelist"),
        {"action": "mark_canceled", "_selected_action": [fulfilled.pk]},
    )

    assert response.status_code == 200
    assert "1 of the selected orders is Paid or Fulfilled" in response.content.decode()
    fulfilled.refresh_from_db()
    assert fulfilled.status == OrderStatus.FULFILLED


def test_a_rollback_not_on_the_confirmation_is_asked_again(operator_client):
    # Given the operator confirmed cancelling one Paid order among two selected
    first = make_order(amount=1000, items=0, status=OrderStatus.PAID)
    second = make_order(amount=1000, items=0)
    response = operator_client.post(
        admin_url(Order, "changelist"),
        {"action": "mark_canceled", "_selected_action": [first.pk, second.pk]},
    )
    confirmation = hidden_fields_data(response.content.decode())
    # When the other one is paid meanwhile, before the confirmation is posted
    change_order_status(second, OrderStatus.PAID, actor=Actor.system("tests"))

    response = operator_client.post(admin_url(Order, "changelist"), confirmation)

    # Then the confirmation is shown again, listing both, and nothing is canceled
    assert response.status_code == 200
    assert "2 of the selected orders are Paid or Fulfilled" in response.content.decode()
    assert not Order.objects.filter(status=OrderStatus.CANCELED).exists()


def test_bulk_delete_asks_for_confirmation_first(operator_client):
    order = make_order(amount=1000, items=0)

    response = operator_client.post(
        admin_url(Order, "changelist"),
        {"action": "delete_selected", "_selected_action": [order.pk]},
    )

    assert response.status_code == 200
    assert "Are you sure you want to delete the selected order?" in response.content.decode()
    assert Order.objects.filter(pk=order.pk).exists()


# --- Search and the changelist at scale -----------------------------------------------------


def test_search_finds_orders_by_exact_source_id_or_customer_email(operator_client):
    # Given orders of two customers
    alice = CustomerFactory(email="alice@example.com")
    hers = make_order(customer=alice, amount=1000, items=0)
    other = make_order(source_id="other-42", amount=1000, items=0)

    # When the operator searches
    by_source = operator_client.get(admin_url(Order, "changelist"), {"q": "other-42"})
    by_email = operator_client.get(admin_url(Order, "changelist"), {"q": "Alice@example.com"})

    # Then each search finds exactly its order
    assert list(by_source.context["cl"].result_list) == [other]
    assert list(by_email.context["cl"].result_list) == [hers]


def count_queries_on(captured: CaptureQueriesContext, table: str) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if "COUNT(" in query["sql"].upper() and f'"{table}"' in query["sql"]
    ]


def analyze(table: str) -> None:
    # ANALYZE sees this transaction's own rows, so the statistics match the test's data.
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{table}"')
    forget_row_estimates()


@pytest.fixture
def large_tables(monkeypatch):
    """Make every table count as large, as a million orders would."""
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_threshold", 0)


@pytest.mark.parametrize(
    ("model", "table"),
    [
        (Order, "orders_order"),
        (OrderItem, "orders_orderitem"),
        (OrderEvent, "orders_orderevent"),
        (Customer, "customers_customer"),
    ],
)
def test_changelist_of_a_large_table_runs_no_count(operator_client, large_tables, model, table):
    # Given a table the statistics call large
    for _ in range(3):
        make_order(customer=CustomerFactory())
    analyze(table)

    # When the operator opens its changelist
    with CaptureQueriesContext(connection) as captured:
        response = operator_client.get(admin_url(model, "changelist"))

    # Then the page is sized from pg_class, without counting the table
    assert response.status_code == 200
    assert count_queries_on(captured, table) == []
    assert any("pg_class" in query["sql"] for query in captured.captured_queries)
    assert response.context["cl"].result_count == model.objects.count()


def test_filtered_changelist_of_a_large_table_uses_explain_not_count(operator_client, large_tables):
    # Given paid and unpaid orders
    for status in (OrderStatus.PAID, OrderStatus.PAID, OrderStatus.CREATED):
        make_order(amount=1000, items=0, status=status)
    analyze("orders_order")

    # When the operator filters by status
    with CaptureQueriesContext(connection) as captured:
        response = operator_client.get(admin_url(Order, "changelist"), {"status__exact": "PAID"})

    # Then the number of rows comes from the planner's estimate
    assert response.status_code == 200
    assert count_queries_on(captured, "orders_order") == []
    assert any(query["sql"].startswith("EXPLAIN") for query in captured.captured_queries)
    assert len(response.context["cl"].result_list) == 2


def test_a_small_table_is_counted_exactly(operator_client):
    # Given a few orders: far below the threshold
    for _ in range(3):
        make_order(amount=1000, items=0)

    # When the operator opens the changelist
    with CaptureQueriesContext(connection) as captured:
        response = operator_client.get(admin_url(Order, "changelist"))

    # Then the count is exact, and only one (no second "N total" count)
    assert response.context["cl"].result_count == 3
    assert len(count_queries_on(captured, "orders_order")) == 1


def test_the_paginator_trusts_the_estimate_only_above_the_threshold(monkeypatch):
    # Given a queryset whose planner estimate is large
    monkeypatch.setattr("core.admin_large_tables.planner_row_estimate", lambda queryset: 2_000_000)
    orders = Order.objects.order_by("-created_at", "-id")

    # Then the paginator uses it, without counting
    with CaptureQueriesContext(connection) as captured:
        paginator = EstimatedCountPaginator(orders, 100)
        assert paginator.count == 2_000_000
        assert paginator.num_pages == 20_000
    assert captured.captured_queries == []

    # and a small estimate falls back to the exact count
    monkeypatch.setattr("core.admin_large_tables.planner_row_estimate", lambda queryset: 50)
    assert EstimatedCountPaginator(orders, 100).count == 0


def test_planner_estimate_is_close_to_the_truth():
    for _ in range(5):
        make_order(amount=1000, items=0)
    analyze("orders_order")

    assert planner_row_estimate(Order.objects.all()) == 5
    assert planner_row_estimate(Order.objects.filter(status=OrderStatus.PAID)) >= 0


# --- Import and export ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_row", "field", "message"),
    [
        ("bad-1,CREATED,-5,0,,,", "amount", "must be zero or more"),
        ("bad-1,SHIPPED,100,0,,,", "status", "must be one of CREATED, PAID, CANCELED, FULFILLED"),
        ('bad-1,CREATED,100,0,,,"{not json"', "metadata", "is not valid JSON"),
        ("bad-1,CREATED,100,500,,,", "discount_amount", "exceed the order amount"),
        ("bad-1,CREATED,12.50,0,,,", "amount", "must be a whole number in minor units"),
        ("bad-1,CREATED,100,0,nobody,,", "customer", "no customer has the source ID or id"),
        ("bad-1,CREATED,,0,,,", "amount", "give the order's items or its total amount"),
    ],
)
def test_import_dry_run_reports_a_bad_row_and_writes_nothing(
    operator_client, bad_row, field, message
):
    # Given a file with one good row and one bad row
    CustomerFactory(source_id="cust-a")
    content = IMPORT_HEADER + 'good-1,PAID,7700,700,cust-a,,"{""channel"": ""web""}"\n' + bad_row

    # When the operator uploads it
    response = upload(operator_client, content)

    # Then the preview shows the bad row's error on its column, offers no confirmation,
    assert response.status_code == 200
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [2]
    assert message in " ".join(result.invalid_rows[0].field_specific_errors[field])
    assert "confirm_form" not in response.context
    assert "Some rows failed to validate" in response.content.decode()
    # and the dry run left nothing behind
    assert not Order.objects.exists()
    assert not OrderEvent.objects.exists()


def test_confirming_a_good_import_creates_orders_through_the_service(operator_client, operator):
    # Given a customer and a referrer known by their source IDs
    customer = CustomerFactory(source_id="cust-a")
    referrer = CustomerFactory(source_id="ref-b")
    content = (
        IMPORT_HEADER
        + 'imp-1,PAID,7700,700,cust-a,ref-b,"{""channel"": ""web""}"\n'
        + "imp-2,,2500,,,,\n"
    )

    # When the operator uploads the file, sees the preview and confirms
    preview = upload(operator_client, content)
    assert not Order.objects.exists()
    confirm = preview.context["confirm_form"].initial
    response = operator_client.post(admin_url(Order, "process_import"), confirm)

    # Then both orders exist, made by the service with the operator as actor
    assert response.status_code == 302
    assert messages_of(response) == [
        "Import finished: 2 new, 0 updated, 0 deleted and 0 skipped orders."
    ]
    first = Order.objects.get(source_id="imp-1")
    assert (first.status, first.total_amount) == (OrderStatus.PAID, 7000)
    assert (first.customer, first.referrer, first.metadata) == (
        customer,
        referrer,
        {"channel": "web"},
    )
    second = Order.objects.get(source_id="imp-2")
    assert (second.status, second.amount, second.discount_amount) == (OrderStatus.CREATED, 2500, 0)
    events = OrderEvent.objects.all()
    assert {event.type for event in events} == {OrderEvent.Type.IMPORTED}
    assert {event.actor_type for event in events} == {OrderEvent.ActorType.USER}
    assert {event.actor_user for event in events} == {operator}
    customer.refresh_from_db()
    assert (customer.orders_total_count, customer.orders_total_amount) == (1, 7000)


def test_importing_an_existing_source_id_updates_that_order(operator_client, operator):
    # Given an imported order
    order = make_order(source_id="imp-1", amount=7700, items=0)

    # When a file changes its status and leaves the other cells blank
    preview = upload(operator_client, IMPORT_HEADER + "imp-1,FULFILLED,,,,,\n")
    operator_client.post(
        admin_url(Order, "process_import"), preview.context["confirm_form"].initial
    )

    # Then the same order is updated, not duplicated, with an event for the change
    assert Order.objects.count() == 1
    order.refresh_from_db()
    assert (order.status, order.amount) == (OrderStatus.FULFILLED, 7700)
    event = order.events.get(type=OrderEvent.Type.STATUS_CHANGED)
    assert event.actor_user == operator


def test_export_writes_the_agreed_columns(operator_client):
    # Given an order of a customer with a referrer
    customer = CustomerFactory(source_id="cust-a")
    referrer = CustomerFactory(source_id=None)
    order = make_order(
        source_id="exp-1",
        amount=7700,
        discount_amount=700,
        items=0,
        customer=customer,
        referrer=referrer,
        metadata={"channel": "web"},
    )

    # When the operator exports orders as CSV with every column
    fields = {f"orderresource_{name}": "on" for name in EXPORT_COLUMNS}
    response = operator_client.post(
        admin_url(Order, "export"), {"format": "0", "resource": "0", **fields}
    )

    # Then the file has the columns in order, customers by source ID (else id), UTC times
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0].split(",") == EXPORT_COLUMNS
    assert lines[1].startswith(f"{order.pk},exp-1,CREATED,7700,700,7000,0,cust-a,{referrer.pk},")
    assert '"{""channel"": ""web""}"' in lines[1]
    assert lines[1].endswith("Z")


def test_an_exported_file_imports_back_without_changes(operator_client):
    # Given exported orders
    make_order(source_id="round-1", amount=1000, items=0, customer=CustomerFactory())
    make_order(amount=2000, items=0, metadata={"a": 1})
    fields = {f"orderresource_{name}": "on" for name in EXPORT_COLUMNS}
    exported = operator_client.post(
        admin_url(Order, "export"), {"format": "0", "resource": "0", **fields}
    )

    # When the same file is imported
    preview = upload(operator_client, exported.content.decode())

    # Then every row is recognised (by id or source ID) and skipped as unchanged
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == 2
    assert result.totals["new"] == 0


def test_an_admin_edit_over_a_newer_change_is_refused(operator_client):
    # Given an operator who opened an order's change page (version 1) ...
    order = make_order(amount=1000, items=0)
    data = change_form(operator_client, order, source_id="ADMIN-1")
    assert data["opened_version"] == "1"
    # ... while someone else changed its status
    change_order_status(order, OrderStatus.PAID, actor=Actor.system("Eve"))

    # When the operator saves the form they opened
    response = operator_client.post(admin_url(Order, "change", order.pk), data)

    # Then nothing is overwritten and the form says who changed the order
    assert response.status_code == 200
    assert "was changed by Eve since you opened it" in response.content.decode()
    order.refresh_from_db()
    assert (order.status, order.source_id) == (OrderStatus.PAID, None)


def test_ids_that_look_like_admin_escapes_still_open(operator_client, monkeypatch):
    # Given an order whose id starts "ord_3F": unquoted, the admin would read "ord?"
    # (Field caches its default callable as _get_default.)
    monkeypatch.setattr(Order._meta.get_field("id"), "_get_default", lambda: "ord_3F" + "a" * 22)
    order = make_order()

    # Then its admin page opens from the admin's own link and from the order page's link
    link = order_link(order.pk)
    assert "ord_5F3F" in link
    href = link.split('"')[1]
    assert operator_client.get(href).status_code == 200
    page = operator_client.get(f"/orders/{order.pk}/").content.decode()
    assert f'href="{href}"' in page


# --- Values beyond what the columns hold ------------------------------------------------------

BIGINT = 2**63 - 1  # every amount and price column


def test_an_order_at_the_largest_amount_is_saved(operator_client):
    response = operator_client.post(
        admin_url(Order, "add"), order_form(amount=str(BIGINT), discount_amount=str(BIGINT))
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.amount, order.discount_amount, order.total_amount) == (BIGINT, BIGINT, 0)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": str(BIGINT + 1)}, "amount"),
        ({"amount": "99999999999999999999999999"}, "amount"),
        ({"discount_amount": str(BIGINT + 1)}, "discount_amount"),
    ],
)
def test_an_order_amount_beyond_its_column_is_a_field_error(operator_client, fields, field):
    response = operator_client.post(admin_url(Order, "add"), order_form(**fields))

    assert response.status_code == 200
    assert f"less than or equal to {BIGINT}" in " ".join(form_errors(response)[field])
    assert not Order.objects.exists()


def test_changing_an_order_beyond_its_column_is_a_field_error(operator_client):
    # Given an order with items (its discount is the only amount the form edits)
    order = make_order()

    # When the operator sets a discount beyond the column
    response = operator_client.post(
        admin_url(Order, "change", order.pk),
        change_form(operator_client, order, discount_amount=str(BIGINT + 1)),
    )

    # Then the form says so on the field, and the order is as it was
    assert response.status_code == 200
    assert f"less than or equal to {BIGINT}" in " ".join(form_errors(response)["discount_amount"])
    assert Order.objects.get(pk=order.pk).version == order.version


@pytest.mark.parametrize(
    ("bad_row", "field"),
    [
        (f"big-1,CREATED,{BIGINT + 1},0,,,", "amount"),
        (f"big-1,CREATED,100,{10**30},,,", "discount_amount"),
    ],
)
def test_an_import_row_beyond_its_column_is_a_row_error(operator_client, bad_row, field):
    # When a file holds an amount beyond its column, and a row at the limit
    content = IMPORT_HEADER + f"top-1,CREATED,{BIGINT},0,,,\n" + bad_row

    response = upload(operator_client, content)

    # Then the preview names that row and column, and nothing was written
    assert response.status_code == 200
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [2]
    errors = result.invalid_rows[0].field_specific_errors[field]
    assert "must be at most $92,233,720,368,547,758.07" in " ".join(errors)
    assert "confirm_form" not in response.context
    assert not Order.objects.exists()


def test_the_export_neutralizes_formulas_in_text_cells_but_not_numbers(operator_client):
    # Given orders whose source IDs (and a customer's) start like spreadsheet formulas
    customer = CustomerFactory(source_id="+cmd|' /C calc'!A0")
    # (the order service strips blanks, so no source ID starts with a tab here)
    formulas = ['=HYPERLINK("http://evil.example","x")', "@SUM(1+1)", "-2+3"]
    orders = [
        make_order(source_id=source_id, amount=1000, items=0, customer=customer)
        for source_id in formulas
    ]
    plain = make_order(source_id="-7", amount=1000, discount_amount=0, items=0)

    # When the operator exports them as CSV from the admin (the action's form posts here)
    fields = {f"orderresource_{name}": "on" for name in EXPORT_COLUMNS}
    response = operator_client.post(
        admin_url(Order, "export"),
        {
            "format": "0",
            "resource": "0",
            "export_items": [order.pk for order in [*orders, plain]],
            **fields,
        },
    )

    # Then every formula-like cell starts with a quote, as in the Exports page's files ...
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert len(rows) == len(formulas) + 1
    for order, source_id in zip(orders, formulas, strict=True):
        assert rows[order.pk]["source_id"] == f"'{source_id}"
        assert rows[order.pk]["customer"] == "'+cmd|' /C calc'!A0"
        assert rows[order.pk]["amount"] == "1000"
    # ... while a plain number is no formula and is left as it is
    assert rows[plain.pk]["source_id"] == "-7"
