"""The page shell on a phone and a desktop: nothing wider than the screen, the order's
actions in reach, the orders list as cards with filters in a drawer, tables and the bell's
panel whole, one breadcrumb rule, a skip link, a way back from 403, a chart with values."""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from exports.models import Export
from tests.browser.pages import (
    DESKTOP,
    NOT_PAGES,
    PHONE,
    DashboardPage,
    dashboard_url_names,
    make_dashboard_pages,
    open_page,
    signed_in_page,
    users_of,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def page_named(pages: list[DashboardPage], name: str) -> DashboardPage:
    return next(dashboard_page for dashboard_page in pages if dashboard_page.name == name)


def breadcrumb(page: Page) -> list[str]:
    return (
        page.get_by_role("navigation", name="Breadcrumb").get_by_role("listitem").all_inner_texts()
    )


def right_edge(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box["x"] + box["width"]


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
            scroll_width, inner_width = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll_width > inner_width or inner_width != PHONE["width"]:
                too_wide[dashboard_page.path] = scroll_width
        page.context.close()

    # Then none is wider than the screen
    assert too_wide == {}


def test_order_actions_are_within_reach_on_a_phone(browser: Browser, live_server: Any):
    # Given an order, opened on a phone
    pages = make_dashboard_pages()
    page = signed_in_page(browser, live_server, "olga", viewport=PHONE)
    open_page(page, page_named(pages, "orders:detail"))

    # Then Change status and Edit are on the screen, not past its right edge
    for control in (
        page.get_by_label("Change status"),
        page.get_by_role("button", name="Change status"),
        page.get_by_role("link", name="Edit", exact=True),
    ):
        expect(control).to_be_in_viewport()
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    # And Edit leads to the order's Edit page
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit ord_")
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_order_header_values_stay_in_their_columns(
    browser: Browser, live_server: Any, viewport: dict[str, int]
):
    # Given an order with a long customer and referrer name
    pages = make_dashboard_pages()
    page = signed_in_page(browser, live_server, "olga", viewport=viewport)
    open_page(page, page_named(pages, "orders:detail"))

    # Then each value of the header fits its own box, none running into the next label
    overflowing = page.locator(".order-header dd").evaluate_all(
        "dds => dds.filter(dd => dd.scrollWidth > dd.clientWidth).map(dd => dd.innerText)"
    )
    assert overflowing == []
    expect(page.locator(".order-header")).to_contain_text("Ada King, Countess of Lovelace")
    page.context.close()


def test_orders_list_is_cards_with_filters_in_a_drawer_on_a_phone(
    browser: Browser, live_server: Any
):
    # Given the orders list on a phone
    pages = make_dashboard_pages()
    page = signed_in_page(browser, live_server, "olga", viewport=PHONE)
    open_page(page, page_named(pages, "orders:list"))

    # Then the filters are folded away and the first order is on the first screen, as a card
    # whose values say what they are
    filters = page.get_by_role("complementary", name="Filters")
    toggle = page.get_by_role("button", name="Filters")
    expect(filters).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    first = page.locator("#orders tbody tr").first
    expect(first).to_be_in_viewport(ratio=1)
    assert first.evaluate("row => getComputedStyle(row).display") == "grid"
    status = first.locator("td").first
    assert status.evaluate("td => getComputedStyle(td, '::before').content") == '"Status"'
    expect(page.locator("#orders thead")).not_to_be_in_viewport()

    # When the Filters button is pressed and a search typed
    toggle.click()

    # Then the drawer opens on its first field, and stays open while the list updates
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(filters).to_be_visible()
    expect(page.get_by_label("Search")).to_be_focused()
    page.get_by_label("Search").press_sequentially("no such order", delay=20)
    expect(page.locator("#order-count")).to_have_text("0 orders")
    expect(filters).to_be_visible()

    # When it is pressed again, the drawer closes
    toggle.click()
    expect(filters).to_be_hidden()
    page.context.close()


def test_orders_list_keeps_its_table_and_filters_on_a_desktop(browser: Browser, live_server: Any):
    # Given the orders list on a desktop
    pages = make_dashboard_pages()
    page = signed_in_page(browser, live_server, "olga", viewport=DESKTOP)
    open_page(page, page_named(pages, "orders:list"))

    # Then the filters sit beside a table with its column headings, and need no button
    expect(page.get_by_role("complementary", name="Filters")).to_be_visible()
    expect(page.get_by_role("button", name="Filters")).to_be_hidden()
    expect(page.get_by_role("columnheader", name="Customer")).to_be_visible()
    page.context.close()


def test_exports_table_shows_every_column_in_its_box(browser: Browser, live_server: Any):
    # Given exports with many fields and filters, on Audit log › Exports at 1440 × 900
    pages = make_dashboard_pages()
    page = signed_in_page(browser, live_server, "olga", viewport=DESKTOP)
    open_page(page, page_named(pages, "exports:list"))

    # Then the table fits its box: every column, the last one included, is visible in it
    box = page.locator("#exports").locator("xpath=..")
    scroll_width, client_width = box.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert scroll_width <= client_width
    for heading in ("Rows", "Created", "Duration", "File"):
        expect(page.get_by_role("columnheader", name=heading)).to_be_in_viewport(ratio=1)
    assert right_edge(page, "#exports th:last-child") <= right_edge(page, "#exports")
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_bell_panel_shows_its_whole_text(
    browser: Browser, live_server: Any, viewport: dict[str, int]
):
    # Given a notification of an export in progress
    pages = make_dashboard_pages()
    Export.objects.update(status=Export.Status.IN_PROGRESS, rows_done=617)
    page = signed_in_page(browser, live_server, "olga", viewport=viewport)
    open_page(page, page_named(pages, "orders:list"))

    # When the bell is clicked
    page.locator("#bell").click()
    panel = page.locator("#bell-panel")
    expect(panel).to_contain_text("Export in progress")

    # Then nothing in the panel is cut at its right edge
    assert panel.evaluate("panel => panel.scrollWidth <= panel.clientWidth")
    kind = panel.get_by_text("Export in progress")
    expect(kind).to_be_in_viewport(ratio=1)
    panel_box, kind_box = panel.bounding_box(), kind.bounding_box()
    assert panel_box is not None and kind_box is not None
    assert kind_box["x"] + kind_box["width"] <= panel_box["x"] + panel_box["width"]
    # And the panel itself is on the screen
    assert panel_box["x"] >= 0 and panel_box["x"] + panel_box["width"] <= viewport["width"]
    page.context.close()


def test_every_page_has_one_breadcrumb_rule(browser: Browser, live_server: Any):
    # Given every dashboard page
    pages = make_dashboard_pages()
    order_id = page_named(pages, "orders:detail").heading
    export_id = page_named(pages, "exports:detail").heading
    expected = {
        "orders:list": ["Campaign hub", "Orders"],
        "orders:detail": ["Campaign hub", "Orders", order_id],
        "orders:edit": ["Campaign hub", "Orders", order_id, f"Edit {order_id}"],
        "orders:create": ["Campaign hub", "Orders", "Create order"],
        "exports:new": ["Campaign hub", "Orders", "Export orders"],
        "customers:segment-detail": ["Campaign hub", "Segments", "High spenders"],
        "customers:segment-edit": [
            "Campaign hub", "Segments", "High spenders", "Edit High spenders",
        ],
        "exports:detail": ["Campaign hub", "Audit log", "Exports", export_id],
        "settings:property-add": [
            "Campaign hub", "Project settings", "Metadata schemas", "Add an order property",
        ],
        "403": ["Campaign hub", "No access"],
        "404": ["Campaign hub", "Not found"],
    }  # fmt: skip

    # When each page is opened
    found = {}
    for user in users_of(pages):
        page = signed_in_page(browser, live_server, user, viewport=DESKTOP)
        for dashboard_page in (p for p in pages if p.user == user and p.name != "login"):
            open_page(page, dashboard_page)
            crumbs = breadcrumb(page)
            found[dashboard_page.name] = crumbs
            # Then the trail starts at Campaign hub and ends at this page, marked current
            assert crumbs[0] == "Campaign hub", dashboard_page.name
            current = page.get_by_role("navigation", name="Breadcrumb").locator(
                "[aria-current=page]"
            )
            expect(current).to_have_text(crumbs[-1])
        page.context.close()

    # And it reads Campaign hub › section › record › page
    assert {name: found[name] for name in expected} == expected


def test_skip_link_moves_to_the_main_content(browser: Browser, live_server: Any):
    # Given the orders list
    pages = make_dashboard_pages()
    page = signed_in_page(browser, live_server, "olga", viewport=DESKTOP)
    open_page(page, page_named(pages, "orders:list"))

    # When the keyboard's first Tab lands on the skip link, shown, and Enter follows it
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")

    # Then the focus is on the main content, and the next Tab goes into it
    expect(page.get_by_role("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    page.context.close()


@pytest.mark.parametrize(
    ("permissions", "lands_on"),
    [((), "Notifications"), (("view_customer",), "Customers")],
    ids=["no permission", "customers only"],
)
def test_the_403_page_leads_back_to_a_page_the_user_may_see(
    browser: Browser, live_server: Any, permissions: tuple[str, ...], lands_on: str
):
    # Given a user who may not see orders
    from django.contrib.auth.models import Permission

    user = UserFactory(username="pat")
    user.user_permissions.add(*Permission.objects.filter(codename__in=permissions))
    page = signed_in_page(browser, live_server, None, viewport=DESKTOP)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill("secret-pass-123")
    page.get_by_role("button", name="Sign in").click()

    # When they open the orders list, they are refused
    page.goto("/orders/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You don't have access to this page")

    # Then the way back leads to a page they may see, and so does the brand
    page.get_by_role("link", name="back to a page you can open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lands_on)
    page.get_by_role("link", name="Campaign hub").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lands_on)
    page.context.close()


def test_spend_chart_shows_its_values(browser: Browser, live_server: Any):
    # Given a customer with paid orders in three months
    pages = make_dashboard_pages()
    page = signed_in_page(browser, live_server, "olga", viewport=DESKTOP)
    open_page(page, page_named(pages, "customers:detail"))

    # Then each month with spending shows its amount above its bar
    chart = page.locator("#spend-chart")
    expect(chart.locator(".bar-value")).to_have_text(["$135", "$45", "$860"])

    # And screen readers get the months and exact amounts as a table
    table = page.get_by_role("table", name="Spend per month")
    expect(table.get_by_role("row")).to_have_count(13)
    expect(table).to_contain_text("$859.50")
    expect(table).to_contain_text("$135.00")
    page.context.close()
