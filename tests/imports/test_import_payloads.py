"""``imports.loading.import_payloads``: the entry point of ``POST /v1/orders/import``."""

from typing import Any

import pytest

from imports.loading import MAX_PAYLOAD_ORDERS, ImportResult, Problem, import_payloads
from metadata.models import MetadataProperty, MetadataSchema
from orders.models import Order, OrderEvent, OrderItem

pytestmark = pytest.mark.django_db


def payload(source_id: str | None = "p-1", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_id": source_id,
        "status": "PAID",
        "customer": {"source_id": "c-1", "name": "Ann"},
        "items": [{"product_id": "prod-1", "quantity": 2, "price": 1000}],
    }
    data.update(fields)
    return data


def test_valid_orders_are_imported_and_invalid_ones_reported_by_position():
    # Given three orders, the second invalid
    orders = [payload("a"), payload("b", status="LOST"), payload("c", discount_amount=100)]

    # When they are imported (skip is the default)
    result = import_payloads(orders, actor_label="api key test")

    # Then the valid ones are written, with one imported event each, by the given actor
    assert isinstance(result, ImportResult)
    assert (result.created, result.updated, result.unchanged, result.failed) == (2, 0, 0, 1)
    assert result.written
    assert sorted(Order.objects.values_list("source_id", flat=True)) == ["a", "c"]
    assert Order.objects.get(source_id="c").total_amount == 1900
    assert OrderItem.objects.count() == 2
    events = OrderEvent.objects.all()
    assert {(e.type, e.actor_type, e.actor_label) for e in events} == {
        ("imported", "importer", "api key test")
    }
    # and the problem names the order by its position and source ID, in import_orders' words
    assert result.problems == [
        Problem(
            "request",
            2,
            "b",
            "status must be one of CREATED, PAID, CANCELED, FULFILLED (actual value is 'LOST')",
        )
    ]


def test_abort_writes_nothing_when_one_order_is_invalid():
    result = import_payloads(
        [payload("a"), payload("b", items=[{"quantity": 1}])],
        on_error="abort",
        actor_label="api",
    )

    assert (result.created, result.failed, result.written) == (0, 1, False)
    assert result.problems[0].reason == "item 1: give a product_id, a sku_id or a source_id"
    assert not Order.objects.exists()


def test_a_dry_run_counts_without_writing():
    result = import_payloads([payload("a"), payload("b")], actor_label="api", dry_run=True)

    assert (result.created, result.written) == (2, False)
    assert not Order.objects.exists()


def test_sending_the_same_orders_again_changes_nothing_and_a_change_updates():
    orders = [payload("a"), payload(None, amount=500, items=[])]
    import_payloads(orders, actor_label="api")

    again = import_payloads([payload("a")], actor_label="api")
    changed = import_payloads([payload("a", status="CANCELED")], actor_label="api")

    assert (again.created, again.updated, again.unchanged, again.written) == (0, 0, 1, False)
    assert (changed.updated, changed.unchanged) == (1, 0)
    order = Order.objects.get(source_id="a")
    assert (order.status, order.version) == ("CANCELED", 2)
    assert order.events.latest("id").changes == {"status": ["PAID", "CANCELED"]}


def test_repeated_source_ids_and_non_objects_are_problems_not_errors():
    result = import_payloads([payload("a"), "not an order", payload("a")], actor_label="api")

    assert [(p.line, p.source_id, p.reason) for p in result.problems] == [
        (2, "", "an order must be an object (actual value is 'not an order')"),
        (3, "a", "source_id repeats the order on line 1"),
    ]
    assert result.created == 1


def test_a_payload_cannot_ask_for_csv_cell_parsing():
    # Given a number property, which a CSV cell gives as text ("2") to be read as JSON
    schema = MetadataSchema.objects.create(related_object=MetadataSchema.RelatedObject.ORDER)
    MetadataProperty.objects.create(schema=schema, name="score", type="number")

    # When a request carries the CSV reader's own marker
    result = import_payloads([payload("a", _csv=True, metadata={"score": "2"})], actor_label="x")

    # Then it is ignored: text is not a number in a request
    assert result.problems[0].reason.startswith("metadata: score: must be a number")
    assert not Order.objects.exists()


def test_too_many_orders_or_a_bad_argument_is_a_clear_error():
    with pytest.raises(ValueError, match=f"at most {MAX_PAYLOAD_ORDERS} orders"):
        import_payloads([payload(f"o-{n}") for n in range(2001)], actor_label="api")
    with pytest.raises(ValueError, match="must be a list"):
        import_payloads({"source_id": "a"}, actor_label="api")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="on_error"):
        import_payloads([payload()], actor_label="api", on_error="ignore")
    assert not Order.objects.exists()
