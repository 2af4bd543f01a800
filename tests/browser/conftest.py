"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Playwright cannot download browsers here, so the tests use ``/usr/bin/chromium``. Without it
the tests are skipped on a laptop, but fail under CI: a green CI run must mean they ran.

While Playwright's sync API is started, this thread has a running asyncio loop, and Django
refuses ORM calls from it unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set. Both the browser and
that variable therefore live exactly as long as the browser tests (package scope, and
pytest-django runs these transactional tests one after the other): setting the variable for
the whole process would leak into other tests' subprocesses (``manage.py check --deploy``
warns about it), and a browser left running would break later tests' ORM calls.
"""

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.signals import request_finished, request_started
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from core.roles import ensure_marketing_group

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="package", autouse=True)
def allow_orm_under_playwright() -> Iterator[None]:
    """Let Django run ORM calls in this thread while Playwright's loop is running."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(allow_orm_under_playwright: None) -> Iterator[Browser]:
    """One headless Chromium shared by all the browser tests."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (make chromium)"
        if _under_ci():
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class LiveRequests:
    """The live server's requests in progress, by the thread serving each.

    The live server answers in threads of its own; the test client answers in the test's
    thread and is not counted.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._serving: dict[int, str] = {}

    def started(self, sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            return
        path = (environ or {}).get("PATH_INFO", "?")
        with self._lock:
            self._serving[threading.get_ident()] = path

    def finished(self, sender: Any, **kwargs: Any) -> None:
        with self._lock:
            self._serving.pop(threading.get_ident(), None)

    def wait_until_idle(self, timeout: float) -> list[str]:
        """Wait until no request is being served; the paths still served after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                serving = sorted(self._serving.values())
            if not serving or time.monotonic() > deadline:
                return serving
            time.sleep(0.02)


@pytest.fixture(scope="package")
def live_requests() -> Iterator[LiveRequests]:
    requests = LiveRequests()
    request_started.connect(requests.started, weak=False)
    request_finished.connect(requests.finished, weak=False)
    yield requests
    request_started.disconnect(requests.started)
    request_finished.disconnect(requests.finished)


@pytest.fixture(autouse=True)
def no_policy_violations(
    browser: Browser, live_requests: LiveRequests, transactional_db: None
) -> Iterator[list[str]]:
    """Fail a browser test on any Content-Security-Policy violation Chromium reports, and
    close what the test opened before its database is flushed.

    Every context a test opens (``browser.new_context``, whoever calls it) reports its pages'
    console here; Chromium writes a refused script, style, image or connection there as
    "Refused to ... because it violates the following Content Security Policy directive".

    After the test, its contexts are closed (a page left open keeps polling) and the live
    server's requests are let finish: pytest-django empties the database with a TRUNCATE of
    every table, which must not meet a request still reading them (a statement holding one
    table while asking for another deadlocks with it). This fixture asks for
    ``transactional_db``, so its teardown runs before that flush.
    """
    refused: list[str] = []
    opened: list[BrowserContext] = []

    def record(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(f"{message.page.url if message.page else ''}: {message.text}")

    new_context = browser.new_context

    def watched_context(*args: Any, **kwargs: Any) -> BrowserContext:
        context = new_context(*args, **kwargs)
        context.on("console", record)
        opened.append(context)
        return context

    browser.new_context = watched_context  # type: ignore[method-assign]  # this test only
    try:
        yield refused
    finally:
        browser.new_context = new_context  # type: ignore[method-assign]  # this test only
        for context in opened:
            context.close()
        still_serving = live_requests.wait_until_idle(timeout=30)
    assert still_serving == [], f"the live server was still answering {still_serving}"
    assert refused == [], "the page broke the Content-Security-Policy:\n" + "\n".join(refused)


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A fresh browser context (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1360, "height": 860}, locale="en-US"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def marketing_group(allow_orm_under_playwright: None, transactional_db: None) -> Group:
    """The Marketing group as its migration creates it.

    Live-server tests run on a flushed (transactional) database after the other tests, so
    rows made by data migrations may be gone; recreate the group the same way.
    """
    return ensure_marketing_group(Group, Permission)
