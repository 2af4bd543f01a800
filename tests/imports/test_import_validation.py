"""The import validator's fast path accepts exactly what its full checks accept, with the
same result, and leaves every refusal (and its wording) to the full checks."""

import random
from typing import Any

import pytest

from imports.validation import InvalidOrder, OrderValidator, _Slow
from metadata.models import MetadataProperty, MetadataSchema

pytestmark = pytest.mark.django_db


@pytest.fixture
def validator() -> OrderValidator:
    schema = MetadataSchema.objects.create(related_object=MetadataSchema.RelatedObject.ORDER)
    MetadataProperty.objects.create(schema=schema, name="channel", eq=["web", "shop"])
    MetadataProperty.objects.create(schema=schema, name="score", type="number", lte=10)
    MetadataProperty.objects.create(schema=schema, name="gift", type="boolean")
    items = MetadataSchema.objects.create(related_object=MetadataSchema.RelatedObject.ORDER_ITEM)
    MetadataProperty.objects.create(schema=items, name="size", eq=["S", "M", "L"])
    return OrderValidator()


def full(validator: OrderValidator, data: Any) -> Any:
    try:
        return validator._validate_full(data)
    except InvalidOrder as error:
        return ("invalid", error.reasons)


def fast(validator: OrderValidator, data: Any) -> Any:
    try:
        return validator._validate_fast(data)
    except _Slow:
        return "slow"


COMMON = [
    {
        "source_id": "o-1",
        "status": "PAID",
        "created_at": "2024-01-01T10:00:00Z",
        "discount_amount": 100,
        "customer": {"source_id": "c-1", "name": "Ann", "email": "ann@example.com"},
        "items": [
            {"product_id": "p-1", "quantity": 2, "price": 1000},
            {"product_id": "p-2", "sku_id": "s-2", "quantity": 1, "price": 50},
        ],
        "metadata": {"channel": "web", "score": 3, "gift": True},
    },
    {"id": "o-2", "amount": 700},
    {"source_id": None, "status": "", "amount": 0, "items": []},
    {
        "source_id": " o-3 ",
        "items": [
            {
                "product": {"source_id": "p-3", "name": "Mug", "price": 250},
                "sku": {"source_id": "s-3", "sku": "Mug blue"},
                "source_id": "line-1",
                "discount_amount": 50,
                "metadata": {"size": "M"},
            }
        ],
        "referrer": {"source_id": "r-1"},
    },
    # A CSV row group: every cell is text.
    {
        "_csv": True,
        "source_id": "o-4",
        "status": "FULFILLED",
        "discount_amount": "10",
        "metadata": {"channel": "shop", "score": "7.5", "gift": "false"},
        "items": [
            {"product_id": "p-1", "quantity": "3", "price": "120", "metadata": {"size": "L"}}
        ],
    },
]


@pytest.mark.parametrize("data", COMMON)
def test_common_orders_take_the_fast_path_with_the_full_result(validator, data):
    result = fast(validator, data)
    assert result != "slow"
    assert result == full(validator, data)
    assert validator.validate(data) == result


INVALID = [
    ({"status": "SHIPPED", "amount": 1}, "status must be one of"),
    ({"amount": "12.50"}, "amount must be a whole number in minor units"),
    ({"amount": True}, "amount must be a whole number"),
    ({"items": [{"product_id": "p", "quantity": 0}]}, "item 1: quantity must be"),
    ({"items": [{"product_id": "p", "price": 1.5}]}, "item 1: price must be"),
    ({"items": [{"sku_id": "s"}]}, "item 1: a SKU needs its product"),
    ({"items": [{"quantity": 1}]}, "item 1: give a product_id"),
    ({"items": [{"product_id": "p", "price": 1, "discount_amount": 2}]}, "cannot exceed"),
    ({"items": [{"product_id": "p", "price": 5}], "amount": 6}, "must equal the sum"),
    ({"amount": 5, "discount_amount": 6}, "the total cannot be negative"),
    ({"amount": 5, "customer": {"name": "x"}}, "customer: source_id is required"),
    ({"amount": 5, "customer": {"source_id": "c", "phone": "1" * 65}}, "at most 64 characters"),
    ({"amount": 5, "created_at": "soon"}, "created_at must be an ISO 8601"),
    ({"amount": 5, "metadata": {"score": 11}}, "metadata: score: must be less than"),
    ({"amount": 5, "metadata": {"score": True}}, "metadata: score: must be a number"),
    ({"items": [{"product_id": "p", "metadata": {"size": "XL"}}]}, "item 1: metadata: size:"),
    ({"source_id": "x" * 256, "amount": 5}, "source_id must be at most 255 characters"),
    ({}, "give the order's items or its total amount"),
]


