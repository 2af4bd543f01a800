import json
import random
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from metadata.models import MetadataProperty, MetadataSchema
from metadata.schema_cache import forget_cached_schemas
from metadata.validation import (
    MAX_SIZE_BYTES,
    MetadataValidationError,
    PropertyInfo,
    describe_properties,
    load_schema,
    validate_metadata,
)

pytestmark = pytest.mark.django_db


def make_schema(
    related_object: str = "order", *, allow_defined_only: bool = False, **properties: dict
) -> MetadataSchema:
    """A stored schema; each keyword is a property name with its fields."""
    schema = MetadataSchema.objects.create(
        related_object=related_object, allow_defined_only=allow_defined_only
    )
    for name, fields in properties.items():
        MetadataProperty.objects.create(schema=schema, name=name, **fields)
    return schema


def problems_of(metadata: object, related_object: str = "order", **kwargs: Any) -> list[str]:
    with pytest.raises(MetadataValidationError) as raised:
        validate_metadata(metadata, related_object, **kwargs)
    return raised.value.messages


@pytest.mark.parametrize(
    ("kind", "value", "cleaned"),
    [
        ("string", "Visa", "Visa"),
        ("number", 12, 12),
        ("number", 12.5, 12.5),
        ("number", Decimal("7.25"), 7.25),
        ("boolean", False, False),
        ("date", "2026-01-31", "2026-01-31"),
        ("date", date(2026, 1, 31), "2026-01-31"),
        ("datetime", "2026-01-31T14:00:00+02:00", "2026-01-31T12:00:00.000Z"),
        ("datetime", "2026-01-31T14:00:00.5Z", "2026-01-31T14:00:00.500Z"),
        ("datetime", "2026-01-31 14:00", "2026-01-31T14:00:00.000Z"),
        ("datetime", datetime(2026, 1, 31, 14, tzinfo=timezone(timedelta(hours=-5))),
         "2026-01-31T19:00:00.000Z"),
        ("datetime", datetime(2026, 1, 31, 14), "2026-01-31T14:00:00.000Z"),
        ("object", {"card": {"brand": "Visa"}}, {"card": {"brand": "Visa"}}),
        ("image_url", "https://cdn.example.com/a.png", "https://cdn.example.com/a.png"),
        ("geopoint", {"lat": 52.23, "lng": 21.01}, {"lat": 52.23, "lng": 21.01}),
        ("geopoint", {"lat": -90, "lng": 180}, {"lat": -90, "lng": 180}),
    ],
)  # fmt: skip
def test_each_type_accepts_its_values_and_normalizes_them(kind, value, cleaned):
    # Given an order schema with a property of that type
    make_schema(field={"type": kind})

    # When a valid value is validated
    result = validate_metadata({"field": value}, "order")

    # Then it comes back normalized, with the same JSON type
    assert result == {"field": cleaned}
    assert type(result["field"]) is type(cleaned)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("string", 5, "field: must be a string (actual value is '5')"),
        ("number", "12.5", "field: must be a number (actual value is '12.5')"),
        ("number", True, "field: must be a number (actual value is 'true')"),
        ("number", float("nan"), "field: must be a number (actual value is 'NaN')"),
        ("boolean", "true", "field: must be a boolean (actual value is 'true')"),
        ("boolean", 1, "field: must be a boolean (actual value is '1')"),
        ("date", "31/01/2026", "field: must be a date (YYYY-MM-DD) (actual value is '31/01/2026')"),
        ("date", "2026-02-30", "field: must be a date (YYYY-MM-DD) (actual value is '2026-02-30')"),
        ("date", datetime(2026, 1, 31, tzinfo=UTC),
         "field: must be a date (YYYY-MM-DD) (actual value is '2026-01-31T00:00:00+00:00')"),
        ("datetime", "2026-01-31",
         "field: must be a datetime (ISO 8601) (actual value is '2026-01-31')"),
        ("datetime", "yesterday",
         "field: must be a datetime (ISO 8601) (actual value is 'yesterday')"),
        ("object", ["a"], """field: must be an object (actual value is '["a"]')"""),
        ("image_url", "ftp://example.com/a.png",
         "field: must be an image URL (http or https) (actual value is 'ftp://example.com/a.png')"),
        ("image_url", "not a url",
         "field: must be an image URL (http or https) (actual value is 'not a url')"),
        ("geopoint", {"lat": 91, "lng": 0},
         'field: must be a geopoint {"lat": -90..90, "lng": -180..180}'
         """ (actual value is '{"lat": 91, "lng": 0}')"""),
        ("geopoint", "52.23,21.01",
         'field: must be a geopoint {"lat": -90..90, "lng": -180..180}'
         " (actual value is '52.23,21.01')"),
        ("geopoint", {"lat": 1, "lon": 2},
         'field: must be a geopoint {"lat": -90..90, "lng": -180..180}'
         """ (actual value is '{"lat": 1, "lon": 2}')"""),
    ],
)  # fmt: skip
def test_each_type_rejects_other_values_in_the_reference_shape(kind, value, message):
    # Given an order schema with a property of that type
    make_schema(field={"type": kind})

    # When a value of another type is validated, then the message names the property
    assert problems_of({"field": value}) == [message]


