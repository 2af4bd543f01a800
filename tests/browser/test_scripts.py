"""Under the site's Content-Security-Policy (no 'unsafe-inline' scripts), every page works.

Every page is served with ``script-src 'self'`` (``SECURE_CSP``), so an inline ``<script>`` or
an ``onclick=`` would be refused and reported; the scripts the pages load from static/js/ do
their jobs as before. (Any browser test also fails on a violation Chromium logs: conftest.)
"""

import re
from typing import Any

from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, expect

from customers.models import Segment
from tests.browser.pages import make_dashboard_pages, open_page, signed_in_page, users_of

# Collects what the policy refused; Playwright injects this outside the page's policy.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def under_policy(page: Page) -> Page:
    """Record the policy's refusals in the page."""
    context: BrowserContext = page.context
    context.add_init_script(RECORD_VIOLATIONS)
    return page


def violations(page: Page) -> list[str]:
    return page.evaluate("window.cspViolations")


def test_every_page_runs_under_a_policy_without_inline_scripts(browser: Browser, live_server: Any):
    # Given every dashboard page, served with the site's policy
    pages = make_dashboard_pages()

    # When each is opened
    refused = {}
    for user in users_of(pages):
        page = under_policy(signed_in_page(browser, live_server, user))
        for dashboard_page in (p for p in pages if p.user == user):
            open_page(page, dashboard_page)
            # htmx ran (the bell asks for its count as soon as the page has loaded)
            if user:
                expect(page.locator("#bell")).to_have_attribute("aria-label", re.compile("Notif"))
            policy = page.evaluate(
                "fetch(location.href).then(r => r.headers.get('content-security-policy'))"
            )
            assert "script-src 'self'" in policy, dashboard_page.path
            if found := violations(page):
                refused[dashboard_page.path] = found
        page.context.close()

    # Then the policy refused nothing
    assert refused == {}


def test_order_page_copy_button_and_tabs_work_under_the_policy(browser: Browser, live_server: Any):
    # Given the order page, served with the site's policy
    pages = make_dashboard_pages()
    order_page = next(p for p in pages if p.name == "orders:detail")
    page = under_policy(signed_in_page(browser, live_server, "olga"))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_page(page, order_page)

    # When Copy is pressed
    copy = page.locator("button[data-copy]")
    expect(copy).to_have_text("Copy")
    copy.click()

    # Then the order id is on the clipboard and the button says so
    expect(copy).to_have_text("Copied")
    order_id = page.locator("#order-id").inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == order_id

    # When the Activity tab is opened (htmx, without a reload)
    tabs = page.get_by_role("navigation", name="Order sections")
    tabs.get_by_role("link", name="Activity").click()

    # Then it is the current tab, and Dashboard is not any more
    expect(tabs.get_by_role("link", name="Activity")).to_have_attribute("aria-current", "page")
    expect(tabs.get_by_role("link", name="Dashboard")).not_to_have_attribute("aria-current", "page")
    assert violations(page) == []
    page.context.close()


def test_deleting_a_segment_asks_first_under_the_policy(browser: Browser, live_server: Any):
    # Given a segment's page, served with the site's policy
    pages = make_dashboard_pages()
    segment_page = next(p for p in pages if p.name == "customers:segment-detail")
    page = under_policy(signed_in_page(browser, live_server, "olga"))
    open_page(page, segment_page)

    # When Delete is pressed and the question is answered with Cancel
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Delete").click()

    # Then the question named the segment, and the segment is still there
    assert questions == ["Delete the segment High spenders? Its customers stay."]
    expect(page).to_have_url(re.compile(re.escape(segment_page.path) + "$"))
    assert Segment.objects.filter(name="High spenders").exists()

    # When it is pressed again and the question is accepted
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()

    # Then the segment is gone
    expect(page).to_have_url(re.compile(re.escape(reverse("customers:segments"))))
    assert not Segment.objects.filter(name="High spenders").exists()
    assert violations(page) == []
    page.context.close()


def test_pages_load_only_the_scripts_they_use(browser: Browser, live_server: Any):
    # Given the orders list and an order's page
    pages = make_dashboard_pages()
    page = signed_in_page(browser, live_server, "olga")

    def scripts() -> set[str]:
        sources = page.eval_on_selector_all("script[src]", "all => all.map(s => s.src)")
        return {source.rsplit("/", 1)[-1] for source in sources}

    # When each is opened
    open_page(page, next(p for p in pages if p.name == "orders:list"))
    on_list = scripts()
    open_page(page, next(p for p in pages if p.name == "orders:detail"))
    on_order = scripts()

    # Then the Export dialog's script comes with the list that has the Export button only
    assert {"htmx.min.js", "bell.js", "layout.js", "export_dialog.js"} <= on_list
    assert on_order == {"htmx.min.js", "bell.js", "layout.js", "order_tabs.js", "copy.js"}
    page.context.close()
