"""axe-core on every dashboard page: no critical or serious accessibility violation."""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.browser.pages import (
    DESKTOP,
    PHONE,
    make_dashboard_pages,
    open_page,
    signed_in_page,
    users_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"critical", "serious"}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_page_has_a_critical_or_serious_violation(
    browser: Browser, live_server: Any, viewport: dict[str, int]
):
    # Given every dashboard page, filled with records
    pages = make_dashboard_pages()
    axe = Axe()

    # When axe checks each one, as it is laid out on this screen
    found: dict[str, list[str]] = {}
    for user in users_of(pages):
        page = signed_in_page(browser, live_server, user, viewport=viewport)
        for dashboard_page in (p for p in pages if p.user == user):
            open_page(page, dashboard_page)
            results = axe.run(page)
            blocking = [
                f"{violation['id']} ({violation['impact']}): "
                + "; ".join(", ".join(node["target"]) for node in violation["nodes"][:5])
                for violation in results.response["violations"]
                if violation["impact"] in BLOCKING
            ]
            if blocking:
                found[dashboard_page.path] = blocking
        page.context.close()

    # Then none has a critical or serious violation
    assert not found, "\n".join(
        f"{name}: {problem}" for name, problems in found.items() for problem in problems
    )
