"""Typed metadata inputs read what people type as the property's type, and refuse what
cannot be stored by name instead of dropping it."""

import pytest
from django.http import QueryDict

from metadata.forms import (
    TypedMetadataForm,
    as_initial,
    describe_order_properties,
    read_unknown,
    typed_value,
)
from metadata.models import MetadataProperty, MetadataSchema
from metadata.validation import PropertyInfo, validate_metadata
from orders.forms import MetadataValueForm
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def schema_with(prop: PropertyInfo) -> MetadataSchema:
    schema = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(
        schema=schema, name=prop.name, type=prop.type, array=prop.array, eq=list(prop.allowed)
    )
    return MetadataSchema.objects.prefetch_related("properties").get(pk=schema.pk)


def info(type_: str, *, array: bool = False, allowed: tuple = ()) -> PropertyInfo:
    return PropertyInfo("p", type_, array, False, allowed)


@pytest.mark.parametrize(
    ("prop", "typed", "value"),
    [
        (info("string"), "12", "12"),
        (info("number"), "12", 12),
        (info("number"), "12.5", 12.5),
        (info("number"), "1e400", "1e400"),  # passed on for the validator to name
        (info("boolean"), "yes", True),
        (info("geopoint"), "52.23, 21.01", {"lat": 52.23, "lng": 21.01}),
        (info("string", array=True), "a, b", ["a", "b"]),
        (info("string", allowed=("store", "web")), '"store"', "store"),
        (info("object"), '{"a": 1}', {"a": 1}),
        (info("string"), "  ", None),
    ],
)
def test_a_typed_input_is_read_as_its_property_type(prop, typed, value):
    assert typed_value(prop, typed) == value


@pytest.mark.parametrize(
    ("prop", "stored", "shown"),
    [
        (info("string"), "store", "store"),
        (info("datetime"), "2026-01-31T13:00:00.000Z", "2026-01-31T13:00:00"),
        (info("datetime"), "2026-01-31T13:00:00.250Z", "2026-01-31T13:00:00.250"),
        (info("geopoint"), {"lat": 1, "lng": 2}, "1, 2"),
        (info("number", array=True), [1, 2.5], "1, 2.5"),
        (info("string", allowed=("store",)), "store", '"store"'),
    ],
)
def test_a_stored_value_is_shown_in_its_input_as_typed(prop, stored, shown):
    # Shown as typed, and read back to the value stored (a naive date-time is UTC)
    assert as_initial(prop, stored) == shown
    assert (
        validate_metadata({"p": typed_value(prop, shown)}, "order", schema=schema_with(prop))["p"]
        == stored
    )


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [("12", "text", "12"), ("12", "number", 12), ("no", "boolean", False), ("[1]", "json", [1])],
)
def test_an_unknown_value_is_read_as_the_kind_chosen(text, kind, value):
    assert read_unknown(text, kind) == value


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("1e400", "number", "Enter a number like 12.5, within ±1.8e308 (actual value is '1e400')"),
        ("maybe", "boolean", "Enter yes or no"),
        ("[1e400]", "json", "1e400 is too large a number to store"),
    ],
)
def test_an_unknown_value_not_of_its_kind_is_refused_with_a_sentence(text, kind, message):
    with pytest.raises(Exception) as raised:
        read_unknown(text, kind)
    assert message in raised.value.messages[0]


def rows(*rows: tuple[str, str, str]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, kind, value in rows:
        data.appendlist("m-unknown_key", key)
        data.appendlist("m-unknown_kind", kind)
        data.appendlist("m-unknown_value", value)
    return data


def test_an_unknown_value_without_a_name_is_an_error_on_its_row_that_keeps_the_value():
    form = TypedMetadataForm(rows(("", "text", "keep me"), ("ok", "text", "x")), prefix="m")
    assert not form.is_valid()
    first = form.unknown_rows()[0]
    assert first["value"] == "keep me"
    assert first["errors"] == [
        'Give the property a name. Use 1 to 100 letters A-Z a-z, digits, "_", "." or "-", '
        'without "__" (no spaces), e.g. gift_note.'
    ]


def test_an_unknown_name_with_spaces_or_html_is_refused_on_its_row():
    form = TypedMetadataForm(rows(("gift note", "text", "a"), ("<b>", "text", "b")), prefix="m")
    assert not form.is_valid()
    first, second = form.unknown_rows()
    assert first["errors"][0].startswith("'gift note' cannot be a property name.")
    assert second["errors"][0].startswith("'<b>' cannot be a property name.")


def test_a_number_that_cannot_be_stored_is_an_error_on_its_property():
    schema = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="score", type="number")
    form = TypedMetadataForm(QueryDict("m-prop__score=1e400"), prefix="m")
    assert not form.is_valid()
    assert form.errors["prop__score"] == ["score: must be a number (actual value is '1e400')"]


def test_the_in_place_form_reads_a_text_property_and_a_toggle_by_their_type():
    schema = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="code", type="string")
    MetadataProperty.objects.create(schema=schema, name="gift", type="boolean")
    properties = describe_order_properties()
    text = MetadataValueForm({"key": "code", "value": "12", "version": 1}, properties=properties)
    unticked = MetadataValueForm({"key": "gift", "version": 1}, properties=properties)
    assert text.is_valid() and text.cleaned_data["metadata_value"] == "12"
    assert unticked.is_valid() and unticked.cleaned_data["metadata_value"] is False


def test_the_tab_keeps_a_new_value_given_no_name_in_its_form_with_the_message(marketing_client):
    # Given an order
    order = make_order(metadata={"kept": 1})

    # When a value is added in place without a name (a browser that skips "required")
    response = marketing_client.post(
        f"/orders/{order.pk}/metadata/",
        {"key": " ", "kind": "number", "value": "42", "version": order.version},
    )

    # Then the tab comes back with the value and chosen type kept, and the message
    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-label="New value" value="42"' in html
    assert '<option value="number" selected>' in html
    assert "Give the property a name." in html
    order.refresh_from_db()
    assert order.metadata == {"kept": 1} and order.version == 1
