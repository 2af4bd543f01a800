"""The order page's header stays current: a change shown on the Activity tab also updates
the status badge, the Updated time and the Change status form, so the next Change status
from the same page is not refused as stale."""

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from core.times import local_time
from orders import services
from orders.actors import Actor
from orders.models import Order, OrderStatus
from tests.browser.pages import signed_in_page
from tests.factories import MarketingUserFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_status_changes_again_after_a_change_shown_on_the_activity_tab(
    browser: Browser, live_server: Any
):
    # Given a Fulfilled order that Ann has open on its Activity tab
    MarketingUserFactory(username="ann")
    order = make_order(items=0, amount=4200, status=OrderStatus.FULFILLED)
    ann = signed_in_page(browser, live_server, "ann")
    ann.goto(f"/orders/{order.pk}/?tab=activity")
    expect(ann.locator("#order-status")).to_have_text("Fulfilled")

    # When the order is moved back to Created elsewhere
    services.change_order_status(order.pk, OrderStatus.CREATED, actor=Actor.system("Dave"))
    changed = Order.objects.get(pk=order.pk)

    # Then her Activity tab shows it and, in the same update, so does the header
    first = ann.locator(".activity-entry").first
    expect(first).to_contain_text("Fulfilled → Created")
    expect(ann.locator("#order-status")).to_have_text("Created")
    expect(ann.locator("#order-updated")).to_have_text(local_time(changed.updated_at))
    expect(ann.get_by_label("Change status")).to_have_value(OrderStatus.CREATED)

    # When she changes the status from the same page, without reloading it
    ann.get_by_label("Change status").select_option(OrderStatus.PAID)
    ann.get_by_role("button", name="Change status").click()

    # Then it is saved, not refused as stale
    expect(ann.get_by_text(f"Order {order.pk} is now Paid.")).to_be_visible()
    expect(ann.locator("#order-status")).to_have_text("Paid")
    expect(ann.get_by_text("since you opened it")).to_have_count(0)

    # And she can change it once more from the page she is on
    ann.get_by_label("Change status").select_option(OrderStatus.FULFILLED)
    ann.get_by_role("button", name="Change status").click()
    expect(ann.get_by_text(f"Order {order.pk} is now Fulfilled.")).to_be_visible()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLED
    ann.context.close()
