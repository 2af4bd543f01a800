"""Times in the signed-in user's zone, the zone named, on every page and in the admin."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.models import UserPreference
from core.times import local_time
from customers.models import Customer
from exports.models import Export
from orders.models import Order, OrderEvent
from tests.factories import CustomerFactory, make_order

WINTER = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)


def test_a_moment_reads_in_the_active_zone_with_the_zone_named():
    with timezone.override(ZoneInfo("Europe/Warsaw")):
        assert local_time(WINTER) == "2026-11-23 15:05 CET"
        assert local_time(SUMMER) == "2026-07-01 11:30 CEST"
    with timezone.override(ZoneInfo("UTC")):
        assert local_time(WINTER) == "2026-11-23 14:05 UTC"


def test_a_zone_without_a_lettered_abbreviation_is_named_in_full():
    with timezone.override(ZoneInfo("America/Sao_Paulo")):
        assert local_time(WINTER) == "2026-11-23 11:05 America/Sao_Paulo"


def test_no_moment_reads_as_a_dash():
    assert local_time(None) == "—"


@pytest.fixture
def dated_order(marketing_user) -> Order:
    """An order (with a customer) and an export of the marketing user's, all made, updated
    and logged at 14:05 UTC on 23 Nov."""
    export = Export.objects.create(user=marketing_user)
    Export.objects.filter(pk=export.pk).update(created_at=WINTER)
    customer = CustomerFactory(name="Ada Lovelace")
    order = make_order(items=0, amount=4200, customer=customer)
    Order.objects.filter(pk=order.pk).update(created_at=WINTER, updated_at=WINTER)
    OrderEvent.objects.filter(order=order).update(created_at=WINTER)
    Customer.objects.filter(pk=customer.pk).update(created_at=WINTER, orders_last_order_date=WINTER)
    order.refresh_from_db()
    return order


def pages(order: Order) -> dict[str, str]:
    return {
        "order list": "/orders/",
        "order detail": f"/orders/{order.pk}/",
        "activity": f"/orders/{order.pk}/activity/",
        "customer list": "/customers/",
        "customer detail": f"/customers/{order.customer_id}/",
        "exports list": "/exports/",
    }


@pytest.mark.django_db
def test_a_user_with_a_zone_sees_every_page_in_it(marketing_user, marketing_client, dated_order):
    # Given a user who chose Europe/Warsaw
    UserPreference.objects.create(user=marketing_user, time_zone="Europe/Warsaw")

    # When they open each page, then it shows Warsaw time, the zone named
    for name, url in pages(dated_order).items():
        page = marketing_client.get(url).content.decode()
        assert "2026-11-23 15:05 CET" in page, name
        assert "14:05 UTC" not in page, name


@pytest.mark.django_db
def test_a_user_without_a_zone_sees_the_time_zone_setting(settings, marketing_client, dated_order):
    settings.TIME_ZONE = "Asia/Tokyo"
    for name, url in pages(dated_order).items():
        page = marketing_client.get(url).content.decode()
        assert "2026-11-23 23:05 JST" in page, name


@pytest.mark.django_db
def test_the_admin_shows_the_users_zone_named(operator, operator_client, dated_order):
    # Given an operator who chose Europe/Warsaw
    UserPreference.objects.create(user=operator, time_zone="Europe/Warsaw")

    # When they open the orders list and the order's page in the admin
    listing = operator_client.get("/admin/orders/order/").content.decode()
    change = operator_client.get(
        f"/admin/orders/order/{dated_order.pk.replace('_', '_5F')}/change/"
    ).content.decode()

    # Then both show Warsaw time with the zone named
    assert "2026-11-23 15:05 CET" in listing
    assert "2026-11-23 15:05 CET" in change


@pytest.mark.django_db
def test_the_zone_is_only_active_for_its_own_request(marketing_user, marketing_client):
    UserPreference.objects.create(user=marketing_user, time_zone="Europe/Warsaw")
    marketing_client.get("/orders/")
    assert timezone.get_current_timezone_name() == "UTC"


@pytest.mark.django_db
def test_a_user_chooses_their_zone_on_the_preferences_page(marketing_user, marketing_client):
    page = marketing_client.get("/preferences/")
    assert page.status_code == 200
    assert 'href="/preferences/"' in page.content.decode()  # the user menu's link

    response = marketing_client.post("/preferences/", {"time_zone": "Europe/Warsaw"})

    assert response.status_code == 302
    assert UserPreference.objects.get(user=marketing_user).time_zone == "Europe/Warsaw"
    page = marketing_client.get(response["Location"]).content.decode()
    assert "Times are now shown in Europe/Warsaw." in page
    assert '<strong id="current-zone">Europe/Warsaw</strong>' in page


@pytest.mark.django_db
def test_an_unknown_zone_is_refused_and_nothing_is_saved(marketing_user, marketing_client):
    response = marketing_client.post("/preferences/", {"time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not UserPreference.objects.filter(user=marketing_user).exists()


@pytest.mark.django_db
def test_back_to_the_default_zone(settings, marketing_user, marketing_client):
    settings.TIME_ZONE = "Asia/Tokyo"
    UserPreference.objects.create(user=marketing_user, time_zone="Europe/Warsaw")
    marketing_client.post("/preferences/", {"time_zone": ""})
    assert UserPreference.objects.get(user=marketing_user).time_zone == ""
    page = marketing_client.get("/preferences/").content.decode()
    assert '<strong id="current-zone">Asia/Tokyo</strong>' in page


def test_the_preferences_page_needs_a_signed_in_user(client):
    response = client.get("/preferences/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_an_operator_sets_a_users_zone_on_their_admin_page(operator_client, marketing_user):
    url = f"/admin/auth/user/{marketing_user.pk}/change/"
    page = operator_client.get(url).content.decode()
    assert 'name="preference-0-time_zone"' in page

    # An unknown zone is refused on the field
    data = {
        "username": marketing_user.username,
        "email": marketing_user.email,
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "groups": list(marketing_user.groups.values_list("pk", flat=True)),
        "preference-TOTAL_FORMS": "1",
        "preference-INITIAL_FORMS": "0",
        "preference-MIN_NUM_FORMS": "0",
        "preference-MAX_NUM_FORMS": "1",
        "preference-0-time_zone": "Mars/Olympus",
    }
    refused = operator_client.post(url, data)
    assert refused.status_code == 200
    assert "Mars/Olympus is not a time zone name" in refused.content.decode()
    assert not UserPreference.objects.exists()

    saved = operator_client.post(url, data | {"preference-0-time_zone": "Europe/Warsaw"})
    assert saved.status_code == 302
    assert UserPreference.objects.get(user=marketing_user).time_zone == "Europe/Warsaw"


@pytest.mark.parametrize("value", ["", "Europe/Warsaw", "America/Argentina/Buenos_Aires", None])
def test_the_zone_select_writes_what_djangos_select_writes(value):
    """The preferences page's select is written in Python, not through the widget templates."""
    from django import forms
    from django.test.html import parse_html

    from core.preferences import PreferencesForm, ZoneSelect

    field = PreferencesForm().fields["time_zone"]
    assert isinstance(field.widget, ZoneSelect)
    choices = [*field.choices, ("x<\"&'", 'A <b>"zone"</b> & more')]
    attrs = {"id": "id_time_zone", "aria-describedby": "id_time_zone_help"}
    ours = ZoneSelect(choices=choices).render("time_zone", value, attrs)
    djangos = forms.Select(choices=choices).render("time_zone", value, attrs)
    assert parse_html(ours) == parse_html(djangos)
    assert ours.count(" selected") == 1  # None reads as the site default, as Django's does
