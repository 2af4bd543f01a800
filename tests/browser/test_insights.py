"""The insights strip in a real browser: it agrees with the list and with an export of the
same filters, follows the filter panel, and its bars narrow the list."""

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from orders.models import OrderStatus
from tests.browser.pages import signed_in_page
from tests.factories import MarketingUserFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def figure(page: Any, name: str) -> Any:
    return page.locator(f'#insights [data-figure="{name}"] .insight-value')


@pytest.fixture
def orders() -> None:
    """Web and store orders over the last four days (UTC), in three statuses."""
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    rows = [
        (0, OrderStatus.PAID, "web", 1_000),
        (0, OrderStatus.PAID, "web", 2_000),
        (1, OrderStatus.CANCELED, "web", 3_000),
        (2, OrderStatus.PAID, "store", 4_000),
        (3, OrderStatus.CREATED, "web", 5_000),
        (3, OrderStatus.PAID, "web", 6_000),
    ]
    for days_ago, status, channel, amount in rows:
        make_order(
            amount=amount,
            status=status,
            metadata={"channel": channel},
            created_at=today - timedelta(days=days_ago),
        )


def test_the_strip_agrees_with_the_list_and_follows_its_filters(
    browser: Browser, live_server, orders
):
    MarketingUserFactory(username="ann")
    page = signed_in_page(browser, live_server, "ann")
    page.goto("/orders/?meta=channel:eq:web")
    expect(page.locator("#order-count")).to_have_text("5 orders")
    expect(figure(page, "orders")).to_have_text("5")
    expect(figure(page, "revenue")).to_have_text("$170.00")
    expect(figure(page, "canceled")).to_have_text("20.0 %")

    # Ticking Paid in the panel updates the list and, after it, the strip.
    page.get_by_label("Paid", exact=True).check()
    expect(page.locator("#order-count")).to_have_text("3 orders")
    expect(figure(page, "orders")).to_have_text("3")
    expect(figure(page, "revenue")).to_have_text("$90.00")
    page.context.close()


def test_a_bar_narrows_the_list_to_its_day_and_status(browser: Browser, live_server, orders):
    MarketingUserFactory(username="ann")
    page = signed_in_page(browser, live_server, "ann")
    page.goto("/orders/")
    expect(figure(page, "orders")).to_have_text("6")
    # Three days ago: one Created and one Paid order; the Paid part of the orders chart.
    day = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    part = page.locator(f'#insight-chart-orders a[data-status="PAID"][data-first="{day}"]')
    part.click()
    expect(page).to_have_url(
        f"{live_server.url}/orders/?created_after={day}&created_before={day}&status=PAID"
    )
    expect(page.locator("#order-count")).to_have_text("1 order")
    expect(figure(page, "orders")).to_have_text("1")
    page.context.close()


def test_the_strip_agrees_with_an_export_of_the_same_filters(
    browser: Browser, live_server, orders, export_worker: str
):
    MarketingUserFactory(username="ann")
    page = signed_in_page(browser, live_server, "ann")
    page.goto("/orders/?status=PAID&meta=channel:eq:web")
    expect(figure(page, "orders")).to_have_text("3")
    expect(figure(page, "revenue")).to_have_text("$90.00")

    page.locator("#export-button").click()
    dialog = page.locator("dialog#export-dialog")
    dialog.get_by_role("checkbox", name="total_amount").check()
    dialog.get_by_role("button", name="Export", exact=True).click()
    expect(page.locator(".bell-count")).to_have_text("1", timeout=20_000)
    page.locator("#bell").click()
    expect(page.locator(".notification-title").first).to_contain_text(
        "is ready: 3 orders", timeout=20_000
    )
    with page.expect_download() as download_info:
        page.locator(".download-link").first.click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 3
    total = sum(int(row[header.index("total_amount")]) for row in rows)
    assert f"${total / 100:,.2f}" == "$90.00"
    page.context.close()


def test_the_strip_loading_never_cancels_a_filter_change(browser: Browser, live_server, orders):
    """The strip's requests sync on the strip, not on the list's page: its top values
    starting to load while a filter change is on its way must not replace (abort) it."""
    MarketingUserFactory(username="ann")
    page = signed_in_page(browser, live_server, "ann")
    held_strip: list[Any] = []
    held_results: list[Any] = []

    def strip(route: Any) -> None:
        if "part=top" in route.request.url or held_strip:
            route.continue_()
        else:
            held_strip.append(route)

    def results(route: Any) -> None:
        if route.request.headers.get("hx-target") == "results":
            held_results.append(route)
        else:
            route.continue_()

    page.route(lambda url: "/orders/insights/" in url, strip)
    page.route(lambda url: url.split("?")[0].endswith("/orders/"), results)
    page.goto("/orders/")
    expect(page.locator("#order-count")).to_have_text("6 orders")

    # When a filter changes while the strip is still on its way
    page.get_by_label("Paid", exact=True).check()
    for _ in range(200):  # until the browser has sent the filter change
        if held_results:
            break
        page.wait_for_timeout(25)
    assert held_results, "the filter change was never sent"
    # and the strip arrives meanwhile, and asks for its top values
    held_strip[0].continue_()
    expect(page.locator("#insight-top")).to_contain_text("order metadata schema")
    held_results[0].continue_()

    # Then the list still follows the filter, and the strip after it
    expect(page.locator("#order-count")).to_have_text("4 orders")
    expect(figure(page, "orders")).to_have_text("4")
    page.context.close()