@pytest.mark.parametrize(("data", "reason"), INVALID)
def test_invalid_orders_fall_back_to_the_full_checks_and_their_words(validator, data, reason):
    assert fast(validator, data) == "slow"
    with pytest.raises(InvalidOrder) as error:
        validator.validate(data)
    assert reason in " ".join(error.value.reasons)


def test_the_metadata_memo_tells_one_from_true_and_one_point_oh(validator):
    # Given metadata seen first with a number, then the same key holding a boolean
    assert fast(validator, {"amount": 1, "metadata": {"score": 1}}) != "slow"
    # Then the boolean is not taken for the remembered number
    with pytest.raises(InvalidOrder, match="score: must be a number"):
        validator.validate({"amount": 1, "metadata": {"score": True}})
    assert validator.validate({"amount": 1, "metadata": {"score": 1.0}}).metadata_json == (
        '{"score": 1.0}'
    )


# Per key: values the fast path takes, then values it leaves to the full checks (some
# valid, most not).
POOLS: dict[str, tuple[list[Any], list[Any]]] = {
    "source_id": ([None, "a", " b ", ""], [7, "x" * 256, ["l"]]),
    "status": ([None, "", "PAID", "CANCELED"], ["paid", 3]),
    "amount": ([None, "", 0, 5, "12"], ["-1", -1, 2.0, True, "1.5", "٣"]),
    "discount_amount": ([None, 0, "0", 1, "3"], [-2, 0.0, False, "x"]),
    "created_at": ([None, "", "2024-02-03", "2024-02-03T04:05:06+02:00"], ["nope", 5]),
    "customer": ([None, "", {"source_id": "c"}], ["c-1", {"name": "n"}, {"source_id": 5}, 7]),
    "metadata": ([None, {}, {"channel": "web"}, {"score": 2}], [{"channel": "fax"}, []]),
    "quantity": ([None, 1, 2, "2"], [0, "0", -1, 1.0, True, "²"]),
    "price": ([None, 0, 10, "10"], [-1, 2.5, "1e3"]),
    "item_discount": ([None, 0, 1, "5"], [50, -1]),
    "product_id": (["p", " p ", "q"], [None, "", 9]),
    "sku_id": ([None, "", "s"], []),
}


def pick(rng: random.Random, key: str) -> Any:
    good, other = POOLS[key]
    return rng.choice(good if not other or rng.random() < 0.93 else other)


def random_order(rng: random.Random) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in ("source_id", "status", "amount", "discount_amount", "created_at", "customer"):
        value = pick(rng, key)
        if value is not None or rng.random() < 0.3:
            data[key] = value
    if rng.random() < 0.5:
        data["metadata"] = pick(rng, "metadata")
    if rng.random() < 0.8:
        items = []
        for _ in range(rng.randint(0, 3)):
            item: dict[str, Any] = {}
            for key, name in (
                ("quantity", "quantity"),
                ("price", "price"),
                ("item_discount", "discount_amount"),
                ("product_id", "product_id"),
                ("sku_id", "sku_id"),
            ):
                value = pick(rng, key)
                if value is not None:
                    item[name] = value
            items.append(item)
        data["items"] = items
    if rng.random() < 0.2:
        data["_csv"] = True
    return data


def test_random_orders_get_the_same_answer_from_both_paths(validator):
    rng = random.Random(8)
    taken_fast = 0
    for _ in range(3000):
        data = random_order(rng)
        expected, result = full(validator, data), fast(validator, data)
        if result == "slow":
            if isinstance(expected, tuple):
                with pytest.raises(InvalidOrder):
                    validator.validate(data)
            else:
                assert validator.validate(data) == expected
        else:
            taken_fast += 1
            assert result == expected, data
    # Both paths are really exercised
    assert 500 < taken_fast < 2900
