"""Saved views in a real browser: save, update with the filters shown, read them as
sentences, and delete after a confirmation."""

import re

import pytest
from playwright.sync_api import Page, expect

from orders.models import OrderStatus, SavedView
from tests.browser.test_filter_panel import KEY_DELAY_MS, sign_in
from tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_update_a_view_with_the_current_filters_then_delete_it(page: Page) -> None:
    # Given paid orders of 50.00 and 150.00, and a canceled one
    make_order(items=0, amount=5000, status=OrderStatus.PAID)
    make_order(items=0, amount=15000, status=OrderStatus.PAID)
    make_order(items=0, amount=15000, status=OrderStatus.CANCELED)
    sign_in(page, "/orders/")

    # When they tick Paid and save the view as "Paid"
    page.get_by_label("Paid", exact=True).check()
    expect(page.locator(".chips")).to_contain_text("Status is Paid")
    page.get_by_label("Name of the view").fill("Paid")
    page.get_by_role("button", name="Save view").click()
    expect(page.locator(".messages")).to_contain_text("Saved the view 'Paid'.")

    # ... then add Amount from 100 and update the view with the filters shown
    page.get_by_label("Amount from", exact=True).click()
    page.keyboard.type("100", delay=KEY_DELAY_MS)
    page.keyboard.press("Tab")
    expect(page).to_have_url(re.compile(r"amount_min=100"))
    expect(page.locator("#order-count")).to_have_text("1 order")
    page.get_by_label("Change the view Paid").click()
    page.get_by_role("button", name="Update with current filters").click()

    # Then the view now shows those filters, said in words
    expect(page.locator(".messages")).to_have_text(
        "The view 'Paid' now shows: Status is Paid, Amount from $100.00."
    )
    expect(page).to_have_url(re.compile(r"amount_min=100"))
    assert SavedView.objects.get().query == "amount_min=100&status=PAID"

    # ... and the saved views page reads it as a sentence, not as parameters
    page.get_by_role("link", name="Manage").click()
    own = page.locator("#own-views")
    expect(own).to_contain_text("Status is Paid, Amount from $100.00")
    expect(own).not_to_contain_text("amount_min")

    # When they press Delete, a page asks first; Keep it leaves the view alone
    page.get_by_role("button", name="Delete…").click()
    expect(page.locator("#confirm-delete")).to_contain_text(
        "Delete the saved view Paid? It shows: Status is Paid, Amount from $100.00."
    )
    page.get_by_role("link", name="Keep it").click()
    expect(page.locator("#own-views")).to_contain_text("Paid")
    assert SavedView.objects.count() == 1

    # When they delete it and confirm
    page.get_by_role("button", name="Delete…").click()
    page.get_by_role("button", name="Delete the view").click()

    # Then it is gone
    expect(page.locator(".messages")).to_contain_text("Deleted the view 'Paid'.")
    expect(page.locator("#own-views")).to_contain_text("You have no saved views yet")
    assert not SavedView.objects.exists()
