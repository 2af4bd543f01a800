"""The orders list's Conditions builder in a real browser: the condition menu offers what fits
the field, conditions are built, joined by all or any, and removed."""

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.pages import signed_in_page
from tests.factories import MarketingUserFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONEY_CONDITIONS = [
    "is",
    "is not",
    "is one of (a, b, …)",
    "is none of (a, b, …)",
    "more than",
    "at least",
    "less than",
    "at most",
    "has a value",
    "has no value",
]
TEXT_CONDITIONS = [
    "is",
    "is not",
    "is one of (a, b, …)",
    "is none of (a, b, …)",
    "contains",
    "does not contain",
    "starts with",
    "ends with",
    "has a value",
    "has no value",
]


def add_condition(page: Page, field: str, condition: str, value: str) -> None:
    page.get_by_label("Condition field").select_option(label=field)
    page.get_by_label("Condition", exact=True).select_option(label=condition)
    page.get_by_label("Condition value").fill(value)
    page.get_by_role("button", name="Add", exact=True).click()


def test_build_conditions_join_them_by_any_and_remove_them(browser: Browser, live_server: Any):
    # Given orders from shops a (50.00), b (150.00), c (250.00) and d (20.00)
    make_order(items=0, source_id="a", amount=5000)
    make_order(items=0, source_id="b", amount=15000)
    make_order(items=0, source_id="c", amount=25000)
    make_order(items=0, source_id="d", amount=2000)
    MarketingUserFactory(username="marketer")
    page = signed_in_page(browser, live_server, "marketer")
    page.goto("/orders/")
    count = page.locator("#order-count")
    expect(count).to_have_text("4 orders")
    offered = page.locator("#id_cond_op option:enabled")

    # Then the condition menu offers what fits an amount, and what fits a text
    page.get_by_label("Condition field").select_option(label="Amount")
    expect(offered).to_have_text(MONEY_CONDITIONS)
    page.get_by_label("Condition field").select_option(label="Source ID")
    expect(offered).to_have_text(TEXT_CONDITIONS)
    # and a key the schema lacks is typed only for "Another key…"
    other_key = page.get_by_label("Key not in the metadata schema")
    expect(other_key).to_be_hidden()
    page.get_by_label("Condition field").select_option(label="Another key…")
    expect(other_key).to_be_visible()

    # When they add "Source ID is one of a,b"
    add_condition(page, "Source ID", "is one of (a, b, …)", "a,b")

    # Then it is listed and filters; "match all / any" waits for a second condition
    conditions = page.locator("#cond-list")
    expect(conditions).to_have_text(re.compile(r"^\s*Source ID is one of a, b\s*×\s*$"))
    expect(count).to_have_text("2 orders")
    expect(page.get_by_label("Conditions to match")).to_be_hidden()
    # and the builder is ready for the next one
    expect(page.get_by_label("Condition value")).to_have_value("")

    # When they add "Amount more than 100"
    add_condition(page, "Amount", "more than", "100")

    # Then both must match: b alone
    expect(conditions.locator("li")).to_have_text(
        [re.compile(r"Source ID is one of a, b"), re.compile(r"Amount > \$100\.00")]
    )
    expect(count).to_have_text("1 order")
    expect(page).to_have_url(re.compile(r"more_than.*=10000"))

    # When any may match
    page.get_by_label("Conditions to match").select_option(label="Match any condition")

    # Then a, b and c show, under one chip
    expect(count).to_have_text("3 orders")
    expect(page.locator(".chip")).to_have_text(
        ["Any of: Source ID is one of a, b; Amount > $100.00 ×"]
    )
    expect(page).to_have_url(re.compile(r"junction%5D=or"))

    # When the source condition is removed from the fieldset
    page.get_by_label("Remove condition Source ID is one of a, b").click()

    # Then the amount alone filters (b and c), as its own chip
    expect(count).to_have_text("2 orders")
    expect(page.locator(".chip")).to_have_text(["Amount > $100.00 ×"])

    # When its chip is removed
    page.get_by_label("Remove filter Amount > $100.00").click()

    # Then every order shows and no condition is left
    expect(count).to_have_text("4 orders")
    expect(conditions.locator("li")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/orders/$"))
