"""Create order in a real browser: all six steps, with the htmx cart and type-ahead."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from customers.models import Customer
from metadata.models import MetadataProperty, MetadataSchema
from orders.models import Order
from tests.browser import pages
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


def sign_in(page: Page, username: str, next_url: str = "/orders/create/") -> None:
    pages.sign_in(page, username, next_url)


def focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_a_decimal_comma_is_a_price_not_a_hundred_times_it(page: Page) -> None:
    # Given a Marketing member on the Items step
    MarketingUserFactory(username="ann")
    sign_in(page, "ann")
    page.get_by_role("button", name="Next").click()

    # When prices are typed with a decimal comma and with both separators
    page.get_by_label("New product name of item 1").fill("Mug")
    page.get_by_label("Price of item 1").fill("12,50")
    page.get_by_role("button", name="Add item").click()
    page.get_by_label("New product name of item 2").fill("Lamp")
    page.get_by_label("Price of item 2").fill("1.250,00")
    page.get_by_role("button", name="Calculate").click()

    # Then they are read as the money they are, and saved so
    expect(page.locator("#total-amount")).to_have_text("$1,262.50")
    page.get_by_label("Price of item 2").fill("1.250")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator(".item-row .price .field-error")).to_contain_text(
        "to group thousands, write 1250 or 1,250.00"
    )
    page.get_by_label("Price of item 2").fill("1,250")
    for _ in range(4):  # Next through Items, Customer, Referrer, Metadata
        page.get_by_role("button", name="Next").click()
    expect(page.locator("#summary-total")).to_have_text("$1,262.50")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("created.")).to_be_visible()
    assert Order.objects.get().amount == 126250


def test_a_huge_quantity_is_a_field_error_in_money_and_the_summary_never_shows_it(
    page: Page,
) -> None:
    MarketingUserFactory(username="ann")
    sign_in(page, "ann")
    page.get_by_role("button", name="Next").click()

    # When a quantity makes the line larger than any amount can be
    page.get_by_label("New product name of item 1").fill("Mug")
    page.get_by_label("Price of item 1").fill("50,000,000,000,000.00")
    page.get_by_label("Quantity of item 1").fill("1000000")
    page.get_by_role("button", name="Next").click()

    # Then the step stays with the limit in money, focused and announced
    expect(page.locator('[aria-current="step"]')).to_contain_text("Items")
    summary = page.locator("#step-errors")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("an item amount cannot exceed $92,233,720,368,547,758.07")
    expect(summary).to_be_focused()
    expect(page.get_by_text("$50,000,000,000,000,000,000")).to_have_count(0)
    assert not Order.objects.exists()


def test_picking_a_product_shows_its_name_in_the_box(page: Page) -> None:
    # Given a SKU and a product with the same name as another
    MarketingUserFactory(username="ann")
    tee = SKUFactory(product__name="Tee", sku="Tee M", price=2000)
    ProductFactory(name="Mug", price=500)
    mug = ProductFactory(name="Mug", price=700)
    sign_in(page, "ann")
    page.get_by_role("button", name="Next").click()

    # When the SKU is picked through the type-ahead
    page.get_by_label("Product or SKU of item 1").press_sequentially("Tee", delay=30)
    page.get_by_role("button", name=re.compile("Tee · Tee M")).click()

    # Then the box shows its name, not its id, and the price is filled in
    expect(page.get_by_label("Product or SKU of item 1")).to_have_value("Tee · Tee M")
    expect(page.get_by_label("Price of item 1")).to_have_value("20.00")

    # And the second "Mug" picked is the one saved, though both have that name
    page.get_by_role("button", name="Add item").click()
    page.get_by_label("Product or SKU of item 2").press_sequentially("Mug", delay=30)
    page.get_by_role("button", name=re.compile(r"Mug.*\$7\.00")).click()
    expect(page.get_by_label("Product or SKU of item 2")).to_have_value("Mug")
    for _ in range(4):
        page.get_by_role("button", name="Next").click()
    expect(page.locator("#summary-items")).to_contain_text("Tee · Tee M")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("created.")).to_be_visible()
    order = Order.objects.get()
    assert [(i.product_id, i.sku_id) for i in order.items.order_by("position")] == [
        (tee.product_id, tee.pk),
        (mug.pk, None),
    ]


def test_a_new_customer_with_a_known_email_is_offered_the_existing_one(page: Page) -> None:
    MarketingUserFactory(username="ann")
    ada = CustomerFactory(name="Ada Lovelace", email="ada@example.com")
    sign_in(page, "ann")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Total order amount").fill("10")
    page.get_by_role("button", name="Next").click()

    page.get_by_label("Name").fill("Ada L.")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Next").click()

    expect(page.locator("#step-errors")).to_contain_text(
        "Customer Ada Lovelace already has this email"
    )
    page.get_by_role("button", name="Use Ada Lovelace").click()
    expect(page.locator('[aria-current="step"]')).to_contain_text("Referrer")
    for _ in range(2):
        page.get_by_role("button", name="Next").click()
    expect(page.locator("#summary-customer")).to_contain_text("Ada Lovelace")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("created.")).to_be_visible()
    assert Order.objects.get().customer == ada
    assert Customer.objects.count() == 1


def test_focus_moves_to_each_steps_first_field(page: Page) -> None:
    MarketingUserFactory(username="ann")
    sign_in(page, "ann")
    expect(page.get_by_label("Source ID")).to_be_focused()

    page.get_by_role("button", name="Next").click()
    expect(page.locator('[aria-current="step"]')).to_contain_text("Items")
    expect(page.get_by_label("Product or SKU of item 1")).to_be_focused()

    # an in-step action keeps focus in the form: Add item moves to the new row
    page.get_by_role("button", name="Add item").click()
    expect(page.get_by_label("Product or SKU of item 2")).to_be_focused()

    page.get_by_role("button", name="Remove item 2").click()
    expect(page.get_by_label("Product or SKU of item 2")).to_have_count(0)
    page.get_by_label("Total order amount").fill("5")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label("Choose customer")).to_be_focused()
    assert focused_id(page) == "id_customer-existing_0"


def test_leaving_the_wizard_keeps_the_draft_to_resume_from_the_list(page: Page) -> None:
    MarketingUserFactory(username="ann")
    sign_in(page, "ann")
    page.get_by_label("Source ID").fill("keep-me")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Total order amount").fill("12,50")
    page.get_by_role("button", name="Next").click()
    expect(page.locator('[aria-current="step"]')).to_contain_text("Customer")

    # When the user goes to the orders list and follows Resume draft
    page.goto("/orders/")
    page.get_by_role("link", name="Resume draft").click()

    # Then the wizard is where it was left, with what was typed
    expect(page.locator('[aria-current="step"]')).to_contain_text("Customer")
    expect(page.get_by_role("status")).to_contain_text("continuing the order you started")
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_label("Total order amount")).to_have_value("12,50")
    page.get_by_role("button", name="Cancel").click()
    expect(page).to_have_url(re.compile(r"/orders/$"))
    expect(page.get_by_role("link", name="Resume draft")).to_have_count(0)