def test_an_array_property_takes_a_list_of_that_type():
    # Given array properties
    make_schema(
        days={"type": "date", "array": True},
        scores={"type": "number", "array": True},
        tags={"type": "string", "array": True, "optional": False},
    )

    # When lists (or a tuple) of valid values are validated, then lists come back normalized
    assert validate_metadata(
        {"days": (date(2026, 1, 1), "2026-01-02"), "scores": [], "tags": ["a"]}, "order"
    ) == {"days": ["2026-01-01", "2026-01-02"], "scores": [], "tags": ["a"]}

    # And a scalar, a wrong element and an empty required list are refused
    assert problems_of({"days": "2026-01-01", "scores": [1, "2", 3], "tags": []}) == [
        "days: must be an array (actual value is '2026-01-01')",
        "scores[1]: must be a number (actual value is '2')",
        "tags: is required (actual value is '[]')",
    ]


@pytest.mark.parametrize(
    ("constraints", "good", "bad", "message"),
    [
        ({"eq": ["Visa", "Cash"]}, "Visa", "Amex", "must be equal to one of Visa,Cash"),
        ({"ne": ["Amex"]}, "Visa", "Amex", "must not be equal to any of Amex"),
        ({"type": "number", "eq": [1, 2]}, 2, 3, "must be equal to one of 1,2"),
        ({"type": "boolean", "eq": [True]}, True, False, "must be equal to one of true"),
        ({"type": "date", "eq": ["2026-01-01"]}, date(2026, 1, 1), "2026-01-02",
         "must be equal to one of 2026-01-01"),
        ({"type": "number", "lt": 10}, 9.99, 10, "must be less than 10"),
        ({"type": "number", "lte": Decimal("0.3")}, 0.3, 0.1 + 0.2,
         "must be less than or equal to 0.3"),
        ({"type": "number", "gt": 0}, 1, 0, "must be greater than 0"),
        ({"type": "number", "gte": Decimal("-1.5")}, -1.5, -1.6,
         "must be greater than or equal to -1.5"),
        ({"min_length": 2}, "ab", "a", "must have at least 2 characters"),
        ({"max_length": 3}, "abc", "abcd", "must have at most 3 characters"),
        ({"exact_length": 1}, "a", "ab", "must have exactly 1 character"),
        ({"array": True, "min_length": 2}, ["a", "b"], ["a"], "must have at least 2 elements"),
        ({"array": True, "max_length": 1}, ["a"], ["a", "b"], "must have at most 1 element"),
        ({"array": True, "exact_length": 2}, ["a", "b"], [], "must have exactly 2 elements"),
    ],
)  # fmt: skip
def test_each_constraint_accepts_what_fits_and_refuses_the_rest(constraints, good, bad, message):
    # Given a property with one constraint
    make_schema(field=constraints)

    # When a fitting value is validated, then it passes
    assert "field" in validate_metadata({"field": good}, "order")

    # And a value that breaks the constraint is refused with the constraint in the message
    [problem] = problems_of({"field": bad})
    assert problem.startswith(f"field: {message} (actual value is ")


