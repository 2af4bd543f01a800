"""The ``import_orders`` command (issue 8) and the admin import's shared validation."""

import csv
import gc
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command, load_command_class
from django.db import connection

from core.money import MAX_MINOR_UNITS
from customers.models import Customer
from imports import loading
from metadata.models import MetadataProperty, MetadataSchema
from orders.actors import Actor
from orders.models import Order, OrderEvent, OrderItem, OrderStatus
from orders.services import ItemData, create_order
from orders.summaries import rebuild_all_purchase_summaries
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def run(*args: Any) -> str:
    """Run the command; its stdout (the summary line)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_orders", *map(str, args), stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def write_jsonl(tmp_path: Path, orders: list[Any], name: str = "orders.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(order) + "\n" for order in orders), encoding="utf-8")
    return path


def counts() -> tuple[int, int, int, int]:
    return (
        Order.objects.count(),
        OrderItem.objects.count(),
        OrderEvent.objects.count(),
        Customer.objects.count(),
    )


def checksum() -> str:
    """A digest of what an import writes, leaving out generated ids and timestamps."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT md5(coalesce((SELECT string_agg(concat_ws('|', o.source_id, o.status,
                    o.amount, o.discount_amount, o.total_amount, o.items_count, c.source_id,
                    r.source_id, o.metadata::text, o.created_at, o.version), ',' ORDER BY
                    o.source_id) FROM orders_order o
                    LEFT JOIN customers_customer c ON c.id = o.customer_id
                    LEFT JOIN customers_customer r ON r.id = o.referrer_id), '')
                || coalesce((SELECT string_agg(concat_ws('|', o.source_id, i.position,
                    p.source_id, k.source_id, i.source_id, i.quantity, i.price, i.amount,
                    i.discount_amount, i.subtotal_amount), ',' ORDER BY o.source_id,
                    i.position) FROM orders_orderitem i JOIN orders_order o ON o.id = i.order_id
                    LEFT JOIN orders_product p ON p.id = i.product_id
                    LEFT JOIN orders_sku k ON k.id = i.sku_id), '')
                || coalesce((SELECT string_agg(concat_ws('|', c.source_id, c.name, c.email,
                    c.orders_total_amount, c.orders_total_count, c.orders_last_order_amount),
                    ',' ORDER BY c.source_id) FROM customers_customer c), '')
                || coalesce((SELECT string_agg(concat_ws('|', o.source_id, e.type,
                    e.actor_type, (e.changes - 'customer_id' - 'referrer_id')::text,
                    e.changes ? 'customer_id', e.version), ',' ORDER BY o.source_id, e.id)
                    FROM orders_orderevent e JOIN orders_order o ON o.id = e.order_id), ''))
            """
        )
        return cursor.fetchone()[0]


def order(source_id: str = "o-1", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_id": source_id,
        "status": "PAID",
        "items": [{"product_id": "prod-1", "quantity": 2, "price": 1000}],
    }
    data.update(fields)
    return data


# --- formats --------------------------------------------------------------------------------


def test_the_jsonl_and_csv_examples_import_the_same_orders(tmp_path):
    # Given the documented JSON Lines example, imported
    assert "created: 2, updated: 0, unchanged: 0, failed: 0" in run(EXAMPLES / "orders.jsonl")
    from_jsonl = checksum()

    # When the CSV example (the same orders) is imported on top
    output = run(EXAMPLES / "orders.csv")

    # Then nothing changes: both formats describe the same orders
    assert "created: 0, updated: 0, unchanged: 2, failed: 0" in output
    assert checksum() == from_jsonl


def test_a_json_array_file_imports(tmp_path):
    path = tmp_path / "orders.json"
    path.write_text(json.dumps([order("a"), order("b", amount=500, items=[])]))

    assert "created: 2" in run(path)
    assert Order.objects.get(source_id="b").total_amount == 500


def test_imported_orders_match_what_the_order_service_would_store(tmp_path):
    # Given an order made by the service
    product = ProductFactory(source_id="prod-x")
    made = create_order(
        actor=Actor.importer(),
        source_id="service",
        status=OrderStatus.PAID,
        items=[
            ItemData(quantity=3, price=1250, discount_amount=100, product=product),
            ItemData(quantity=1, price=999, product=product),
        ],
        discount_amount=200,
        event_type=OrderEvent.Type.IMPORTED,
    )
    # When the same order is imported
    items = [
        {"product_id": "prod-x", "quantity": 3, "price": 1250, "discount_amount": 100},
        {"product_id": "prod-x", "quantity": 1, "price": 999},
    ]
    run(write_jsonl(tmp_path, [order("imported", items=items, discount_amount=200)]))

    # Then totals, items and the event are the same
    imported = Order.objects.get(source_id="imported")
    fields = ["amount", "initial_amount", "discount_amount", "items_discount_amount"]
    fields += ["total_discount_amount", "total_amount", "items_count", "status", "version"]
    assert [getattr(imported, f) for f in fields] == [getattr(made, f) for f in fields]
    item_fields = ["position", "product_id", "source_id", "quantity", "price", "amount"]
    item_fields += ["discount_amount", "subtotal_amount", "related_object", "metadata"]
    assert list(imported.items.values(*item_fields)) == list(made.items.values(*item_fields))
    event, service_event = imported.events.get(), made.events.get()
    assert (event.type, event.actor_type, event.version) == ("imported", "importer", 1)
    assert event.changes == service_event.changes


# --- validation -----------------------------------------------------------------------------

RULES = [
    ({"status": "SHIPPED"}, "status must be one of CREATED, PAID, CANCELED, FULFILLED"),
    ({"items": [], "amount": "12.50"}, "amount must be a whole number in minor units"),
    ({"items": [], "amount": -5}, "amount must be zero or more (actual value is '-5')"),
    ({"discount_amount": 5000}, "discounts of 5000 exceed the order amount 2000"),
    (
        {"items": [{"product_id": "p", "quantity": 1}, {"product_id": "p", "quantity": 0}]},
        "item 2: quantity must be a whole number ≥ 1 (actual value is '0')",
    ),
    (
        {"items": [{"product_id": "p", "quantity": 1, "price": -1}]},
        "item 1: price must be zero or more (actual value is '-1')",
    ),
    (
        {"items": [{"product_id": "p", "quantity": 1, "price": 10, "discount_amount": 11}]},
        "item 1: discount_amount cannot exceed the item amount 10",
    ),
    (
        {"items": [{"product_id": "p", "quantity": 1, "price": 1}] * 501},
        "items: an order holds at most 500 items (actual count is 501)",
    ),
    ({"items": [{"quantity": 1}]}, "item 1: give a product_id, a sku_id or a source_id"),
    ({"items": [{"sku_id": "s"}]}, "item 1: a SKU needs its product"),
    ({"items": [], "amount": None}, "give the order's items or its total amount"),
    ({"customer": {"name": "Ann"}}, "customer: source_id is required"),
    ({"created_at": "yesterday"}, "created_at must be an ISO 8601 date and time"),
    ({"metadata": {"channel": "fax"}}, "metadata: channel: must be equal to one of web,shop"),
    ({"metadata": {"channel": 5}}, "metadata: channel: must be a"),
]


@pytest.fixture
def order_schema(db) -> MetadataSchema:
    schema = MetadataSchema.objects.create(related_object=MetadataSchema.RelatedObject.ORDER)
    MetadataProperty.objects.create(schema=schema, name="channel", eq=["web", "shop"])
    return schema


@pytest.mark.parametrize(("fields", "message"), RULES)
def test_each_rule_is_reported_with_its_line_and_nothing_is_written(
    tmp_path, order_schema, fields, message
):
    # Given a file whose third line breaks one rule
    path = write_jsonl(tmp_path, [order("ok-1"), order("ok-2"), order("bad", **fields)])
    report = tmp_path / "errors.csv"
    before = counts()

    # When it is imported (abort is the default)
    with pytest.raises(CommandError, match="1 invalid order"):
        run(path, "--report", report)

    # Then the report names the file, line 3, the source_id and the reason, and nothing moved
    rows = list(csv.DictReader(report.open()))
    assert [(r["file"], r["line"], r["source_id"]) for r in rows][0] == (str(path), "3", "bad")
    assert message in " ".join(r["reason"] for r in rows)
    assert counts() == before


TOO_BIG = 99999999999999999999  # beyond any integer column


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"items": [{"product_id": "p", "quantity": TOO_BIG, "price": 1}]}, "item 1: quantity"),
        ({"items": [{"product_id": "p", "quantity": 1, "price": TOO_BIG}]}, "item 1: price"),
        ({"items": [], "amount": TOO_BIG}, "amount"),
        ({"items": [], "amount": 5, "discount_amount": str(TOO_BIG)}, "discount_amount"),
    ],
)
def test_a_value_beyond_its_column_is_reported_with_its_line_and_nothing_is_written(
    tmp_path, fields, where
):
    # Given a file whose second line holds a number no column can store
    path = write_jsonl(tmp_path, [order("ok-1"), order("huge", **fields), order("ok-3")])
    report = tmp_path / "errors.csv"

    # When it is imported
    with pytest.raises(CommandError, match="1 invalid order"):
        run(path, "--report", report)

    # Then line 2 is reported as too large, by name, and nothing was written
    rows = list(csv.DictReader(report.open()))
    assert [(r["line"], r["source_id"]) for r in rows] == [("2", "huge")]
    assert rows[0]["reason"].startswith(f"{where} must be at most"), rows[0]["reason"]
    assert counts() == (0, 0, 0, 0)


def test_skip_imports_the_others_when_a_quantity_is_beyond_its_column(tmp_path):
    # Given the same kind of file, imported skipping invalid orders
    too_big = {"items": [{"product_id": "p", "quantity": TOO_BIG, "price": 1}]}
    path = write_jsonl(tmp_path, [order("ok-1"), order("huge", **too_big), order("ok-3")])

    # When it is imported with --on-error skip
    output = run(path, "--on-error", "skip")

    # Then the two others are stored and line 2 is reported
    assert "created: 2, updated: 0, unchanged: 0, failed: 1" in output
    assert "line 2 (huge): item 1: quantity must be at most" in output
    assert sorted(Order.objects.values_list("source_id", flat=True)) == ["ok-1", "ok-3"]


def test_a_new_customers_total_spent_beyond_a_bigint_saturates(tmp_path):
    # Given a file with two paid orders of the largest amount for one new customer
    big = {"items": [], "amount": MAX_MINOR_UNITS, "customer": {"source_id": "whale"}}
    path = write_jsonl(tmp_path, [order("big-1", **big), order("big-2", **big)])

    # When it is imported
    run(path)

    # Then both orders are stored and the customer's summary holds the column's limit
    whale = Customer.objects.get(source_id="whale")
    assert Order.objects.filter(customer=whale).count() == 2
    assert (whale.orders_total_amount, whale.orders_total_count) == (MAX_MINOR_UNITS, 2)


def test_a_repeated_source_id_in_the_file_is_reported(tmp_path):
    path = write_jsonl(tmp_path, [order("dup"), order("x"), order("dup")])
    report = tmp_path / "errors.csv"

    with pytest.raises(CommandError):
        run(path, "--report", report)

    [row] = list(csv.DictReader(report.open()))
    assert (row["line"], row["reason"]) == ("3", "source_id repeats the order on line 1")


def test_csv_rows_report_their_row_line(tmp_path):
    shutil.copy(EXAMPLES / "orders.csv", tmp_path / "orders.csv")
    path = tmp_path / "orders.csv"
    with path.open("a") as handle:
        handle.write("shop-1003,PAID,,,,,,,,,prod-mug,Mug,,,0,1250,,\n")
    report = tmp_path / "errors.csv"

    with pytest.raises(CommandError):
        run(path, "--report", report)

    [row] = list(csv.DictReader(report.open()))
    assert row["line"] == "5"
    assert row["reason"] == "item 1: quantity must be a whole number ≥ 1 (actual value is '0')"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("o.jsonl", b'{"source_id": "a", "amount": 1}\n{"source_id": \n', "o.jsonl, line 2"),
        ("o.json", b'[{"source_id": "a"},', "broken JSON"),
        ("o.csv", b"status,amount\nPAID,100\n", "missing required column(s) source_id"),
        ("o.jsonl", b'{"source_id": "\xff"}\n', "not UTF-8"),
        ("o.txt", b"", "cannot tell the format"),
    ],
)
def test_a_malformed_file_stops_with_one_message_naming_the_place(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(path)
    assert not Order.objects.exists()


# --- abort / skip / dry run -----------------------------------------------------------------


def test_skip_imports_the_valid_orders_and_reports_the_others(tmp_path):
    path = write_jsonl(tmp_path, [order("a"), order("b", status="NOPE"), order("c")])
    before = counts()

    output = run(path, "--on-error", "skip")

    assert "created: 2, updated: 0, unchanged: 0, failed: 1" in output
    assert "line 2 (b): status must be one of" in output
    assert set(Order.objects.values_list("source_id", flat=True)) == {"a", "c"}
    assert counts()[0] == before[0] + 2


def test_dry_run_counts_but_writes_nothing(tmp_path):
    run(write_jsonl(tmp_path, [order("a")], "first.jsonl"))
    before, digest = counts(), checksum()

    output = run(write_jsonl(tmp_path, [order("a", status="FULFILLED"), order("b")]), "--dry-run")

    assert "dry run, nothing written: created: 1, updated: 1, unchanged: 0" in output
    assert counts() == before
    assert checksum() == digest


# --- upsert ---------------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write_jsonl(tmp_path, [order("a"), order("b", customer={"source_id": "c-1"})])
    run(path)
    stamps = list(Order.objects.order_by("source_id").values_list("updated_at", "version"))
    before, digest = counts(), checksum()

    output = run(path)

    assert "created: 0, updated: 0, unchanged: 2, failed: 0" in output
    assert counts() == before
    assert checksum() == digest
    assert list(Order.objects.order_by("source_id").values_list("updated_at", "version")) == stamps


def test_a_changed_order_is_updated_with_one_imported_event(tmp_path):
    run(write_jsonl(tmp_path, [order("a"), order("b")], "first.jsonl"))
    items = [{"product_id": "prod-2", "quantity": 1, "price": 300}]

    output = run(write_jsonl(tmp_path, [order("a", status="CANCELED"), order("b", items=items)]))

    assert "created: 0, updated: 2, unchanged: 0" in output
    a, b = Order.objects.get(source_id="a"), Order.objects.get(source_id="b")
    assert (a.status, a.version) == ("CANCELED", 2)
    assert a.events.latest("id").changes == {"status": ["PAID", "CANCELED"]}
    assert list(b.items.values_list("source_id", "quantity", "price")) == [("prod-2", 1, 300)]
    assert (b.total_amount, b.items_count, b.events.count()) == (300, 1, 2)
    assert b.events.latest("id").type == "imported"


def test_orders_without_a_source_id_are_always_new(tmp_path):
    path = write_jsonl(tmp_path, [order(None), order(None)])
    run(path)
    run(path)
    assert Order.objects.filter(source_id__isnull=True).count() == 4


# --- interruption ---------------------------------------------------------------------------


def test_an_interrupted_import_rerun_equals_one_clean_run(tmp_path, monkeypatch):
    # Dates given: an order without one is stamped with the time of the run.
    when = "2024-05-01T12:00:00Z"
    orders = [
        order(f"o-{n}", customer={"source_id": f"c-{n % 3}"}, created_at=when) for n in range(20)
    ]
    path = write_jsonl(tmp_path, orders)
    run(write_jsonl(tmp_path, [order("o-1", status="CREATED", created_at=when)], "earlier.jsonl"))

    # Given a clean run's result
    call_command("import_orders", str(path), "--batch-size", "3", stdout=None)
    clean = checksum()
    Order.objects.all().delete()
    Customer.objects.all().delete()
    run(write_jsonl(tmp_path, [order("o-1", status="CREATED", created_at=when)], "earlier.jsonl"))

    # When an import is interrupted after two batches
    real = loading.stage_batch
    calls = {"n": 0}

    def interrupted(cursor: Any, batch: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real(cursor, batch)

    monkeypatch.setattr(loading, "stage_batch", interrupted)
    before = checksum()
    with pytest.raises(KeyboardInterrupt):
        run(path, "--batch-size", "3")
    assert checksum() == before
    monkeypatch.setattr(loading, "stage_batch", real)

    # Then running it again gives exactly the clean run's tables
    run(path, "--batch-size", "3")
    assert checksum() == clean


def test_the_cyclic_garbage_collector_is_off_while_staging_and_back_after(tmp_path, monkeypatch):
    # Given an import of two batches, the second interrupted
    path = write_jsonl(tmp_path, [order(f"o-{n}") for n in range(4)])
    real, seen = loading.stage_batch, []

    def staged(cursor: Any, batch: Any) -> None:
        seen.append(gc.isenabled())
        if len(seen) == 2:
            raise KeyboardInterrupt
        real(cursor, batch)

    monkeypatch.setattr(loading, "stage_batch", staged)

    # When it runs
    with pytest.raises(KeyboardInterrupt):
        run(path, "--batch-size", "2")

    # Then the collector was off while staging and is on again
    assert seen == [False, False]
    assert gc.isenabled()


# --- customers ------------------------------------------------------------------------------


def test_customer_summaries_are_brought_up_to_date(tmp_path):
    alice = {"source_id": "alice", "name": "Alice", "email": "alice@example.com"}
    path = write_jsonl(
        tmp_path,
        [
            order("a", customer=alice, created_at="2024-01-01T00:00:00Z"),
            order("b", customer=alice, created_at="2024-02-01T00:00:00Z", amount=700, items=[]),
            order("c", customer=alice, status="CANCELED"),
            order("d", customer={"source_id": "bob"}, referrer={"source_id": "alice"}),
        ],
    )

    run(path)

    customer = Customer.objects.get(source_id="alice")
    assert (customer.name, customer.email) == ("Alice", "alice@example.com")
    assert (customer.orders_total_count, customer.orders_total_amount) == (2, 2700)
    assert customer.orders_last_order_amount == 700
    assert Customer.objects.get(source_id="bob").orders_total_count == 1
    assert Order.objects.get(source_id="d").referrer == customer

    # and a status change through a re-import moves the summary
    run(write_jsonl(tmp_path, [order("a", customer=alice, status="CANCELED")], "2.jsonl"))
    customer.refresh_from_db()
    assert (customer.orders_total_count, customer.orders_total_amount) == (1, 700)


def test_new_customers_get_their_summary_with_the_row_not_rewritten(tmp_path):
    # Given an order already stored (created 2023) and a file of orders for new customers,
    # one of them moving the stored order to a new customer without giving its created_at
    run(write_jsonl(tmp_path, [order("old", created_at="2023-05-01T00:00:00Z")], "1.jsonl"))
    orders = [order("old", customer={"source_id": "mover"})]
    for number in range(120):
        customer = {"source_id": f"c-{number}"}
        orders += [
            order(f"{number}-a", customer=customer, created_at="2024-01-01T00:00:00Z"),
            order(f"{number}-b", customer=customer, created_at="2024-01-01T00:00:00Z"),
            order(f"{number}-c", customer=customer, status="CANCELED", amount=5, items=[]),
        ]
    orders.append(order("mine", customer={"source_id": "mover"}, created_at="2022-01-01T00:00Z"))
    rewritten_before = customer_updates()

    # When it is imported
    run(write_jsonl(tmp_path, orders, "2.jsonl"))

    # Then every summary is what the rebuild computes, and the new customers were written
    # once, except the one whose summary could not be known before the orders were written
    assert rebuild_all_purchase_summaries().updated == 0
    mover = Customer.objects.get(source_id="mover")
    assert (mover.orders_total_count, mover.orders_total_amount) == (2, 4000)
    assert mover.orders_last_order_date == Order.objects.get(source_id="old").created_at
    assert mover.orders_last_order_date.year == 2023
    assert Customer.objects.get(source_id="c-7").orders_total_count == 2
    assert customer_updates() - rewritten_before == 1


def customer_updates() -> int:
    """Rows of customers_customer updated so far in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'customers_customer'"
        )
        return cursor.fetchone()[0]


