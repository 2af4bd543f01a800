"""The filter panels of the orders and customers lists in a real browser: typing is never
lost, whatever the responses to earlier changes do; dates are picked, and a range the wrong
way round says so; filters read the same in chips, the Export dialog and the Audit log."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from metadata.models import MetadataProperty, MetadataSchema
from orders.models import OrderStatus
from tests.browser import pages
from tests.factories import CustomerFactory, MarketingUserFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY_DELAY_MS = 50  # a quick typist; the panel used to lose keys at 50-120 ms a key


def sign_in(page: Page, next_url: str) -> None:
    MarketingUserFactory(username="marketer")
    pages.sign_in(page, "marketer", next_url)


@pytest.mark.parametrize("then", ["Tab", "nothing"])
def test_typing_amounts_in_a_row_keeps_both_and_filters_the_orders(page: Page, then: str) -> None:
    # Given orders of 50.00, 150.00 and 250.00
    make_order(items=0, amount=5000, status=OrderStatus.PAID)
    middle = make_order(items=0, amount=15000, status=OrderStatus.PAID)
    make_order(items=0, amount=25000, status=OrderStatus.PAID)
    sign_in(page, "/orders/")
    expect(page.locator("#order-count")).to_have_text("3 orders")

    # When they type 100 in Amount from, Tab, and 200 in Amount to, at 50 ms a key
    page.get_by_label("Amount from", exact=True).click()
    page.keyboard.type("100", delay=KEY_DELAY_MS)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Amount to", exact=True)).to_be_focused()
    page.keyboard.type("200", delay=KEY_DELAY_MS)
    if then == "Tab":
        page.keyboard.press("Tab")

    # Then both fields keep what was typed, and the list shows the one order in between (as
    # soon as they stop typing, without leaving the field)
    expect(page).to_have_url(re.compile(r"amount_max=200"))
    expect(page.locator("#order-count")).to_have_text("1 order")
    expect(page.get_by_label("Amount from", exact=True)).to_have_value("100")
    expect(page.get_by_label("Amount to", exact=True)).to_have_value("200")
    expect(page.locator("#orders tbody a.mono")).to_have_text([middle.pk])
    expect(page.locator(".chips")).to_contain_text("Amount from $100.00")
    expect(page.locator(".chips")).to_contain_text("Amount to $200.00")


def test_typing_spend_in_a_row_keeps_both_and_filters_the_customers(page: Page) -> None:
    # Given customers who spent 50.00, 150.00 and 250.00
    for name, amount in (("Low Lou", 5000), ("Mid Mo", 15000), ("High Hal", 25000)):
        make_order(customer=CustomerFactory(name=name), amount=amount, status=OrderStatus.PAID)
    sign_in(page, "/customers/")
    expect(page.locator("#customer-count")).to_have_text("3 customers")

    # When they type 100 in Spent from, Tab, and 200 in Spent to, at 50 ms a key
    page.get_by_label("Spent from", exact=True).click()
    page.keyboard.type("100", delay=KEY_DELAY_MS)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Spent to", exact=True)).to_be_focused()
    page.keyboard.type("200", delay=KEY_DELAY_MS)
    page.keyboard.press("Tab")

    # Then both fields keep what was typed, and the list shows the one customer in between
    expect(page).to_have_url(re.compile(r"spent_max=200"))
    expect(page.locator("#customer-count")).to_have_text("1 customer")
    expect(page.get_by_label("Spent from", exact=True)).to_have_value("100")
    expect(page.get_by_label("Spent to", exact=True)).to_have_value("200")
    expect(page.locator("#customers tbody tr")).to_have_count(1)
    expect(page.locator("#customers tbody")).to_contain_text("Mid Mo")


def test_dates_are_picked_and_a_from_after_the_to_says_why(page: Page) -> None:
    # Given orders on 10 and 20 May 2026
    may_10 = make_order(items=0, created_at=datetime(2026, 5, 10, 12, tzinfo=UTC))
    may_20 = make_order(items=0, created_at=datetime(2026, 5, 20, 12, tzinfo=UTC))
    sign_in(page, "/orders/")
    expect(page.locator("#order-count")).to_have_text("2 orders")

    # Then the date filters are date pickers
    created_from = page.get_by_label("Created from", exact=True)
    created_to = page.get_by_label("Created to", exact=True)
    expect(created_from).to_have_attribute("type", "date")
    expect(created_to).to_have_attribute("type", "date")

    # When they pick a from-date after the to-date
    created_from.fill("2026-05-15")
    expect(page.locator("#order-count")).to_have_text("1 order")
    created_to.fill("2026-05-01")

    # Then the to-field says why instead of showing no orders, and the from still applies
    hint = page.locator("#error-created_before")
    expect(hint).to_have_text(
        "Created to (2026-05-01) is before Created from (2026-05-15), so nothing can match: "
        "change one of them."
    )
    expect(hint).to_have_attribute("role", "alert")
    expect(page.locator("#filter-errors")).to_be_visible()
    expect(page.locator("#orders tbody a.mono")).to_have_text([may_20.pk])
    expect(created_to).to_have_value("2026-05-01")

    # When they correct the to-date, the hint goes and the range filters
    created_from.fill("2026-05-01")
    expect(hint).to_have_text("")
    created_to.fill("2026-05-15")
    expect(page.locator("#orders tbody a.mono")).to_have_text([may_10.pk])


def test_filters_read_the_same_in_chips_the_export_dialog_and_the_audit_log(page: Page) -> None:
    # Given Ada's paid order, and the list filtered by her id, Paid and an amount
    ada = CustomerFactory(name="Ada Lovelace")
    make_order(items=0, customer=ada, amount=5000, status=OrderStatus.PAID)
    sign_in(page, f"/orders/?customer={ada.pk}&status=PAID&amount_min=10")
    sentence = "Status is Paid, Amount from $10.00, Customer is Ada Lovelace"

    # Then the chips name the customer, not her id
    expect(page.locator(".chip")).to_have_text(
        ["Status is Paid ×", "Amount from $10.00 ×", "Customer is Ada Lovelace ×"]
    )

    # When she exports them, the dialog says the same
    page.locator("#export-button").click()
    dialog = page.locator("dialog#export-dialog")
    expect(dialog.locator("#export-summary")).to_have_text(
        f"Exporting 1 order matching: {sentence}."
    )
    dialog.get_by_role("button", name="Export", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Notifications Center")

    # And Audit log › Exports reads its filters as that sentence, without ids or JSON
    page.goto("/exports/")
    cell = page.locator("#exports tbody tr").first.locator(".export-filters")
    expect(cell).to_have_text(sentence)


def test_back_shows_the_filters_and_results_of_the_previous_address(page: Page) -> None:
    # Given orders of 50.00, 150.00 and 250.00, filtered by typing from 100, then to 200
    make_order(items=0, amount=5000)
    make_order(items=0, amount=15000)
    make_order(items=0, amount=25000)
    sign_in(page, "/orders/")
    page.get_by_label("Amount from", exact=True).click()
    page.keyboard.type("100", delay=KEY_DELAY_MS)
    page.keyboard.press("Tab")
    expect(page.locator("#order-count")).to_have_text("2 orders")
    page.keyboard.type("200", delay=KEY_DELAY_MS)
    page.keyboard.press("Tab")
    expect(page.locator("#order-count")).to_have_text("1 order")

    # When they go back
    page.go_back()

    # Then the address, the fields and the results agree: from 100, no upper bound
    expect(page).to_have_url(re.compile(r"/orders/\?amount_min=100$"))
    expect(page.locator("#order-count")).to_have_text("2 orders")
    expect(page.get_by_label("Amount from", exact=True)).to_have_value("100")
    expect(page.get_by_label("Amount to", exact=True)).to_have_value("")


def test_a_metadata_condition_is_added_by_its_button_only(page: Page) -> None:
    # Given Visa and Cash orders of 150.00, a cheap Visa one, and a schema with payment_method
    schema = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="payment_method", type="string")
    visa = make_order(items=0, amount=15000, metadata={"payment_method": "Visa"})
    make_order(items=0, amount=15000, metadata={"payment_method": "Cash"})
    make_order(items=0, amount=500, metadata={"payment_method": "Visa"})
    sign_in(page, "/orders/")

    # When they type a key and a value, then change the amount before adding the condition
    page.get_by_label("Metadata key").fill("payment_method")
    page.get_by_label("Metadata value").fill("Vi")
    page.get_by_label("Amount from", exact=True).fill("100")
    page.get_by_label("Amount from", exact=True).press("Tab")

    # Then the amount filters, and the half-typed condition waits in its fields
    expect(page.locator("#order-count")).to_have_text("2 orders")
    expect(page).not_to_have_url(re.compile(r"meta="))
    expect(page.get_by_label("Metadata value")).to_have_value("Vi")

    # When they finish the value and press Add condition
    page.get_by_label("Metadata value").fill("Visa")
    page.get_by_role("button", name="Add condition").click()

    # Then the condition filters and is listed in words, the row is empty again, and the
    # amount they typed is still there
    expect(page.locator("#orders tbody a.mono")).to_have_text([visa.pk])
    expect(page.locator("#meta-list")).to_contain_text("payment_method is Visa")
    expect(page.get_by_label("Metadata key")).to_have_value("")
    expect(page.get_by_label("Metadata value")).to_have_value("")
    expect(page.get_by_label("Amount from", exact=True)).to_have_value("100")