def test_array_elements_are_checked_against_eq_and_bounds_one_by_one():
    # Given an array of numbers between 1 and 5
    make_schema(stars={"type": "number", "array": True, "gte": 1, "lte": 5})

    # When one element is out of range, then that element is named
    assert problems_of({"stars": [1, 6]}) == [
        "stars[1]: must be less than or equal to 5 (actual value is '6')"
    ]


def test_required_optional_and_none():
    # Given a required and an optional property
    make_schema(channel={"optional": False}, coupon={})

    # When the required one is missing or None, then it is refused
    assert problems_of({}) == ["channel: is required"]
    assert problems_of({"channel": None}) == ["channel: is required (actual value is 'null')"]

    # And None unsets an optional property: the key is left out
    assert validate_metadata({"channel": "web", "coupon": None}, "order") == {"channel": "web"}


def test_partial_skips_missing_required_properties_and_keeps_unsets():
    # Given a required property and an optional one with allowed values
    make_schema(channel={"optional": False}, coupon={"eq": ["A"]})

    # When one property is edited in place, then the missing required one is not asked
    assert validate_metadata({"coupon": "A", "old": None}, "order", partial=True) == {
        "coupon": "A",
        "old": None,
    }

    # But the edited value is still validated, and a required one cannot be unset
    assert problems_of({"coupon": "B", "channel": None}, partial=True) == [
        "coupon: must be equal to one of A (actual value is 'B')",
        "channel: is required (actual value is 'null')",
    ]


def test_deleted_properties_are_neither_validated_nor_required():
    # Given a deleted required number property, even in a schema that allows defined keys only
    make_schema(
        allow_defined_only=True, legacy={"type": "number", "optional": False, "deleted": True}
    )

    # When metadata lacks it or holds an old value of another type, then it passes as it is
    assert validate_metadata({}, "order") == {}
    assert validate_metadata({"legacy": "twelve"}, "order") == {"legacy": "twelve"}

    # And it is not offered to forms
    assert describe_properties("order") == []


def test_unknown_keys_are_refused_only_when_the_schema_allows_defined_only():
    # Given a schema that allows defined keys only
    make_schema(allow_defined_only=True, channel={})

    # When an unknown key is given, then it is refused by name
    assert problems_of({"channel": "web", "colour": "red"}) == [
        "colour: is not defined in the order metadata schema"
    ]
    # And unsetting an unknown key (cleaning up old data) is allowed
    assert validate_metadata({"colour": None}, "order") == {}

    # When the schema allows other keys, then unknown keys are kept as they are
    MetadataSchema.objects.update(allow_defined_only=False)
    forget_cached_schemas()  # an update() sends no signal: the cached schema would hide it
    assert validate_metadata({"colour": ["red", 1]}, "order") == {"colour": ["red", 1]}


def test_without_a_schema_any_keys_are_accepted():
    # Given no schema is stored, then anything goes through untouched
    metadata = {"score": "12", "when": "today", "nested": {"a": 1}}
    assert validate_metadata(metadata, "order") == metadata
    assert validate_metadata(None, "order") == {}

    # Given an empty schema, the same
    make_schema()
    assert validate_metadata(metadata, "order") == metadata


