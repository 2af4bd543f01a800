"""Every dashboard page, in one list, with the records that fill it.

The layout and accessibility tests visit each page ``make_dashboard_pages`` lists; a page added to
the dashboard's URLs is either listed here or named in ``NOT_PAGES`` (an action, a fragment
or a download), which ``test_every_dashboard_url_is_a_listed_page`` checks.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from customers.services import create_segment
from exports.models import Export, Notification
from metadata.models import MetadataProperty, MetadataSchema
from orders.models import OrderStatus
from orders.saved_views import save_view
from orders.services import ItemData
from tests.factories import CustomerFactory, ProductFactory, UserFactory, make_order

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's password
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}

# Named URLs outside these namespaces, and outside the unnamed ``accounts/`` include (Django's
# sign-out and password views), are the dashboard's.
NOT_DASHBOARD_NAMESPACES = ("admin", "api-v1")

# Dashboard URLs that are not pages a person reads: POST-only actions, htmx fragments and
# downloads. Anything else must be in ``make_dashboard_pages``.
NOT_PAGES = {
    "orders:catalogue-search",
    "orders:saved-view-rename",
    "orders:saved-view-update",
    "orders:saved-view-share",
    "orders:saved-view-delete",
    "orders:activity",
    "orders:change-status",
    "orders:edit-metadata",
    "customers:search",
    "customers:segment-delete",
    "exports:download",
    "settings:defined-only",
    "settings:property-delete",
    "notifications-bell",
    "notifications-read-all",
    "notification-read",
    "health",  # JSON for load balancers (core/health.py)
    "order-insights",  # the strip fragment inside the orders list and a segment page
}


@dataclass(frozen=True)
class DashboardPage:
    """A page to visit: its URL name, its address, and who looks at it (``None``: nobody
    signed in)."""

    name: str
    path: str
    user: str | None = "olga"
    # What the page shows once loaded, so a test waits for the page and not for a timer.
    heading: str | None = None


def dashboard_url_names() -> set[str]:
    """The names of every URL of the dashboard: all but the admin's, the API's and Django's
    account views."""
    names: set[str] = set()
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace and entry.namespace not in NOT_DASHBOARD_NAMESPACES:
                names.update(
                    f"{entry.namespace}:{pattern.name}"
                    for pattern in entry.url_patterns
                    if isinstance(pattern, URLPattern) and pattern.name
                )
        elif entry.name:
            names.add(entry.name)
    return names


def make_dashboard_pages() -> list[DashboardPage]:
    """Records that fill every page (long names, several rows, a chart with values), and the
    pages that show them, seen by a staff superuser who sees every button."""
    olga = UserFactory(username="olga", is_staff=True, is_superuser=True)
    UserFactory(username="otto")  # signed in, without any permission

    schema = MetadataSchema.objects.create(related_object="order")
    channel = MetadataProperty.objects.create(schema=schema, name="channel", type="string")
    MetadataProperty.objects.create(schema=schema, name="vip", type="boolean")

    grace = CustomerFactory(
        name="Grace Brewster Murray Hopper", email="grace.brewster.hopper@example.com"
    )
    referrer = CustomerFactory(name="Ada King, Countess of Lovelace")
    now = timezone.now()
    orders = [
        make_order(
            customer=grace,
            referrer=referrer,
            status=OrderStatus.PAID,
            metadata={"channel": "web", "vip": True},
            items=[
                ItemData(quantity=3, price=12_50, product=ProductFactory(name="Espresso beans")),
                ItemData(quantity=1, price=249_00, product=ProductFactory(name="Grinder")),
            ],
            source_id=f"shop-order-00012{index}",
        )
        for index in range(3)
    ]
    for months_ago in (1, 3):
        make_order(
            customer=grace,
            amount=4_500 * months_ago,
            status=OrderStatus.FULFILLED,
            created_at=now - timedelta(days=31 * months_ago),
        )
    order = orders[0]

    segment = create_segment(
        name="High spenders", conditions={"min_total_spent": 50_000}, owner=olga
    )
    export = Export.objects.create(
        user=olga,
        status=Export.Status.DONE,
        parameters={
            "fields": [
                "id",
                "source_id",
                "status",
                "customer_email",
                "amount",
                "total_amount",
                "metadata.channel",
                "created_at",
            ],
            "filters": {
                "status": ["PAID", "FULFILLED"],
                "amount_min": 10000,
                "meta": ["channel:eq:web"],
                "created_after": "2026-01-01",
            },
            "order": "-created_at",
        },
        rows_total=1234,
        rows_done=1234,
        started_at=now - timedelta(seconds=12),
        finished_at=now,
    )
    Notification.objects.create(
        user=olga,
        kind=Notification.Kind.EXPORT_STARTED,
        title=f"Export {export.pk} started: 1,234 orders",
        export=export,
    )
    save_view(owner=olga, name="Paid orders from the web shop", query="status=PAID")

    return [
        DashboardPage("login", reverse("login"), user=None, heading="Sign in"),
        DashboardPage("orders:list", reverse("orders:list"), heading="Orders"),
        DashboardPage("orders:detail", order.get_absolute_url(), heading=order.pk),
        DashboardPage(
            "orders:detail", f"{order.get_absolute_url()}?tab=metadata", heading=order.pk
        ),
        DashboardPage(
            "orders:detail", f"{order.get_absolute_url()}?tab=activity", heading=order.pk
        ),
        DashboardPage("orders:edit", reverse("orders:edit", args=[order.pk])),
        DashboardPage("orders:create", reverse("orders:create"), heading="Create order"),
        DashboardPage("orders:saved-views", reverse("orders:saved-views"), heading="Saved views"),
        DashboardPage("customers:list", reverse("customers:list"), heading="Customers"),
        DashboardPage("customers:detail", grace.get_absolute_url(), heading=grace.name),
        DashboardPage("customers:create", reverse("customers:create")),
        DashboardPage("customers:edit", reverse("customers:edit", args=[grace.pk])),
        DashboardPage("customers:segments", reverse("customers:segments"), heading="Segments"),
        DashboardPage("customers:segment-detail", segment.get_absolute_url(), heading=segment.name),
        DashboardPage("customers:segment-create", reverse("customers:segment-create")),
        DashboardPage(
            "customers:segment-edit", reverse("customers:segment-edit", args=[segment.pk])
        ),
        DashboardPage("exports:list", reverse("exports:list"), heading="Exports"),
        DashboardPage("exports:detail", export.get_absolute_url(), heading=export.pk),
        DashboardPage("exports:new", reverse("exports:new") + "?status=PAID"),
        DashboardPage("notifications", reverse("notifications"), heading="Notifications"),
        DashboardPage("preferences", reverse("preferences"), heading="Preferences"),
        DashboardPage(
            "settings:metadata-schemas",
            reverse("settings:metadata-schemas"),
            heading="Metadata schemas",
        ),
        DashboardPage("settings:property-add", reverse("settings:property-add", args=["order"])),
        DashboardPage(
            "settings:property-edit", reverse("settings:property-edit", args=[channel.pk])
        ),
        DashboardPage("403", reverse("orders:list"), user="otto"),
        DashboardPage("404", "/orders/ord_does_not_exist/"),
    ]


def signed_in_page(browser: Browser, live_server: Any, user: str | None, **options: Any) -> Page:
    """A new browser context, signed in as ``user`` (or not at all)."""
    context = browser.new_context(base_url=live_server.url, locale="en-US", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    if user:
        sign_in(page, user)
    return page


def sign_in(page: Page, username: str, next_url: str = "") -> None:
    """Sign ``username`` in through the sign-in page and wait until it has left it (for
    ``next_url``'s path, when given)."""
    page.goto(reverse("login") + (f"?next={quote(next_url)}" if next_url else ""))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if next_url:
        path = next_url.split("?")[0]
        expect(page).to_have_url(re.compile(re.escape(path) + r"(\?.*)?$"))
    else:
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    # The URL changes when the page starts arriving; its deferred scripts (htmx) run by
    # "load". A click before that follows the plain link (the export form's own page).
    page.wait_for_load_state("load")


# An element still to load its part (``hx-trigger="load"``, the bell's "load, every 3s"), or
# one htmx is requesting, swapping or settling.
LOADING = '[hx-trigger^="load"], .htmx-request, .htmx-swapping, .htmx-settling'


def open_page(page: Page, dashboard_page: DashboardPage) -> None:
    """Go to the page and wait until its heading and the parts htmx loads after it are in.

    Not "networkidle", which waits half a second past the last request on every page: the
    page is complete when no part is left to load and htmx has nothing in flight."""
    page.goto(dashboard_page.path)
    heading = page.get_by_role("heading", level=1)
    if dashboard_page.heading:
        expect(heading).to_contain_text(dashboard_page.heading)
    else:
        expect(heading).to_be_visible()
    # Deferred scripts (htmx) have run by "load"; from then on a part to load is marked.
    page.wait_for_load_state("load")
    expect(page.locator(LOADING)).to_have_count(0)


def users_of(pages: list[DashboardPage]) -> list[str | None]:
    """Each user once, in the order the pages need them."""
    return list(dict.fromkeys(dashboard_page.user for dashboard_page in pages))
