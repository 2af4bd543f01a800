"""People and access: who may open which dashboard page."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from core.roles import MARKETING_GROUP, MARKETING_PERMISSIONS
from exports.models import Export
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Objects:
    """Real ids to put into the detail pages' URLs."""

    order: str
    customer: str
    export: str


# Every dashboard page, with {order}, {customer} and {export} standing for real ids.
DASHBOARD_URLS = [
    "/orders/",
    "/orders/create/",
    "/orders/{order}/",
    "/customers/",
    "/customers/{customer}/",
    "/exports/",
    "/exports/{export}/",
    "/notifications/",
    "/settings/metadata-schemas/",
]
# Pages that need a permission (the Notifications Center only needs a signed-in user).
PROTECTED_URLS = [url for url in DASHBOARD_URLS if url != "/notifications/"]
VIEWER_ALLOWED = [
    "/orders/",
    "/orders/{order}/",
    "/customers/",
    "/customers/{customer}/",
    "/notifications/",
]
VIEWER_FORBIDDEN = ["/orders/create/", "/exports/", "/exports/{export}/"]


@pytest.fixture
def objects(marketing_user) -> Objects:
    """An order with a customer, and an export that belongs to the Marketing user."""
    customer = CustomerFactory(name="Ada Lovelace")
    order = make_order(customer=customer)
    export = Export.objects.create(user=marketing_user)
    return Objects(order=order.id, customer=customer.id, export=export.id)


def url_for(template: str, objects: Objects) -> str:
    return template.format(order=objects.order, customer=objects.customer, export=objects.export)


@pytest.mark.parametrize("template", DASHBOARD_URLS)
def test_anonymous_user_is_sent_to_the_login_page_from_every_dashboard_url(
    client: Client, objects: Objects, template: str
) -> None:
    # Given an anonymous visitor
    url = url_for(template, objects)

    # When they open a dashboard page
    response = client.get(url)

    # Then they land on the login page, which brings them back afterwards
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("template", PROTECTED_URLS)
def test_signed_in_user_outside_marketing_gets_403(
    outsider_client: Client, objects: Objects, template: str
) -> None:
    # Given a signed-in user in no group
    # When they open a page that needs a permission
    response = outsider_client.get(url_for(template, objects))

    # Then they are refused with the friendly 403 page, not sent to log in again
    assert response.status_code == 403
    assert b"You don't have access to this page" in response.content


def test_outsider_still_has_a_notifications_center(outsider_client: Client) -> None:
    # Given a signed-in user in no group
    # When they open their notifications
    response = outsider_client.get("/notifications/")

    # Then the page opens, but offers no section they may not enter
    assert response.status_code == 200
    assert b'href="/orders/"' not in response.content


@pytest.mark.parametrize("template", DASHBOARD_URLS)
def test_marketing_user_opens_every_dashboard_page(
    marketing_client: Client, objects: Objects, template: str
) -> None:
    # Given a member of Marketing
    # When they open any dashboard page
    response = marketing_client.get(url_for(template, objects))

    # Then it opens
    assert response.status_code == 200


@pytest.mark.parametrize("template", VIEWER_ALLOWED)
def test_view_only_user_opens_the_pages_to_look_at(
    viewer_client: Client, objects: Objects, template: str
) -> None:
    # Given a user who may only view orders and customers
    # When they open a page that only shows
    response = viewer_client.get(url_for(template, objects))

    # Then it opens
    assert response.status_code == 200


@pytest.mark.parametrize("template", VIEWER_FORBIDDEN)
def test_view_only_user_cannot_create_or_export(
    viewer_client: Client, objects: Objects, template: str
) -> None:
    # Given a user who may only view orders and customers
    # When they open Create order or the exports
    response = viewer_client.get(url_for(template, objects))

    # Then they are refused
    assert response.status_code == 403


def test_marketing_user_sees_create_order_and_export_buttons(marketing_client: Client) -> None:
    # Given a member of Marketing
    # When they open the orders list
    html = marketing_client.get("/orders/").content.decode()

    # Then both actions are offered
    assert 'href="/orders/create/">Create order</a>' in html
    assert ">Export</a>" in html