def test_all_problems_are_reported_together():
    # Given a schema with several properties
    make_schema(
        allow_defined_only=True,
        unit={"type": "number", "eq": [1, 2]},
        channel={"optional": False},
        day={"type": "date"},
    )

    # When several of them are wrong at once
    with pytest.raises(MetadataValidationError) as raised:
        validate_metadata({"unit": "EUR", "day": "tomorrow", "extra": 1}, "order")

    # Then every problem is listed, in the reference's shape, the first being the API details
    error = raised.value
    assert error.problems == [
        ("unit", "unit: must be a number (actual value is 'EUR')"),
        ("unit", "unit: must be equal to one of 1,2 (actual value is 'EUR')"),
        ("day", "day: must be a date (YYYY-MM-DD) (actual value is 'tomorrow')"),
        ("extra", "extra: is not defined in the order metadata schema"),
        ("channel", "channel: is required"),
    ]
    assert error.messages == [text for _, text in error.problems]
    assert error.message_dict == {"metadata": error.messages}
    assert error.details == "unit: must be a number (actual value is 'EUR')"
    assert isinstance(error, ValidationError)


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        (["a", "b"],
         """metadata: must be an object of key/value pairs (actual value is '["a", "b"]')"""),
        ("a=b", "metadata: must be an object of key/value pairs (actual value is 'a=b')"),
        ({1: "a"}, "metadata: every key must be a string (actual value is '1')"),
    ],
)  # fmt: skip
def test_metadata_that_is_not_a_mapping_of_strings_is_one_clear_error(metadata, message):
    assert problems_of(metadata) == [message]


def test_customer_and_order_item_schemas_are_separate_from_the_order_schema():
    # Given three schemas defining "tier" differently
    order = make_schema("order", tier={"type": "number"})
    make_schema("customer", tier={"eq": ["gold"]})
    make_schema("order_item", allow_defined_only=True)

    # When the same metadata is validated for each, then each uses its own schema
    assert problems_of({"tier": "gold"}, "order") == [
        "tier: must be a number (actual value is 'gold')"
    ]
    assert validate_metadata({"tier": "gold"}, "customer") == {"tier": "gold"}
    assert problems_of({"tier": "gold"}, "order_item") == [
        "tier: is not defined in the order item metadata schema"
    ]

    # And a schema of another object is not taken by mistake
    with pytest.raises(ValueError):
        validate_metadata({}, "customer", schema=order)
    with pytest.raises(ValueError):
        validate_metadata({}, "campaign")


def test_a_preloaded_schema_validates_without_queries(django_assert_num_queries):
    # Given a schema loaded once (schema and properties: two queries)
    make_schema(score={"type": "number", "gte": 0}, tags={"array": True})
    with django_assert_num_queries(2):
        schema = load_schema("order")

    # When many mappings are validated with it, then no query runs
    with django_assert_num_queries(0):
        for score in range(50):
            validate_metadata({"score": score, "tags": ["a"]}, "order", schema=schema)
        with pytest.raises(MetadataValidationError):
            validate_metadata({"score": -1}, "order", schema=schema)

    # And a schema that is not stored is loaded once as an empty one, asking nothing after
    with django_assert_num_queries(1):
        missing = load_schema("customer")
    with django_assert_num_queries(0):
        assert validate_metadata({"x": 1}, "customer", schema=missing) == {"x": 1}


def test_describe_properties_lists_live_properties_for_forms():
    # Given properties, one deleted
    make_schema(
        channel={"optional": False, "eq": ["web", "shop"]},
        days={"type": "date", "array": True},
        gone={"deleted": True},
    )

    # Then forms see the live ones, by name
    assert describe_properties("order") == [
        PropertyInfo("channel", "string", False, True, ("web", "shop")),
        PropertyInfo("days", "date", True, False, ()),
    ]


@pytest.mark.parametrize("allow_defined_only", [False, True])
def test_customer_service_validates_metadata_through_the_same_module(allow_defined_only):
    # Given a customer schema with one required number, in either unknown-keys mode
    from customers.services import create_customer

    make_schema(
        "customer", allow_defined_only=allow_defined_only, age={"type": "number", "optional": False}
    )

    # When a customer is saved with a wrong type and an unknown key
    with pytest.raises(ValidationError) as raised:
        create_customer(name="Ann", metadata={"age": "old", "nickname": "A"})

    # Then the problems read like the order service's; the unknown key only when refused
    messages = raised.value.message_dict["metadata"]
    assert "age: must be a number (actual value is 'old')" in messages
    refused = "nickname: is not defined in the customer metadata schema"
    assert (refused in messages) is allow_defined_only
    customer = create_customer(
        name="Ann", metadata={"age": 40} | ({} if allow_defined_only else {"nickname": "A"})
    )
    assert customer.metadata["age"] == 40


