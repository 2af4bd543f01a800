"""The dashboard shell and what its pages show."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.templatetags.dashboard import local_time, money, plain_number
from exports.models import Export, Notification
from metadata.models import MetadataProperty, MetadataSchema
from orders.actors import Actor
from orders.models import OrderStatus
from orders.services import ItemData, create_order
from tests.factories import CustomerFactory, ProductFactory, UserFactory, make_order

pytestmark = pytest.mark.django_db

NOV_23 = datetime(2026, 11, 23, 14, 5, 42, tzinfo=UTC)


def unread_badge(html: str) -> str | None:
    """The number on the notifications bell, or None when the bell shows no badge."""
    match = re.search(r'<span class="bell-count" data-unread="(\d+)">', html)
    return match.group(1) if match else None


def test_orders_page_lists_an_order_with_the_orders_view_columns(
    marketing_client: Client,
) -> None:
    # Given a paid order of 2 items worth $77.00, with $7.00 off, for a known customer
    customer = CustomerFactory(name="Grace Hopper")
    # (make_order's ``items`` is a count, so the cart goes through the service directly)
    order = create_order(
        actor=Actor.system("tests"),
        items=[
            ItemData(quantity=1, price=5700, product=ProductFactory()),
            ItemData(quantity=2, price=1000, product=ProductFactory()),
        ],
        discount_amount=700,
        customer=customer,
        status=OrderStatus.PAID,
        created_at=NOV_23,
    )

    # When a Marketing member opens the orders list
    html = marketing_client.get("/orders/").content.decode()

    # Then the row shows status, id, customer, items, both amounts and the UTC time
    assert '<span class="badge badge-paid">Paid</span>' in html
    assert f'href="/orders/{order.id}/"' in html
    assert f'<a href="/customers/{customer.id}/">Grace Hopper</a>' in html
    row = html[html.index(f'href="/orders/{order.id}/"') :].split("</tr>")[0]
    assert '<td class="num" data-label="Items">3</td>' in row
    assert '<td class="num" data-label="Amount">$77.00</td>' in row
    assert '<td class="num" data-label="Discounted amount">$70.00</td>' in row
    assert "2026-11-23 14:05 UTC" in row


def test_orders_page_shows_a_dash_for_orders_without_customer(marketing_client: Client) -> None:
    # Given an order nobody is linked to
    make_order(items=0, amount=1234)

    # When the list is opened
    html = marketing_client.get("/orders/").content.decode()

    # Then the customer cell shows a dash and the amount is formatted
    assert '<span class="muted">—</span>' in html
    assert "$12.34" in html


def test_orders_page_shows_the_50_newest_orders_newest_first(marketing_client: Client) -> None:
    # Given 51 orders created a minute apart
    orders = [make_order(items=0, created_at=NOV_23.replace(minute=minute)) for minute in range(51)]

    # When the list is opened
    html = marketing_client.get("/orders/").content.decode()

    # Then the oldest is left out and the newest comes first
    assert orders[0].id not in html
    assert html.index(orders[50].id) < html.index(orders[49].id)


def test_every_status_has_its_own_badge(marketing_client: Client) -> None:
    # Given one order in each status
    for status in OrderStatus:
        make_order(items=0, status=status)

    # When the list is opened
    html = marketing_client.get("/orders/").content.decode()

    # Then each status shows its own coloured badge
    for css, label in [
        ("created", "Created"),
        ("paid", "Paid"),
        ("canceled", "Canceled"),
        ("fulfilled", "Fulfilled"),
    ]:
        assert f'<span class="badge badge-{css}">{label}</span>' in html


def test_navigation_highlights_the_current_section(marketing_client: Client) -> None:
    # Given a Marketing member
    # When they open the customers list
    html = marketing_client.get("/customers/").content.decode()

    # Then Customers, and only Customers, is marked as the current page in the navigation
    sidebar = html[html.index('<nav class="nav"') : html.index("</nav>")]
    assert '<a href="/customers/" aria-current="page">Customers</a>' in sidebar
    assert sidebar.count('aria-current="page"') == 1


def test_bell_counts_only_the_users_own_unread_notifications(
    marketing_user, marketing_client: Client
) -> None:
    # Given 3 unread and 1 read notification for the user, and 5 unread for someone else
    someone_else = UserFactory()
    for number in range(3):
        Notification.objects.create(user=marketing_user, title=f"Export {number} ready")
    Notification.objects.create(user=marketing_user, title="Old", read_at=NOV_23)
    for number in range(5):
        Notification.objects.create(user=someone_else, title=f"Not yours {number}")

    # When the user opens any page, whose bell asks for its count as soon as it has loaded
    page = marketing_client.get("/orders/").content.decode()
    assert 'hx-get="/notifications/bell/" hx-trigger="load, every 3s"' in page
    html = marketing_client.get("/notifications/bell/").content.decode()

    # Then the bell shows 3
    assert unread_badge(html) == "3"
    assert 'aria-label="Notifications, 3 unread"' in html


def test_bell_has_no_badge_without_unread_notifications(
    marketing_user, marketing_client: Client
) -> None:
    # Given only a notification that was read
    Notification.objects.create(user=marketing_user, title="Old", read_at=NOV_23)

    # When the user opens a page and its bell fetches its count
    page = marketing_client.get("/orders/").content.decode()
    html = marketing_client.get("/notifications/bell/").content.decode()

    # Then the bell links to the Notifications Center and shows no count
    assert 'href="/notifications/"' in page
    assert 'href="/notifications/"' in html
    assert unread_badge(html) is None


def test_pages_render_the_bell_without_counting_notifications(
    marketing_user, marketing_client: Client
) -> None:
    # Given unread notifications
    Notification.objects.create(user=marketing_user, title="Export ready")

    # When the user opens the orders list
    with CaptureQueriesContext(connection) as queries:
        html = marketing_client.get("/orders/").content.decode()

    # Then its bell carries no count yet and no query counted notifications: the bell
    # fetches its count right after the page has loaded
    assert unread_badge(html) is None
    assert not [q["sql"] for q in queries.captured_queries if "exports_notification" in q["sql"]]


def test_notifications_center_lists_the_users_notifications_newest_first(
    marketing_user, marketing_client: Client
) -> None:
    # Given two notifications for the user and one for someone else
    Notification.objects.create(user=marketing_user, title="First export ready")
    Notification.objects.create(user=marketing_user, title="Second export ready")
    Notification.objects.create(user=UserFactory(), title="Someone else's export")

    # When the user opens the Notifications Center
    html = marketing_client.get("/notifications/").content.decode()

    # Then they see their own, newest first, and nobody else's
    assert html.index("Second export ready") < html.index("First export ready")
    assert "Someone else" not in html


def test_customer_profile_shows_contact_and_purchase_summary(marketing_client: Client) -> None:
    # Given a customer with a paid order of $77.00 and a canceled one
    customer = CustomerFactory(name="Ada Lovelace", email="ada@example.com")
    paid = make_order(items=0, amount=7700, customer=customer, status=OrderStatus.PAID)
    make_order(items=0, amount=999, customer=customer, status=OrderStatus.CANCELED)

    # When the profile is opened
    html = marketing_client.get(f"/customers/{customer.id}/").content.decode()

    # Then it shows who they are, what they spent (paid only) and their orders
    assert "Ada Lovelace" in html
    assert "ada@example.com" in html
    assert "$77.00" in html
    assert f'href="/orders/{paid.id}/"' in html


def test_order_page_shows_its_header_and_amounts(marketing_client: Client) -> None:
    # Given an order with a source id, a customer and a referrer
    customer = CustomerFactory(name="Ada Lovelace")
    referrer = CustomerFactory(name="Charles Babbage")
    order = make_order(
        items=0, amount=7700, source_id="shop-1001", customer=customer, referrer=referrer
    )

    # When it is opened
    html = marketing_client.get(f"/orders/{order.id}/").content.decode()

    # Then its header says what it is
    for text in (order.id, "shop-1001", "Ada Lovelace", "Charles Babbage", "$77.00", "Created"):
        assert text in html


def test_exports_page_lists_the_users_exports(marketing_user, marketing_client: Client) -> None:
    # Given a finished export of the user's
    export = Export.objects.create(user=marketing_user, status=Export.Status.DONE, rows_done=7)

    # When Audit log › Exports is opened
    html = marketing_client.get("/exports/").content.decode()

    # Then the export is listed with its state
    assert f'href="/exports/{export.id}/"' in html
    assert '<span class="badge badge-done">Done</span>' in html


def test_metadata_schemas_page_lists_schemas_and_properties(marketing_client: Client) -> None:
    # Given an order schema with a constrained property and a deleted one
    schema = MetadataSchema.objects.create(related_object=MetadataSchema.RelatedObject.ORDER)
    MetadataProperty.objects.create(
        schema=schema, name="payment_method", eq=["card", "cash"], optional=False
    )
    MetadataProperty.objects.create(
        schema=schema, name="score", type=MetadataProperty.Type.NUMBER, gte=Decimal("10")
    )

    # When Project settings › Metadata schemas is opened
    html = marketing_client.get("/settings/metadata-schemas/").content.decode()

    # Then the schema and its properties are described
    assert "payment_method" in html
    assert "one of card, cash" in html
    assert "at least 10;" in html


def test_static_files_referenced_by_base_exist(marketing_client: Client) -> None:
    # Given a page rendered with base.html
    html = marketing_client.get("/orders/").content.decode()

    # When we collect the app's own assets it references
    assets = re.findall(r'(?:href|src)="/static/([^"]+)"', html)

    # Then the stylesheet and htmx are among them, every one exists, and nothing comes
    # from another site
    assert "css/app.css" in assets
    assert "js/htmx.min.js" in assets
    for asset in assets:
        assert finders.find(asset), f"missing static file {asset}"
    assert not re.search(r'(?:href|src)="(?:https?:)?//', html)


def test_money_and_time_filters() -> None:
    assert money(7700) == "$77.00"
    assert money(123456789) == "$1,234,567.89"
    assert money(None) == "—"
    assert local_time(NOV_23) == "2026-11-23 14:05 UTC"  # TIME_ZONE is UTC in the tests
    assert local_time(None) == "—"
    assert plain_number(Decimal("10.5000000000")) == "10.5"
    assert plain_number(Decimal("10.0000000000")) == "10"


def test_favicon_ico_is_the_dashboards_icon_for_anyone(client):
    # Browsers ask for it on pages that name no icon (/health/'s JSON): not a 404 in the log
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response["Location"])
    assert icon.status_code == 200 and b"<svg" in b"".join(icon.streaming_content)
