"""Segments in a real browser: define "High spenders ≥ 500.00", see its members, follow the
link to their orders."""

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from orders.models import OrderStatus
from tests.browser.pages import signed_in_page
from tests.factories import CustomerFactory, MarketingUserFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_define_a_segment_see_members_and_their_orders(browser: Browser, live_server: Any):
    # Given a big spender, a small one and a Marketing member
    rich = CustomerFactory(name="Rita Rich")
    rich_order = make_order(customer=rich, amount=75000, status=OrderStatus.PAID)
    small = CustomerFactory(name="Sam Small")
    small_order = make_order(customer=small, amount=1000, status=OrderStatus.PAID)
    MarketingUserFactory(username="ann")
    page = signed_in_page(browser, live_server, "ann")

    # When she defines "High spenders" with total spent ≥ 500.00 from the template
    page.goto("/customers/segments/")
    page.get_by_role("link", name="High spenders").click()
    page.get_by_label("Total spent at least").fill("500.00")
    page.get_by_role("button", name="Save segment").click()

    # Then the segment page counts and lists its one member
    expect(page.locator("#member-count")).to_have_text("1 customer")
    members = page.locator("#segment-members")
    expect(members).to_contain_text("Rita Rich")
    expect(members).not_to_contain_text("Sam Small")

    # When she follows the link to their orders
    page.get_by_role("link", name="Orders of these customers").click()

    # Then the orders list shows the member's order only
    expect(page).to_have_url(re.compile(r"/orders/\?segment=\d+$"))
    expect(page.locator("#orders")).to_contain_text(rich_order.pk)
    expect(page.locator("#orders")).not_to_contain_text(small_order.pk)
