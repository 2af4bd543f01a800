"""A browser test's teardown waits for the live server's requests before the database is
flushed (a request reading two tables while the flush's TRUNCATE takes them deadlocks)."""

import threading
import time

import psycopg
import pytest
from django.db import connection
from playwright.sync_api import Browser

from tests.browser.conftest import LiveRequests
from tests.browser.pages import signed_in_page
from tests.factories import MarketingUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_teardown_waits_for_a_request_still_being_served(
    browser: Browser, live_server, live_requests: LiveRequests
):
    MarketingUserFactory(username="ann")
    page = signed_in_page(browser, live_server, "ann")
    assert live_requests.wait_until_idle(timeout=10) == []

    # Another connection holds the orders table, so the list's request waits on it.
    holder = psycopg.connect(**connection.get_connection_params())
    holder.execute("LOCK TABLE orders_order IN ACCESS EXCLUSIVE MODE")
    page.evaluate("() => { fetch('/orders/'); }")
    deadline = time.monotonic() + 10
    while "/orders/" not in live_requests.wait_until_idle(timeout=0):
        assert time.monotonic() < deadline, "the list's request never reached the server"
        time.sleep(0.02)

    # The page is gone, but the server is still answering it until the lock is let go.
    page.context.close()
    released = threading.Timer(1.0, holder.rollback)
    released.start()
    started = time.monotonic()
    try:
        assert "/orders/" in live_requests.wait_until_idle(timeout=0.3)
        assert live_requests.wait_until_idle(timeout=10) == []
        assert time.monotonic() - started >= 0.9
    finally:
        released.join()
        holder.close()
