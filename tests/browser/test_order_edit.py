"""The order Edit page and Create customer in a real browser: names rather than ids, money
in messages, Calculate's empty row, and no blank customer."""

import re

import pytest
from playwright.sync_api import Page, expect

from customers.models import Customer
from orders.services import ItemData
from tests.browser import pages
from tests.factories import (
    CustomerFactory,
    MarketingUserFactory,
    ProductFactory,
    SKUFactory,
    make_order,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, next_url: str) -> None:
    MarketingUserFactory(username="ann")
    pages.sign_in(page, "ann", next_url)


def test_edit_shows_names_and_calculate_adds_a_row_and_speaks_money(page: Page) -> None:
    # Given an order of a mug (40.99) and a SKU for Ada
    mug = ProductFactory(name="Blue mug")
    tee = SKUFactory(product__name="Tee", sku="Tee M")
    ada = CustomerFactory(name="Ada Lovelace")
    order = make_order(
        items=[
            ItemData(quantity=1, price=4099, product=mug),
            ItemData(quantity=1, price=2000, product=tee.product, sku=tee),
        ],
        customer=ada,
    )
    sign_in(page, f"/orders/{order.pk}/edit/")

    # Then items and the customer read as names, with ids as secondary text
    expect(page.get_by_label("Product or SKU of item 1")).to_have_value("Blue mug")
    expect(page.get_by_label("Product or SKU of item 2")).to_have_value("Tee · Tee M")
    expect(page.get_by_role("textbox", name="Customer:")).to_have_value("Ada Lovelace")
    expect(page.locator("#order-edit")).to_contain_text(ada.pk)
    expect(page.locator("#order-edit")).to_contain_text(tee.pk)
    expect(page.get_by_role("checkbox", name="Remove item 2")).not_to_be_checked()

    # When the empty row takes an item priced with a decimal comma and Calculate is pressed
    page.get_by_label("Product or SKU of item 3").fill("Blue mug")
    page.get_by_label("Price of item 3").fill("0,01")
    page.get_by_label("Discount of item 1").fill("100000")
    page.get_by_role("button", name="Calculate").click()

    # Then the discount beyond its line is explained in money, and a fourth row is offered
    expect(page.locator("#items")).to_contain_text(
        "cannot exceed the item amount $40.99 (actual value is '$100,000.00')"
    )
    expect(page.get_by_label("Product or SKU of item 4")).to_have_value("")
    page.get_by_label("Discount of item 1").fill("")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator("#calculated")).to_contain_text("$61.00")
    expect(page.get_by_label("Product or SKU of item 4")).to_have_value("")
    expect(page.get_by_label("Product or SKU of item 5")).to_have_count(0)

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Order {order.pk} saved.")).to_be_visible()
    order.refresh_from_db()
    assert order.amount == 6100 and order.customer == ada and order.items.count() == 3


def test_an_empty_create_customer_form_creates_no_one(page: Page) -> None:
    sign_in(page, "/customers/create/")

    page.get_by_role("button", name="Save").click()

    expect(
        page.get_by_text("Give at least a name or an email to find the customer by.")
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"/customers/create/$"))
    assert not Customer.objects.exists()
