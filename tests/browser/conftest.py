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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
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


@pytest.fixture(autouse=True)
def no_policy_violations(browser: Browser) -> Iterator[list[str]]:
    """Fail a browser test on any Content-Security-Policy violation Chromium reports.

    Every context a test opens (``browser.new_context``, whoever calls it) reports its pages'
    console here; Chromium writes a refused script, style, image or connection there as
    "Refused to ... because it violates the following Content Security Policy directive".
    """
    refused: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(f"{message.page.url if message.page else ''}: {message.text}")

    new_context = browser.new_context

    def watched_context(*args: Any, **kwargs: Any) -> BrowserContext:
        context = new_context(*args, **kwargs)
        context.on("console", record)
        return context

    browser.new_context = watched_context  # type: ignore[method-assign]  # this test only
    try:
        yield refused
    finally:
        browser.new_context = new_context  # type: ignore[method-assign]  # this test only
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