def test_view_only_user_sees_neither_create_nor_export(viewer_client: Client) -> None:
    # Given a user who may only look
    # When they open the orders list
    html = viewer_client.get("/orders/").content.decode()

    # Then no action they could not complete is offered
    assert "Create order" not in html
    assert ">Export</a>" not in html


def test_navigation_shows_only_sections_the_user_may_open(
    marketing_client: Client, viewer_client: Client
) -> None:
    # Given a Marketing member and a view-only user
    # When each opens the orders list
    marketing_html = marketing_client.get("/orders/").content.decode()
    viewer_html = viewer_client.get("/orders/").content.decode()

    # Then Marketing sees every section and the viewer only orders and customers
    for link in ('href="/exports/"', 'href="/settings/metadata-schemas/"'):
        assert link in marketing_html
        assert link not in viewer_html
    assert 'href="/customers/"' in viewer_html


def test_root_redirects_to_orders(marketing_client: Client) -> None:
    # Given a signed-in user
    # When they open the site's root
    response = marketing_client.get("/")

    # Then they are sent to the orders list
    assert response.status_code == 302
    assert response["Location"] == "/orders/"


def test_marketing_group_has_exactly_the_roles_permissions() -> None:
    # Given the migrated database
    # When we read the Marketing group's permissions
    group = Group.objects.get(name=MARKETING_GROUP)
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))

    # Then they are exactly those core.roles lists
    assert granted == set(MARKETING_PERMISSIONS)


@pytest.mark.parametrize(
    "url",
    [
        "/orders/ord_000000000000000000000000/",
        "/customers/cust_000000000000000000000000/",
        "/exports/exp_000000000000000000000000/",
    ],
)
def test_unknown_id_is_404(marketing_client: Client, url: str) -> None:
    # Given a Marketing member
    # When they open an id that does not exist
    response = marketing_client.get(url)

    # Then they get the friendly 404 page inside the dashboard
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Campaign hub" in response.content


def test_someone_elses_export_is_404(viewer_user, marketing_client: Client) -> None:
    # Given an export that belongs to another user
    export = Export.objects.create(user=viewer_user)

    # When a Marketing member (who may not see everyone's exports) opens it
    response = marketing_client.get(f"/exports/{export.id}/")

    # Then it does not exist for them
    assert response.status_code == 404


def test_admin_is_for_operators_only(operator_client: Client, marketing_client: Client) -> None:
    # Given an operator (staff) and a Marketing member (not staff)
    # When each opens the admin
    operator_response = operator_client.get("/admin/")
    marketing_response = marketing_client.get("/admin/")

    # Then only the operator gets in; the others are asked to log in as staff
    assert operator_response.status_code == 200
    assert marketing_response.status_code == 302
    assert marketing_response["Location"].startswith("/admin/login/")


def test_open_admin_link_is_shown_to_staff_only(
    operator_client: Client, marketing_client: Client
) -> None:
    # Given an operator and a Marketing member
    # When each opens the orders list
    # Then only the operator's user menu offers the admin
    assert b"Open admin" in operator_client.get("/orders/").content
    assert b"Open admin" not in marketing_client.get("/orders/").content


def test_login_page_keeps_next_and_signs_in(marketing_user, client: Client) -> None:
    # Given the login page reached from a protected page
    page = client.get("/accounts/login/?next=/customers/")
    assert b'name="next" value="/customers/"' in page.content

    # When the user signs in with the right password
    response = client.post(
        "/accounts/login/",
        {"username": "marketer", "password": "secret-pass-123", "next": "/customers/"},
    )

    # Then they are taken back to the page they wanted
    assert response.status_code == 302
    assert response["Location"] == "/customers/"


def test_login_with_a_wrong_password_shows_an_error(marketing_user, client: Client) -> None:
    # Given a user
    # When they sign in with a wrong password
    response = client.post("/accounts/login/", {"username": "marketer", "password": "nope"})

    # Then the form says so and they stay signed out
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_returns_to_the_login_page(marketing_client: Client) -> None:
    # Given a signed-in user
    # When they log out from the user menu
    response = marketing_client.post("/accounts/logout/")

    # Then they are on the login page and the dashboard needs a login again
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert marketing_client.get("/orders/").status_code == 302