# --- the limits every mapping meets, with a schema or without one ---------------------------

MAX = sys.float_info.max
NUMBER_RANGE = f"must be a finite number from -{MAX!r} to {MAX!r}"


def nested(lists: int, leaf: object = 1) -> object:
    """``leaf`` inside ``lists`` arrays, built without recursion (the deep ones are deep)."""
    value = leaf
    for _ in range(lists):
        value = [value]
    return value


@pytest.mark.parametrize("related_object", ["order", "customer", "order_item"])
def test_values_at_each_limit_are_accepted(related_object):
    # Given metadata exactly at every limit: a 100-character key and a key of every allowed
    # character, ten levels (the mapping and nine arrays), the extreme numbers, 64 KiB
    metadata = {
        "k" * 100: 1,
        "Az09_.-x": [{"a": nested(7)}],
        "deep": nested(9),
        "max": MAX,
        "min": -(10**308),
        "dec": Decimal("-1.5e308"),
        "text": "Müller – 東京 😀",
    }
    metadata["pad"] = ""
    compact = json.dumps(metadata, separators=(",", ":"), ensure_ascii=False, default=str)
    metadata["pad"] = "p" * (MAX_SIZE_BYTES - len(compact.encode()))

    # When it is validated, then it is kept as it is
    assert validate_metadata(metadata, related_object) == metadata


@pytest.mark.parametrize("related_object", ["order", "customer", "order_item"])
@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"": 1}, "metadata: a key must not be empty"),
        ({"k" * 101: 1},
         f"{'k' * 99}…: a key must have at most 100 characters, the key length limit"
         " (actual length is 101)"),
        ({"a__b": 1},
         'a__b: a key must not contain "__", which filters and exports read as a path'),
        ({"a b": 1},
         'a b: a key may contain only letters A-Z a-z, digits, "_", "." and "-"'),
        ({"café": 1},
         'café: a key may contain only letters A-Z a-z, digits, "_", "." and "-"'),
        ({"deep": nested(10)},
         "deep[0][0][0][0][0][0][0][0][0]: must not nest objects and arrays deeper than"
         " 10 levels, the nesting limit"),
        ({"deep": {"a": [{"b": nested(7)}]}},
         "deep.a[0].b[0][0][0][0][0][0]: must not nest objects and arrays deeper than"
         " 10 levels, the nesting limit"),
        ({"n": float("inf")}, f"n: {NUMBER_RANGE} (actual value is 'Infinity')"),
        ({"n": [1, float("nan")]}, f"n[1]: {NUMBER_RANGE} (actual value is 'NaN')"),
        ({"n": 10**309}, f"n: {NUMBER_RANGE} (actual value is '1{'0' * 98}…')"),
        ({"n": Decimal("1e400")}, f"n: {NUMBER_RANGE} (actual value is '1E+400')"),
        ({"s": "a\x00b"},
         "s: a string must not contain the NUL character (\\u0000), which jsonb cannot store"),
        ({"s": {"k\ud800": "v"}},
         "s.k\\ud800: a key must not contain a lone surrogate (half of a UTF-16 pair),"
         " which is not text"),
        ({"s": ["\udfff"]},
         "s[0]: a string must not contain a lone surrogate (half of a UTF-16 pair),"
         " which is not text"),
        ({"big": "b" * (MAX_SIZE_BYTES - 9)},
         "metadata: must be at most 65536 bytes (64 KiB) as JSON, the size limit"
         " (actual size is 65537 bytes)"),
    ],
)  # fmt: skip
def test_values_beyond_each_limit_are_refused_naming_the_limit(related_object, metadata, message):
    assert problems_of(metadata, related_object) == [message]


