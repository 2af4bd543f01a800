"""The order page in real browsers: a status change and a metadata edit made elsewhere show
up on the Activity tab without a reload."""

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from orders.models import OrderStatus
from tests.browser.pages import signed_in_page
from tests.factories import MarketingUserFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_changes_appear_on_the_activity_tab_without_reload(browser: Browser, live_server: Any):
    # Given an order and two Marketing members, each in their own browser
    MarketingUserFactory(username="ann")
    MarketingUserFactory(username="ben")
    order = make_order(items=0, amount=4200, metadata={"channel": "web"})
    ann = signed_in_page(browser, live_server, "ann")
    ben = signed_in_page(browser, live_server, "ben")

    # When Ann opens the order and changes its status to Paid
    ann.goto(f"/orders/{order.pk}/")
    ann.get_by_label("Change status").select_option(OrderStatus.PAID)
    ann.get_by_role("button", name="Change status").click()
    expect(ann.locator("#order-status")).to_have_text("Paid")

    # Then the Activity tab shows the change, by her
    ann.get_by_role("link", name="Activity").click()
    first = ann.locator(".activity-entry").first
    expect(first).to_contain_text("Status changed")
    expect(first).to_contain_text("by ann")
    expect(first).to_contain_text("Created → Paid")

    # When Ben, in another browser, edits the order's metadata
    ben.goto(f"/orders/{order.pk}/?tab=metadata")
    ben.get_by_label("Value of channel").fill("store")
    ben.get_by_role("button", name="Save", exact=True).click()
    expect(ben.get_by_text("Metadata channel saved.")).to_be_visible()

    # Then Ann's open Activity tab shows it by itself, without a reload
    url_before = ann.url
    expect(ann.locator(".activity-entry").first).to_contain_text("Metadata changed", timeout=10_000)
    expect(ann.locator(".activity-entry").first).to_contain_text("web → store")
    expect(ann.locator(".activity-entry").first).to_contain_text("by ben")
    assert ann.url == url_before
    ann.context.close()
    ben.context.close()
