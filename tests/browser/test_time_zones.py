"""Times in the user's zone: chosen on the Preferences page (from the user menu), then shown
with the zone named on the dashboard's pages and in the admin; no choice means TIME_ZONE."""

from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from customers.models import Customer
from exports.models import Export
from orders.models import Order, OrderEvent
from tests.browser.pages import signed_in_page
from tests.factories import CustomerFactory, MarketingUserFactory, UserFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOMENT = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)


def dated_order(user: Any) -> Order:
    """An order with a customer, and an export by ``user``, all at 14:05 UTC on 23 Nov."""
    customer = CustomerFactory(name="Ada Lovelace")
    order = make_order(items=0, amount=4200, customer=customer)
    Order.objects.filter(pk=order.pk).update(created_at=MOMENT, updated_at=MOMENT)
    OrderEvent.objects.filter(order=order).update(created_at=MOMENT)
    Customer.objects.filter(pk=customer.pk).update(created_at=MOMENT, orders_last_order_date=MOMENT)
    export = Export.objects.create(user=user)
    Export.objects.filter(pk=export.pk).update(created_at=MOMENT)
    return order


def choose_zone(page: Page, zone: str) -> None:
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Preferences").click()
    page.get_by_label("Time zone").select_option(zone)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Times are now shown in {zone}.")).to_be_visible()


def test_a_user_who_chooses_warsaw_sees_warsaw_times_everywhere(browser: Browser, live_server: Any):
    # Given a Marketing member and an order, a customer and an export made at 14:05 UTC
    ann = MarketingUserFactory(username="ann")
    order = dated_order(ann)
    page = signed_in_page(browser, live_server, "ann")
    expect(page.locator("tbody").get_by_text("2026-11-23 14:05 UTC")).to_be_visible()

    # When she chooses Europe/Warsaw on her Preferences page
    choose_zone(page, "Europe/Warsaw")

    # Then every page shows 15:05 CET
    for url in (
        "/orders/",
        f"/orders/{order.pk}/",
        f"/orders/{order.pk}/?tab=activity",
        "/customers/",
        f"/customers/{order.customer_id}/",
        "/exports/",
    ):
        page.goto(url)
        expect(page.get_by_text("2026-11-23 15:05 CET").first).to_be_visible()
        expect(page.get_by_text("14:05 UTC")).to_have_count(0)
    page.context.close()


def test_a_user_without_a_choice_sees_the_time_zone_setting(
    browser: Browser, live_server: Any, settings: Any
):
    settings.TIME_ZONE = "Europe/Warsaw"
    ann = MarketingUserFactory(username="ann")
    order = dated_order(ann)
    page = signed_in_page(browser, live_server, "ann")

    page.goto(f"/orders/{order.pk}/")

    expect(page.locator(".order-header").get_by_text("2026-11-23 15:05 CET").first).to_be_visible()
    page.context.close()


def test_the_admin_shows_the_operators_zone_named(browser: Browser, live_server: Any):
    # Given an operator who chose Europe/Warsaw on the dashboard's Preferences page
    UserFactory(username="olga", is_staff=True, is_superuser=True)
    order = dated_order(None)
    page = signed_in_page(browser, live_server, "olga")
    choose_zone(page, "Europe/Warsaw")

    # When she opens the orders list of the admin
    page.goto("/admin/orders/order/")

    # Then the order's Created time is Warsaw time, the zone named
    row = page.locator("#result_list tbody tr", has_text=order.pk)
    expect(row).to_contain_text("2026-11-23 15:05 CET")
    page.context.close()