def test_a_value_nested_thousands_of_levels_deep_is_one_clear_error():
    # Given a value deeper than Python's recursion limit, under a schema property
    make_schema(tree={"type": "object"})

    # When it is validated, then it is refused by the nesting limit, not by a crash
    assert problems_of({"tree": {"a": nested(5000)}}) == [
        "tree.a[0][0][0][0][0][0][0][0]: must not nest objects and arrays deeper than"
        " 10 levels, the nesting limit"
    ]


def test_a_key_beyond_the_limits_is_shown_as_text_a_response_can_carry():
    # When a key holding a lone surrogate and NUL is refused
    (message,) = problems_of({"a\ud800\x00": 1})

    # Then the message shows them escaped, so it encodes as UTF-8 (a page, a JSON body)
    assert message.startswith("a\\ud800\\u0000: a key may contain only letters")
    assert message.encode("utf-8")


def test_the_limits_and_the_schema_are_reported_together():
    # Given a schema with a number property
    make_schema(score={"type": "number"})

    # When one key breaks a limit, one breaks the schema, and a defined number is infinite
    problems = problems_of({"a__b": 1, "score": "high", "note": "x\x00"})

    # Then each problem is named once, the schema's message standing for its property
    assert problems == [
        'a__b: a key must not contain "__", which filters and exports read as a path',
        "score: must be a number (actual value is 'high')",
        "note: a string must not contain the NUL character (\\u0000), which jsonb cannot store",
    ]
    assert problems_of({"score": float("inf")}) == [
        "score: must be a number (actual value is 'Infinity')"
    ]
    assert problems_of({"score": 10**400}) == [
        f"score: {NUMBER_RANGE} (actual value is '1{'0' * 98}…')"
    ]


def test_the_accepted_keys_are_exactly_those_filters_and_exports_can_address():
    from exports.csv_format import is_valid_field
    from metadata.conditions import parse_condition

    def filterable(key: str) -> bool:
        try:
            parse_condition(f"{key}:set:", {})
        except ValidationError:
            return False
        return True

    # Given keys on both sides of the key rule
    for key in ["a", "k" * 100, "a_b", "a.b", "a-b", "_", "A9", "", "k" * 101, "a__b", "a b", "é"]:
        # When each is validated, then it is accepted exactly when a filter and an export
        # column can name it
        try:
            validate_metadata({key: 1}, "order")
            accepted = True
        except MetadataValidationError:
            accepted = False
        assert accepted is filterable(key) is is_valid_field(f"metadata.{key}"), key


def test_the_fast_path_accepts_exactly_what_the_detailed_checks_accept(monkeypatch):
    # Given random metadata, plain or beyond some limit, in JSON's types and a few others
    from metadata import validation as metadata_validation

    rng = random.Random(15)
    scalars = ["", "a, b", "é", "\x00", "\ud800", 0, -(10**308), 10**309, 1.5, float("inf"),
               float("nan"), True, None, Decimal("2.5"), "x" * 20_000]  # fmt: skip
    keys = ["a", "b.c", "a__b", "", "k" * 101, "ü", "n-1"]

    def value(depth: int) -> object:
        roll = rng.random()
        if roll < 0.2 and depth < 13:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        if roll < 0.4 and depth < 13:
            return {rng.choice(keys): value(depth + 1) for _ in range(rng.randint(0, 3))}
        return rng.choice(scalars)

    def outcome(metadata: dict) -> object:
        try:
            return validate_metadata(metadata, "order")
        except MetadataValidationError as error:
            return error.problems

    bound = metadata_validation._plain_size_bound
    plain = 0
    for _ in range(400):
        metadata = {rng.choice(keys): value(2) for _ in range(rng.randint(0, 4))}

        # When it is validated with the fast path, and with the detailed checks alone
        fast = outcome(metadata)
        with monkeypatch.context() as patched:
            patched.setattr(metadata_validation, "_plain_size_bound", lambda metadata: None)
            detailed = outcome(metadata)

        # Then both say the same, and the fast path's size bound is never below the size
        assert fast == detailed, metadata
        if (size_bound := bound(metadata)) is not None:
            assert size_bound >= metadata_validation._json_size(metadata)
            plain += 1
    assert 40 < plain < 360  # both paths were taken, often