# --- the admin ------------------------------------------------------------------------------


def test_the_admin_import_uses_the_same_validation(order_schema):
    from imports.validation import OrderValidator
    from metadata.models import MetadataSchema
    from metadata.validation import load_schema
    from orders.import_rules import check_order_cells

    # Given a cell the import_orders command refuses
    command_reasons = []
    try:
        OrderValidator().validate(order("x", metadata={"channel": "fax"}))
    except Exception as error:  # noqa: BLE001 - the reasons are what is compared
        command_reasons = error.reasons

    # Then the admin row check reports the same sentence on its column
    schema = load_schema(MetadataSchema.RelatedObject.ORDER)
    errors = check_order_cells({"metadata": '{"channel": "fax"}', "status": "X"}, schema)
    assert [f"metadata: {text}" for text in errors["metadata"]] == command_reasons
    assert errors["status"][0].startswith("must be one of CREATED")


def test_the_admin_preview_shows_a_metadata_error_from_the_shared_validator(
    operator_client, order_schema
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = 'source_id,status,amount,metadata\na,PAID,100,"{""channel"": ""fax""}"\n'
    upload = SimpleUploadedFile("o.csv", content.encode(), content_type="text/csv")
    response = operator_client.post(
        "/admin/orders/order/import/", {"format": "0", "resource": "0", "import_file": upload}
    )

    result = response.context["result"]
    assert "channel: must be equal to one of" in " ".join(
        result.invalid_rows[0].field_specific_errors["metadata"]
    )
    assert not Order.objects.exists()


def test_the_command_skips_the_system_checks(tmp_path, monkeypatch):
    # Given a command line as manage.py parses it (call_command would skip the checks anyway)
    ran: list[bool] = []
    monkeypatch.setattr("django.core.checks.run_checks", lambda *a, **k: ran.append(True) or [])
    path = write_jsonl(tmp_path, [order("a")])
    command = load_command_class("imports", "import_orders")
    options = vars(command.create_parser("manage.py", "import_orders").parse_args([str(path)]))

    # When it runs
    command.execute(*options.pop("args", ()), **options)

    # Then it imported without importing and checking every URLconf first
    assert ran == []
    assert Order.objects.filter(source_id="a").exists()
