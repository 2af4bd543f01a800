"""Exporting orders in a real browser, with a real Celery worker doing the work."""

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from orders.models import OrderStatus
from tests.browser.pages import signed_in_page
from tests.factories import MarketingUserFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_filtered_orders_and_download_from_the_notifications_center(
    browser: Browser, live_server: Any, export_media: Path, export_worker: str
):
    # Given three paid orders and one unpaid, with metadata, and Ann on the filtered list
    MarketingUserFactory(username="ann")
    for index in range(3):
        make_order(amount=1000 + index, status=OrderStatus.PAID, metadata={"channel": "web"})
    make_order(amount=500, status=OrderStatus.CREATED, metadata={"channel": "store"})
    page = signed_in_page(browser, live_server, "ann")
    page.goto("/orders/?status=PAID")
    expect(page.locator("#order-count")).to_have_text("3 orders")
    expect(page.locator(".bell-count")).to_have_count(0)

    # When she opens Export, adds metadata.channel, moves it up, and exports
    page.locator("#export-button").click()
    dialog = page.locator("dialog#export-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#export-summary")).to_contain_text(
        "Exporting 3 orders matching: Status is Paid"
    )
    dialog.get_by_role("checkbox", name="metadata.channel").check()
    dialog.get_by_role("button", name="Move metadata.channel up").click()
    dialog.get_by_role("button", name="Export", exact=True).click()

    # Then she is told where the file will arrive, and the bell's count rises by itself
    expect(page.get_by_text("will arrive in the Notifications Center")).to_be_visible()
    expect(page.locator(".bell-count")).to_have_text("1", timeout=20_000)

    # And the Notifications Center shows the export finished, with its file to download
    page.locator("#bell").click()
    expect(page.locator(".notification-title").first).to_contain_text(
        "is ready: 3 orders", timeout=20_000
    )
    with page.expect_download() as download_info:
        page.locator(".download-link").first.click()
    download = download_info.value
    assert re.fullmatch(r"orders-exp_[A-Za-z0-9]{24}\.csv", download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert header == ["id", "source_id", "metadata.channel", "status"]
    assert len(rows) == 3
    assert {row[2] for row in rows} == {"web"} and {row[3] for row in rows} == {"PAID"}
    page.context.close()
