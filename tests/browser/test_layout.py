"""The page shell on a phone and a desktop: nothing wider than the screen, the order's
actions in reach, the orders list as cards, one breadcrumb rule, a skip link."""

from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.browser.pages import (
    NOT_PAGES,
    dashboard_url_names,
    make_dashboard_pages,
    open_page,
    signed_in_page,
    users_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def test_every_dashboard_url_is_a_listed_page():
    # Given the dashboard's URLs and the page list the layout tests visit
    listed = {dashboard_page.name for dashboard_page in make_dashboard_pages()}

    # Then each URL is a listed page, or an action, fragment or download named as such
    assert dashboard_url_names() - NOT_PAGES - listed == set()


def test_no_dashboard_page_scrolls_sideways_on_a_phone(browser: Browser, live_server: Any):
    # Given every dashboard page, filled with long names and several rows
    pages = make_dashboard_pages()

    # When each is opened on a 390 × 844 phone
    too_wide = {}
    for user in users_of(pages):
        page = signed_in_page(browser, live_server, user, viewport=PHONE)
        for dashboard_page in (p for p in pages if p.user == user):
            open_page(page, dashboard_page)
            width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            print(
                dashboard_page.name,
                width,
                page.evaluate(
                    "[...document.querySelectorAll('table,.panel,main,.main')].map(e => e.tagName+'.'+e.className+':'+e.scrollWidth+'/'+e.clientWidth).join(' ')"
                ),
            )
            page.screenshot(
                path=f"/tmp/layout-{dashboard_page.name.replace(':', '-')}.png", full_page=True
            )
            if width[0] > width[1]:
                too_wide[dashboard_page.name] = width
        page.context.close()

    # Then none is wider than the screen
    assert too_wide == {}
