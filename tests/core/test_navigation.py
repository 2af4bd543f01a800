"""The navigation registry, the one breadcrumb rule, the way back from a refused page and the
spend chart's short amounts."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.test import Client

from core.navigation import Crumb, breadcrumbs, home_url_for, sidebar_for
from core.templatetags.charts import short_money
from tests.factories import UserFactory, make_order

pytestmark = pytest.mark.django_db


def test_a_section_page_ends_at_its_section():
    # When the orders list ("Orders", in the orders section) builds its breadcrumb
    crumbs = breadcrumbs(nav="orders", title="Orders", home_url="/orders/")

    # Then it is Campaign hub › Orders, the last step being the page itself (no link)
    assert crumbs == [Crumb("Campaign hub", "/orders/"), Crumb("Orders")]


def test_a_record_page_goes_through_its_section_group_and_trail():
    # When an export's page and an order's Edit page build theirs
    export = breadcrumbs(nav="exports", title="exp_1")
    edit = breadcrumbs(nav="orders", title="Edit ord_1", trail=[Crumb("ord_1", "/orders/ord_1/")])

    # Then each reads Campaign hub › [group ›] section › [trail ›] page
    assert export == [
        Crumb("Campaign hub", "/"),
        Crumb("Audit log"),
        Crumb("Exports", "/exports/"),
        Crumb("exp_1"),
    ]
    assert edit == [
        Crumb("Campaign hub", "/"),
        Crumb("Orders", "/orders/"),
        Crumb("ord_1", "/orders/ord_1/"),
        Crumb("Edit ord_1"),
    ]


def test_a_page_outside_any_section_is_under_campaign_hub():
    assert breadcrumbs(nav="", title="No access") == [
        Crumb("Campaign hub", "/"),
        Crumb("No access"),
    ]


def test_sidebar_and_home_follow_what_the_user_may_open(marketing_user, outsider):
    # Given a customers-only user
    customers_only = UserFactory(username="cora")
    customers_only.user_permissions.add(Permission.objects.get(codename="view_customer"))

    # Then each sees the sections they may open, and their way home is the first of them
    marketing = [(g.heading, [e.label for e in g.entries]) for g in sidebar_for(marketing_user)]
    assert marketing == [
        ("", ["Orders", "Customers", "Segments"]),
        ("Audit log", ["Exports"]),
        ("Project settings", ["Metadata schemas"]),
    ]
    assert home_url_for(marketing_user) == "/orders/"
    assert [e.label for g in sidebar_for(customers_only) for e in g.entries] == ["Customers"]
    assert home_url_for(customers_only) == "/customers/"
    # Someone signed in with no permission still has their Notifications Center
    assert sidebar_for(outsider) == []
    assert home_url_for(outsider) == "/notifications/"
    assert home_url_for(AnonymousUser()) == "/accounts/login/"


def test_the_403_page_links_to_a_page_the_user_may_open(outsider_client: Client):
    # When someone without access to orders opens the orders list
    response = outsider_client.get("/orders/")

    # Then the refusal links back to their Notifications Center, not to another refusal
    assert response.status_code == 403
    html = response.content.decode()
    assert '<a href="/notifications/">back to a page you can open</a>' in html
    assert '<a href="/">' not in html
    assert outsider_client.get("/notifications/").status_code == 200


def test_every_page_renders_the_breadcrumb_as_a_navigation_list(marketing_client: Client):
    # When an order's page is opened
    order = make_order()
    html = marketing_client.get(f"/orders/{order.pk}/").content.decode()

    # Then its breadcrumb is a labelled navigation holding an ordered list
    assert '<nav class="breadcrumb" aria-label="Breadcrumb">' in html
    assert f'<span aria-current="page">{order.pk}</span>' in html
    assert '<a href="/orders/">Orders</a>' in html


@pytest.mark.parametrize(
    ("minor_units", "label"),
    [
        (0, "$0"),
        (4_500, "$45"),
        (85_950, "$860"),
        (85_850, "$859"),
        (128_650, "$1.3k"),
        (200_000_00, "$200k"),
        (3_450_000_00, "$3.5M"),
    ],
)
def test_short_money_labels_a_bar_in_whole_units(minor_units: int, label: str):
    assert short_money(minor_units) == label
