"""Customers list, profile, create/edit and segment pages, with the three-user pattern."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from customers.models import Customer, Segment
from metadata.models import MetadataProperty, MetadataSchema
from orders.models import OrderStatus
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db


def test_list_filters_sorts_and_searches(marketing_client: Client):
    # Given three customers with different summaries
    rich = CustomerFactory(name="Rich Roe", email="rich@example.com")
    make_order(customer=rich, amount=90000, status=OrderStatus.PAID)
    mid = CustomerFactory(name="Mid Moe")
    make_order(customer=mid, amount=20000, status=OrderStatus.PAID)
    CustomerFactory(name="Nil Noe")

    # When the list is filtered by spend and sorted by total spent
    html = marketing_client.get("/customers/?spent_min=100&sort=-orders_total_amount").content
    html = html.decode()

    # Then only spenders are shown, the biggest first, with the exact count
    assert "Nil Noe" not in html
    assert html.index("Rich Roe") < html.index("Mid Moe")
    assert "2 customers" in html
    assert "Rich Roe" in marketing_client.get("/customers/?q=rich@").content.decode()
    segment = Segment.objects.create(name="Big", conditions={"min_total_spent": 50000})
    html = marketing_client.get(f"/customers/?segment={segment.pk}").content.decode()
    assert "Rich Roe" in html and "Mid Moe" not in html


def test_profile_shows_summary_chart_orders_and_referrals(marketing_client: Client):
    ann, ben = CustomerFactory(name="Ann"), CustomerFactory(name="Ben")
    when = datetime(2026, 4, 10, tzinfo=UTC)
    order = make_order(customer=ann, amount=12345, status=OrderStatus.PAID, created_at=when)
    referred = make_order(customer=ben, referrer=ann, amount=100)

    html = marketing_client.get(f"/customers/{ann.pk}/").content.decode()

    assert "$123.45" in html  # total spent, average and last order
    assert 'class="bar"' in html and "Apr 2026: $123.45" in html
    assert order.pk in html and referred.pk in html


def test_create_and_edit_validate_source_id_email_and_metadata(marketing_client: Client):
    schema = MetadataSchema.objects.create(related_object="customer")
    MetadataProperty.objects.create(schema=schema, name="age", type="number", gte=18)
    CustomerFactory(source_id="taken")

    response = marketing_client.post(
        "/customers/create/",
        {"name": "Zed", "email": "nope", "source_id": "taken", "prop__age": "12"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Another customer already uses this source ID." in html
    assert "Enter a valid email address." in html
    assert "age: must be greater than or equal to 18 (actual value is &#x27;12&#x27;)" in html

    response = marketing_client.post(
        "/customers/create/", {"name": "Zed", "email": "zed@example.com", "prop__age": "30"}
    )
    zed = Customer.objects.get(name="Zed")
    assert response.status_code == 302 and zed.metadata == {"age": 30}

    response = marketing_client.post(
        f"/customers/{zed.pk}/edit/",
        {
            "name": "Zed Z",
            "email": "zed@example.com",
            "prop__age": "31",
            "other_metadata": '{"x": 1}',
        },
    )
    zed.refresh_from_db()
    assert response.status_code == 302 and zed.name == "Zed Z"
    assert zed.metadata == {"age": 31, "x": 1}


def test_segment_pages_and_the_link_to_members_orders(marketing_client: Client):
    rich = CustomerFactory(name="Rich Roe")
    paid = make_order(customer=rich, amount=60000, status=OrderStatus.PAID)
    poor = CustomerFactory(name="Poor Poe")
    other = make_order(customer=poor, amount=100, status=OrderStatus.PAID)

    response = marketing_client.post(
        "/customers/segments/create/", {"name": "High spenders", "min_total_spent": "500.00"}
    )
    segment = Segment.objects.get(name="High spenders")
    assert response.status_code == 302
    html = marketing_client.get(segment.get_absolute_url()).content.decode()
    assert "1 customer" in html and "Rich Roe" in html and "Poor Poe" not in html
    assert f"/orders/?segment={segment.pk}" in html
    orders = marketing_client.get(f"/orders/?segment={segment.pk}").content.decode()
    assert paid.pk in orders and other.pk not in orders

    marketing_client.post(f"/customers/segments/{segment.pk}/delete/")
    assert not Segment.objects.exists()


@pytest.mark.parametrize(
    "url",
    ["/customers/", "/customers/segments/", "/customers/segments/create/", "/customers/create/"],
)
def test_permissions(url, marketing_client, viewer_client, outsider_client):
    # Marketing may; the viewer may look at customers only; the outsider may not
    assert marketing_client.get(url).status_code == 200
    expected_viewer = 200 if url == "/customers/" else 403
    assert viewer_client.get(url).status_code == expected_viewer
    assert outsider_client.get(url).status_code == 403


def test_viewer_cannot_edit_customers_or_delete_segments(viewer_client: Client):
    customer = CustomerFactory()
    segment = Segment.objects.create(name="S", conditions={"min_orders": 1})
    assert viewer_client.post(f"/customers/{customer.pk}/edit/", {"name": "x"}).status_code == 403
    assert viewer_client.post(f"/customers/segments/{segment.pk}/delete/").status_code == 403
    assert Segment.objects.exists()


@pytest.mark.parametrize("sort", ["-orders_last_order_date", "orders_last_order_date", "name"])
def test_a_filtered_page_keeps_the_sort_and_puts_customers_without_orders_last(sort):
    # Given customers with and without a last order
    from customers.filters import CustomerFilter
    from customers.selectors import customer_page

    for index, name in enumerate(["Cy", "Al", "Bo"]):
        customer = CustomerFactory(name=name)
        make_order(
            customer=customer,
            amount=1000,
            status=OrderStatus.PAID,
            created_at=datetime(2026, 1, 1 + index, tzinfo=UTC),
        )
    CustomerFactory(name="Zero", email="zero@example.com")
    CustomerFactory(name="Aaron")

    # When a filtered list (few matches: sorted after filtering) is read
    query = {"orders_max": "5", "sort": sort}
    filterset = CustomerFilter(query, queryset=Customer.objects.all())
    page = customer_page(filterset.qs, number=1, per_page=20)

    # Then the order is the one asked for, customers without orders last by date
    names = [customer.name for customer in page.customers]
    expected = {
        "-orders_last_order_date": ["Bo", "Al", "Cy", "Aaron", "Zero"],
        "orders_last_order_date": ["Cy", "Al", "Bo", "Aaron", "Zero"],
        "name": ["Aaron", "Al", "Bo", "Cy", "Zero"],
    }[sort]
    if sort.endswith("date"):
        assert names[:3] == expected[:3] and set(names[3:]) == {"Aaron", "Zero"}
    else:
        assert names == expected
    assert page.count == 5


@pytest.mark.parametrize(
    ("field", "value", "limit"),
    [
        ("min_orders", "2147483648", "2147483647"),
        ("last_order_within_days", str(10**12), "36500"),
        ("last_order_more_than_days_ago", str(10**12), "36500"),
    ],
)
def test_a_segment_value_beyond_its_limit_is_a_field_error(
    marketing_client: Client, field, value, limit
):
    response = marketing_client.post(
        "/customers/segments/create/", {"name": "Too far", field: value}
    )
    assert response.status_code == 400
    assert limit in response.content.decode()
    assert not Segment.objects.exists()


@pytest.mark.parametrize(
    "conditions",
    [
        {"min_orders": 2147483648},
        {"last_order_within_days": 10**12},
        {"last_order_more_than_days_ago": 10**12},
    ],
)
def test_a_segment_stored_with_a_huge_value_still_shows(marketing_client: Client, conditions):
    # Saved before the limits existed (straight into the table, as old data would be).
    buyer = CustomerFactory(name="Bea Buyer")
    make_order(customer=buyer, amount=100, status=OrderStatus.PAID)
    segment = Segment.objects.create(name="Old", conditions=conditions)
    detail = marketing_client.get(segment.get_absolute_url())
    assert detail.status_code == 200
    assert marketing_client.get(f"/customers/segments/{segment.pk}/edit/").status_code == 200
    assert marketing_client.get("/customers/segments/").status_code == 200
    assert marketing_client.get(f"/customers/?segment={segment.pk}").status_code == 200
    assert marketing_client.get(f"/orders/?segment={segment.pk}").status_code == 200
    # "Within 10**12 days" is everyone with a last order; the other two match nobody.
    assert ("Bea Buyer" in detail.content.decode()) == ("last_order_within_days" in conditions)


def test_a_page_number_past_any_list_shows_page_one_with_a_message(marketing_client: Client):
    CustomerFactory(name="Only One")
    response = marketing_client.get("/customers/?page=1000000000000000000")
    html = response.content.decode()
    assert response.status_code == 200
    assert "past the last page" in html and "Only One" in html


def test_an_order_count_beyond_the_column_is_a_field_error_and_the_list_shows(
    marketing_client: Client,
):
    CustomerFactory(name="Still Listed")
    response = marketing_client.get("/customers/?orders_min=" + "9" * 40)
    html = response.content.decode()
    assert response.status_code == 200
    assert "2147483647" in html and "Still Listed" in html


def test_the_customer_form_types_metadata_and_keeps_json_behind_advanced(
    marketing_client: Client,
):
    # Given a customer schema with an allowed-values text and a required yes/no property
    schema = MetadataSchema.objects.create(related_object="customer")
    MetadataProperty.objects.create(schema=schema, name="tier", eq=["gold", "silver"])
    MetadataProperty.objects.create(schema=schema, name="vip", type="boolean", optional=False)
    zed = CustomerFactory(metadata={"tier": "gold", "vip": True})

    # Then the edit page offers a dropdown, a checkbox, and JSON only behind "Advanced"
    html = marketing_client.get(f"/customers/{zed.pk}/edit/").content.decode()
    assert (
        '<select name="prop__tier"' in html and '<option value="&quot;gold&quot;" selected>' in html
    )
    assert 'type="checkbox" name="prop__vip"' in html and "checked" in html
    assert '<details class="advanced" id="other-metadata">' in html

    # When it is saved with the other tier and the box unticked
    response = marketing_client.post(
        f"/customers/{zed.pk}/edit/", {"name": "Zed", "prop__tier": '"silver"'}
    )
    zed.refresh_from_db()
    assert response.status_code == 302
    assert zed.metadata == {"tier": "silver", "vip": False}


def test_the_filters_show_as_chips_and_a_range_the_wrong_way_round_says_so(
    marketing_client: Client,
):
    spender = CustomerFactory(name="Spender")
    make_order(customer=spender, amount=30000, status=OrderStatus.PAID)

    response = marketing_client.get(
        "/customers/?spent_min=200&spent_max=100&last_order_after=2026-01-01",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    html = response.content.decode()

    assert html.lstrip().startswith('<section id="results"')
    assert 'id="customer-filters"' not in html
    assert "Spent to ($100.00) is less than Spent from ($200.00)" in html
    assert '<div id="error-spent_max" class="field-error" hx-swap-oob="true" role="alert">' in html
    chips = re.findall(r'<li class="chip">([^<]*) <a href="([^"]*)"', html)
    assert [label for label, _ in chips] == ["Spent from $200.00", "Last order from 2026-01-01"]
    # removing one keeps the others
    assert chips[0][1] == "/customers/?last_order_after=2026-01-01&amp;spent_max=100"


def test_the_profile_names_metadata_types_as_people_read_them(marketing_client: Client):
    schema = MetadataSchema.objects.create(related_object="customer")
    MetadataProperty.objects.create(schema=schema, name="vip", type="boolean")
    ada = CustomerFactory(metadata={"vip": True, "legacy": "x"})

    html = marketing_client.get(f"/customers/{ada.pk}/").content.decode()
    section = html[html.index('id="customer-metadata"') :].split("</section>")[0]

    assert 'vip <span class="muted small">Yes / no</span>' in section
    assert 'legacy <span class="muted small">not in the schema</span>' in section
    assert "boolean" not in section and "unknown" not in section
