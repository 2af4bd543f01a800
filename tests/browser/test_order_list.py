"""Finding orders in a real browser: filters, sort and pages live in the URL."""

import re

import pytest
from playwright.sync_api import Page, expect

from metadata.models import MetadataProperty, MetadataSchema
from orders.models import OrderStatus
from tests.browser.pages import LOADING, sign_in
from tests.factories import MarketingUserFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def order_ids(page: Page) -> list[str]:
    return page.locator("#orders tbody a.mono").all_inner_texts()


def settled(page: Page) -> None:
    """Wait until htmx is done with its requests, swaps and settling, and the parts it loads
    after the list (the insights strip) are in.

    htmx binds the triggers of swapped-in content when it settles, 20 ms after the swap (and
    after it has pushed the new URL): a change made in between sends nothing. The strip
    arrives after the list, above it, and moves the list down: a click aimed at a row just
    before lands on whatever is there after. A person is never that quick; a test is.
    """
    page.wait_for_load_state("load")
    expect(page.locator(LOADING)).to_have_count(0)


def test_filter_sort_page_reload_and_open_an_order(page: Page) -> None:
    # Given 25 paid Visa orders of different amounts, and others that must not show
    MarketingUserFactory(username="marketer")
    schema = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="payment_method", type="string")
    visa = [
        make_order(
            items=0,
            amount=1000 + index * 100,
            status=OrderStatus.PAID,
            metadata={"payment_method": "Visa"},
        )
        for index in range(25)
    ]
    make_order(items=0, amount=50, status=OrderStatus.PAID, metadata={"payment_method": "Cash"})
    make_order(items=0, amount=60, status=OrderStatus.CREATED, metadata={"payment_method": "Visa"})
    by_amount = [order.pk for order in visa]  # already ascending by amount

    # (sign_in waits for "load": the list's count is there before htmx is, and a box ticked
    # before htmx has bound the form changes nothing)
    sign_in(page, "marketer", next_url="/orders/")
    expect(page.locator("#order-count")).to_have_text("27 orders")
    settled(page)

    # When they tick Paid, add the condition payment_method is Visa, sort by amount
    page.get_by_label("Paid", exact=True).check()
    expect(page).to_have_url(re.compile(r"status=PAID"))
    expect(page.locator("#order-count")).to_have_text("26 orders")
    settled(page)
    page.get_by_label("Metadata key").fill("payment_method")
    page.get_by_label("Metadata operator").select_option("eq")
    page.get_by_label("Metadata value").fill("Visa")
    page.get_by_role("button", name="Add condition").click()
    expect(page.locator("#order-count")).to_have_text("25 orders")
    expect(page).to_have_url(re.compile(r"meta=payment_method:eq:Visa"))
    settled(page)
    page.get_by_label("Sort by").select_option("amount")
    expect(page).to_have_url(re.compile(r"sort=amount"))
    settled(page)

    # ... show 20 a page and go to page 2
    page.locator(".page-sizes").get_by_role("link", name="20").click()
    expect(page.locator("#page-number")).to_have_text("Page 1 of 2")
    settled(page)
    page.get_by_role("link", name="Next ›").click()
    expect(page.locator("#page-number")).to_have_text("Page 2 of 2")

    # Then page 2 holds the five largest Visa orders, cheapest first
    expect(page.locator("#orders tbody tr")).to_have_count(5)
    assert order_ids(page) == by_amount[20:]
    shown_url = page.url

    # When they reload, the same filtered, sorted page comes back
    page.reload()
    expect(page.locator("#page-number")).to_have_text("Page 2 of 2")
    settled(page)
    assert page.url == shown_url
    assert order_ids(page) == by_amount[20:]
    expect(page.locator(".chip", has_text="Status is Paid")).to_be_visible()
    expect(page.locator(".chip", has_text="payment_method is Visa")).to_be_visible()
    expect(page.get_by_label("Sort by")).to_have_value("amount")

    # And an order's ID opens its detail page
    page.get_by_role("link", name=by_amount[20]).click()
    expect(page).to_have_url(re.compile(rf"/orders/{by_amount[20]}/$"))
    expect(page.get_by_role("heading", name=by_amount[20])).to_be_visible()
