"""The admin asks before a redemption rollback, as the dashboard does: bulk "Mark as
Canceled" on Paid orders shows which orders and what happens, and changes nothing until
confirmed."""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from orders.models import Order, OrderStatus
from tests.factories import CustomerFactory, UserFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's password


def admin_signed_in(browser: Browser, live_server: Any) -> Page:
    UserFactory(username="olga", is_staff=True, is_superuser=True)
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + "/admin/")
    return page


def run_mark_as_canceled(page: Page, order: Order) -> None:
    page.goto("/admin/orders/order/")
    page.locator("#result_list tbody tr", has_text=order.pk).locator("input.action-select").check()
    page.locator("select[name=action]").select_option("mark_canceled")
    page.get_by_role("button", name="Run").click()


def test_bulk_cancel_of_a_paid_order_is_confirmed_first(browser: Browser, live_server: Any):
    # Given a customer's Paid order
    customer = CustomerFactory(name="Ada Lovelace")
    order = make_order(customer=customer, items=0, amount=4000, status=OrderStatus.PAID)
    page = admin_signed_in(browser, live_server)

    # When the operator runs "Mark as Canceled" on it
    run_mark_as_canceled(page, order)

    # Then a confirmation lists it and says what happens, and the order is still Paid
    expect(page.locator("#rollback-summary")).to_contain_text("no longer count")
    expect(page.locator("#rollback-orders")).to_contain_text(order.pk)
    expect(page.locator("#rollback-orders")).to_contain_text("Ada Lovelace")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID

    # When they go back, nothing happened ("No, take me back" is the admin's cancel.js, which
    # the page runs by its load event; before that the link is only "#")
    page.wait_for_load_state("load")
    page.get_by_role("button", name="No, take me back").click()
    expect(page).to_have_url(live_server.url + "/admin/orders/order/")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID

    # When they run it again and confirm
    run_mark_as_canceled(page, order)
    page.get_by_role("button", name="Cancel 1 order").click()

    # Then the order is Canceled and its customer's summary no longer counts it
    expect(page.get_by_text("1 order marked as Canceled.")).to_be_visible()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELED
    customer.refresh_from_db()
    assert customer.orders_total_count == 0
    page.context.close()
