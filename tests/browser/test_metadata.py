"""Metadata in a real browser: typed inputs from the schema on the Metadata tab, on Edit and
in the wizard, nothing to type as JSON, and nothing typed silently lost; the schema form
in words."""

import re

import pytest
from playwright.sync_api import Page, expect

from metadata.models import MetadataProperty, MetadataSchema
from orders.models import Order
from tests.browser.pages import sign_in
from tests.factories import MarketingUserFactory, UserFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order_schema() -> MetadataSchema:
    schema = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="channel", eq=["store", "web"])
    MetadataProperty.objects.create(schema=schema, name="gift", type="boolean")
    MetadataProperty.objects.create(schema=schema, name="score", type="number")
    MetadataProperty.objects.create(schema=schema, name="delivery", type="date")
    MetadataProperty.objects.create(schema=schema, name="code", type="string")
    return schema


def test_the_metadata_tab_shows_values_as_read_and_edits_them_with_typed_inputs(
    page: Page, order_schema: MetadataSchema
) -> None:
    # Given an order with an enum, a boolean, a number and an unknown text property
    MarketingUserFactory(username="ann")
    order = make_order(metadata={"channel": "store", "gift": False, "score": 1, "note": "hi"})
    sign_in(page, "ann", f"/orders/{order.pk}/?tab=metadata")
    table = page.locator("#metadata")

    # Then values read as people write them, each edited with its type's input
    channel_row = table.locator("tr", has=page.get_by_text("channel", exact=True))
    expect(channel_row.locator("td").nth(2)).to_have_text("store")
    expect(table).not_to_contain_text('"store"')
    assert page.get_by_label("Value of channel").evaluate("e => e.tagName") == "SELECT"
    expect(page.get_by_label("Value of gift")).to_have_attribute("type", "checkbox")
    expect(page.get_by_label("Value of delivery")).to_have_attribute("type", "date")
    expect(page.get_by_label("Value of score")).to_have_attribute("inputmode", "decimal")
    expect(page.get_by_label("Value of note")).to_have_value("hi")

    # When the enum is switched with its dropdown
    page.get_by_label("Value of channel").select_option("web")
    channel_row.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Metadata channel saved.")).to_be_visible()

    # And the toggle is switched on, and a Text property is given 12
    page.get_by_label("Value of gift").check()
    page.locator("tr", has=page.get_by_text("gift", exact=True)).get_by_role(
        "button", name="Save"
    ).click()
    expect(page.get_by_text("Metadata gift saved.")).to_be_visible()
    page.get_by_label("Value of code").fill("12")
    page.locator("tr", has=page.get_by_text("code", exact=True)).get_by_role(
        "button", name="Save"
    ).click()
    expect(page.get_by_text("Metadata code saved.")).to_be_visible()

    # And a number too large to store is typed
    page.get_by_label("Value of score").fill("1e400")
    page.locator("tr", has=page.get_by_text("score", exact=True)).get_by_role(
        "button", name="Save"
    ).click()

    # Then that one is refused by name beside what was typed, and the rest is stored typed
    expect(page.locator("#meta-score-error")).to_contain_text(
        "score: must be a number (actual value is '1e400')"
    )
    expect(page.get_by_label("Value of score")).to_have_value("1e400")
    order.refresh_from_db()
    assert order.metadata == {
        "channel": "web", "gift": True, "score": 1, "note": "hi", "code": "12",
    }  # fmt: skip

    # And the page's tabs still lead on from there
    page.get_by_role("link", name="Activity", exact=True).click()
    expect(page.locator(".activity-entry").first).to_contain_text("Metadata changed")


