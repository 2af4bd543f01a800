"""Create order in a real browser: all six steps, with the htmx cart and type-ahead."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from orders.models import MetadataProperty, MetadataSchema, Order
from tests.factories import CustomerFactory, MarketingUserFactory, ProductFactory, SKUFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's password


def test_create_an_order_through_all_six_steps(page: Page) -> None:
    # Given a Marketing member who may also extend the metadata schema, a catalogue, a
    # referrer and an order schema with a "channel" property
    user = MarketingUserFactory(username="ann")
    user.user_permissions.add(Permission.objects.get(codename="add_metadataproperty"))
    ProductFactory(name="Blue mug", source_id="mug-1", price=1250)
    SKUFactory(source_id="tee-m", sku="Tee M", price=2000)
    CustomerFactory(name="Rita Referrer", email="rita@example.com")
    schema = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="channel", type="string")

    page.goto("/accounts/login/?next=/orders/create/")
    page.get_by_label("Username").fill("ann")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/orders/create/$"))

    # Details
    page.get_by_label("Source ID").fill("shop-77")
    page.get_by_label("Status").select_option("PAID")
    page.get_by_role("button", name="Next").click()

    # Items: one picked through the type-ahead (price from the catalogue), one typed by id
    expect(page.locator('[aria-current="step"]')).to_contain_text("Items")
    page.get_by_label("Product or SKU of item 1").press_sequentially("Blue", delay=30)
    page.get_by_role("button", name=re.compile("Blue mug")).click()
    expect(page.get_by_label("Price of item 1")).to_have_value("12.50")
    page.get_by_label("Quantity of item 1").fill("2")
    page.get_by_role("button", name="Add item").click()
    page.get_by_label("Product or SKU of item 2").fill("tee-m")
    page.get_by_label("Price of item 2").fill("20.00")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator("#total-amount")).to_have_text("$45.00")
    expect(page).to_have_url(re.compile(r"/orders/create/$"))  # still on the step
    page.get_by_role("button", name="Next").click()

    # Customer: created inline
    expect(page.locator('[aria-current="step"]')).to_contain_text("Customer")
    page.get_by_label("Name").fill("Nina Newton")
    page.get_by_label("Email").fill("nina@example.com")
    page.get_by_role("button", name="Next").click()

    # Referrer: an existing customer, picked through the type-ahead
    expect(page.locator('[aria-current="step"]')).to_contain_text("Referrer")
    page.get_by_label("Choose referrer").press_sequentially("Rita", delay=30)
    page.get_by_role("button", name=re.compile("Rita Referrer")).click()
    page.get_by_role("button", name="Next").click()

    # Metadata: a schema property, an unknown property, and a property added to the schema
    expect(page.locator('[aria-current="step"]')).to_contain_text("Metadata")
    page.get_by_label("channel", exact=True).fill("phone")
    page.get_by_role("button", name="Add unknown property").click()
    page.get_by_label("Unknown property name 1").fill("gift_note")
    page.get_by_label("Unknown property value 1").fill("Happy birthday")
    page.get_by_label("New property name").fill("vip")
    page.get_by_label("Type", exact=True).select_option("boolean")
    page.get_by_role("button", name="Add to schema").click()
    page.get_by_label("vip", exact=True).select_option("true")
    expect(page.get_by_label("Unknown property value 1")).to_have_value("Happy birthday")
    page.get_by_role("button", name="Next").click()

    # Summary
    expect(page.locator('[aria-current="step"]')).to_contain_text("Summary")
    expect(page.locator("#summary-total")).to_have_text("$45.00")
    expect(page.locator("#summary-customer")).to_contain_text("Nina Newton")
    expect(page.locator("#summary-referrer")).to_contain_text("Rita Referrer")
    page.get_by_role("button", name="Save").click()

    # Then the new order's page shows all of it
    order = Order.objects.get()
    expect(page).to_have_url(re.compile(rf"/orders/{order.pk}/$"))
    expect(page.get_by_text(f"Order {order.pk} created.")).to_be_visible()
    expect(page.locator("#order-status")).to_have_text("Paid")
    body = page.locator("main")
    for text in ("shop-77", "Nina Newton", "Rita Referrer", "Blue mug", "$45.00"):
        expect(body).to_contain_text(text)
    page.get_by_role("link", name="Metadata", exact=True).click()
    metadata = page.locator("#metadata")
    expect(metadata).to_contain_text("channel")
    expect(metadata).to_contain_text("phone")
    expect(metadata).to_contain_text("gift_note")
    expect(metadata).to_contain_text("Happy birthday")
    expect(metadata).to_contain_text("vip")
    assert MetadataProperty.objects.filter(name="vip", type="boolean").exists()
    assert order.metadata == {"channel": "phone", "gift_note": "Happy birthday", "vip": True}


def test_an_item_beyond_a_columns_range_is_explained_on_its_row_within_the_page(page: Page) -> None:
    # Given a Marketing member on the Items step
    MarketingUserFactory(username="ann")
    page.goto("/accounts/login/?next=/orders/create/")
    page.get_by_label("Username").fill("ann")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Next").click()
    expect(page.locator('[aria-current="step"]')).to_contain_text("Items")

    # When a line's amount would not fit the database (99 × 5 quadrillion) and is calculated
    page.get_by_label("New product name of item 1").fill("Gold widget")
    page.get_by_label("Price of item 1").fill("5,000,000,000,000,000.00")
    page.get_by_label("Quantity of item 1").fill("99")
    page.get_by_role("button", name="Calculate").click()

    # Then the quantity says how far it may go, and the long message wraps inside the page
    expect(page.locator(".item-row .qty .field-error")).to_contain_text("must be at most 18")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width
    assert not Order.objects.exists()