def test_edit_has_typed_metadata_inputs_and_an_unnamed_value_is_kept_with_an_error(
    page: Page, order_schema: MetadataSchema
) -> None:
    # Given an order with an enum property and an unknown list
    MarketingUserFactory(username="ann")
    order = make_order(items=1, metadata={"channel": "store", "tags": ["a", "b"]})
    sign_in(page, "ann", f"/orders/{order.pk}/edit/")

    # Then no JSON box is offered for metadata; the enum is a dropdown, the boolean a choice
    form = page.locator("#metadata-edit")
    expect(form.locator("textarea")).to_have_count(0)
    expect(page.get_by_label("channel", exact=True)).to_have_value('"store"')
    assert page.get_by_label("channel", exact=True).evaluate("e => e.tagName") == "SELECT"
    # The list the schema does not define is JSON, chosen as such beside it
    expect(page.get_by_label("Unknown property type 1")).to_have_value("json")

    # When a value is typed into the new row without a name, with a number typed too
    page.get_by_label("channel", exact=True).select_option(label="web")
    page.get_by_label("score", exact=True).fill("7.5")
    page.get_by_label("Unknown property value 2").fill("Happy birthday")
    page.get_by_role("button", name="Save").click()

    # Then the row says a name is needed, keeps the value, and nothing was saved
    expect(form).to_contain_text("Give the property a name.")
    expect(page.get_by_label("Unknown property value 2")).to_have_value("Happy birthday")
    assert Order.objects.get(pk=order.pk).version == order.version

    # When the name is given with a space, then as a key
    page.get_by_label("Unknown property name 2").fill("gift note")
    page.get_by_role("button", name="Save").click()
    expect(form).to_contain_text("'gift note' cannot be a property name.")
    page.get_by_label("Unknown property name 2").fill("gift_note")
    page.get_by_role("button", name="Save").click()

    # Then all of it is stored, each as its type
    expect(page).to_have_url(re.compile(rf"/orders/{order.pk}/$"))
    order.refresh_from_db()
    assert order.metadata == {
        "channel": "web", "score": 7.5, "tags": ["a", "b"], "gift_note": "Happy birthday",
    }  # fmt: skip


def test_the_wizard_names_a_number_it_cannot_store_instead_of_dropping_it(
    page: Page, order_schema: MetadataSchema
) -> None:
    # Given a Marketing member on the wizard's Metadata step
    MarketingUserFactory(username="ann")
    sign_in(page, "ann", "/orders/create/")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Total order amount").fill("12.00")
    page.get_by_role("button", name="Next").click()
    expect(page.locator('[aria-current="step"]')).to_contain_text("Customer")
    page.get_by_role("button", name="Next").click()
    expect(page.locator('[aria-current="step"]')).to_contain_text("Referrer")
    page.get_by_role("button", name="Next").click()
    expect(page.locator('[aria-current="step"]')).to_contain_text("Metadata")

    # When 1e400 is typed as the score and a value is given an empty name
    page.get_by_label("score", exact=True).fill("1e400")
    page.get_by_role("button", name="Add unknown property").click()
    page.get_by_label("Unknown property value 1").fill("keep me")
    page.get_by_role("button", name="Next").click()

    # Then the step stays, naming both, with both values as typed
    expect(page.locator('[aria-current="step"]')).to_contain_text("Metadata")
    expect(page.locator("#metadata-properties")).to_contain_text(
        "score: must be a number (actual value is '1e400')"
    )
    expect(page.locator("#unknown-properties")).to_contain_text("Give the property a name.")
    expect(page.get_by_label("score", exact=True)).to_have_value("1e400")
    expect(page.get_by_label("Unknown property value 1")).to_have_value("keep me")
    assert not Order.objects.exists()


def test_the_schema_form_speaks_in_words_and_refuses_what_no_value_could_meet(
    page: Page,
) -> None:
    # Given an operator adding an order property
    UserFactory(username="olga", is_staff=True, is_superuser=True)
    sign_in(page, "olga", "/settings/metadata-schemas/order/properties/add/")
    expect(page.get_by_role("heading", name="Add an order property")).to_be_visible()
    expect(page.locator("form.panel")).not_to_contain_text("Gte")

    # When a number must be at least 0 and less than -5
    page.get_by_label("Name").fill("score")
    page.get_by_label("Type").select_option("number")
    page.get_by_label("At least").fill("0")
    page.get_by_label("Less than").fill("-5")
    page.get_by_role("button", name="Save").click()

    # Then it is refused on the field, saying why
    expect(page.locator("form.panel")).to_contain_text("No number is at least 0 and less than -5")
    assert not MetadataProperty.objects.exists()

    # When the name holds HTML and allowed values are given one per line
    page.get_by_label("Less than").fill("")
    page.get_by_label("Name").fill("<b>score</b>")
    page.get_by_label("Allowed values").fill("1\n2.5")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("form.panel")).to_contain_text("cannot be a property name. Use 1 to 100")

    # Then with a proper name it is saved, the values typed as numbers
    page.get_by_label("Name").fill("score")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Property score saved.")).to_be_visible()
    assert MetadataProperty.objects.get(name="score").eq == [1, 2.5]
