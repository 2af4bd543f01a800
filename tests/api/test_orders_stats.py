"""``GET /v1/orders/stats``: the figures of the orders ``GET /v1/orders``' filters select,
checked against plain aggregates over those orders, and its entry in ``/v1/openapi.json``
(the endpoint is Campaign Hub's own: the reference documents have no schema for it, so its
answers are checked against our document instead)."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db.models import Count, Q, Sum
from openapi_schema_validator import OAS31Validator

from core.models import ApiKey
from metadata.models import MetadataProperty, MetadataSchema
from orders.models import Order
from tests.api.contract import assert_error
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db

STATS = "/v1/orders/stats"
AFTER = "filters[created_at][conditions][$after]"
BEFORE = "filters[created_at][conditions][$before]"
MARCH = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _document(client: Any) -> dict[str, Any]:
    return client.get("/v1/openapi.json").json()


def stats(api_client: Any, **params: Any) -> dict[str, Any]:
    """The endpoint's answer, checked against its schema in /v1/openapi.json."""
    response = api_client.get(STATS, params)
    assert response.status_code == 200, response.content
    body = response.json()
    document = _document(api_client)
    schema = document["paths"][STATS]["get"]["responses"]["200"]["content"]["application/json"]
    validator = OAS31Validator({**schema["schema"], "components": document["components"]})
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(body)]
    assert not errors, errors
    return body


def plain(orders: Any) -> dict[str, Any]:
    """The figures computed the plain way: one aggregate over the orders."""
    sums = orders.aggregate(
        orders=Count("pk"),
        amount=Sum("amount", default=0),
        total_amount=Sum("total_amount", default=0),
        total_discount_amount=Sum("total_discount_amount", default=0),
        canceled=Count("pk", filter=Q(status="CANCELED")),
    )
    count = sums["orders"]
    # rounded half up
    sums["average_order_value"] = (
        (sums["total_amount"] * 2 + count) // (count * 2) if count else None
    )
    sums["canceled_share"] = sums["canceled"] / count if count else None
    return sums


FIGURES = (
    "orders", "amount", "total_amount", "total_discount_amount", "average_order_value",
    "canceled", "canceled_share",
)  # fmt: skip


def figures(body: dict[str, Any]) -> dict[str, Any]:
    return {name: body[name] for name in FIGURES}


@pytest.fixture
def shop():
    """Three weeks of orders (1–21 March 2026): statuses, channels, discounts, customers."""
    ann, bob = CustomerFactory(), CustomerFactory()
    statuses = ["PAID", "CANCELED", "CREATED", "FULFILLED", "PAID"]
    orders = [
        make_order(
            amount=1000 + 137 * day,
            discount_amount=(day % 3) * 50,
            status=statuses[day % 5],
            created_at=MARCH + timedelta(days=day, hours=day % 7),
            metadata={"channel": "web"} if day % 2 else {"channel": "app"} if day % 3 else {},
            customer=ann if day % 4 == 0 else bob if day % 4 == 1 else None,
            source_id=f"shop-{day}",
        )
        for day in range(21)
    ]
    return {"orders": orders, "ann": ann, "bob": bob}


CASES = {
    "no filter": ({}, Q()),
    "status": (
        {
            "filters[status][conditions][$in][0]": "PAID",
            "filters[status][conditions][$in][1]": "CANCELED",
        },
        Q(status__in=["PAID", "CANCELED"]),
    ),
    "created range (days)": (
        {AFTER: "2026-03-05", BEFORE: "2026-03-11"},
        Q(
            created_at__gte=datetime(2026, 3, 5, tzinfo=UTC),
            created_at__lt=datetime(2026, 3, 12, tzinfo=UTC),
        ),
    ),
    "created range (moments)": (
        {AFTER: "2026-03-05T15:00:00Z", BEFORE: "2026-03-11T13:00:00Z"},
        Q(
            created_at__gte=datetime(2026, 3, 5, 15, tzinfo=UTC),
            created_at__lte=datetime(2026, 3, 11, 13, tzinfo=UTC),
        ),
    ),
    "metadata": ({"filters[metadata.channel][conditions][$is]": "web"}, Q(metadata__channel="web")),
    "amount": ({"filters[amount][conditions][$more_than]": "2500"}, Q(amount__gt=2500)),
    "status and metadata": (
        {
            "filters[status][conditions][$in][0]": "PAID",
            "filters[metadata.channel][conditions][$is_unknown]": "",
        },
        Q(status="PAID") & ~Q(metadata__has_key="channel"),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_figures_agree_with_a_plain_aggregate_and_with_the_list(api_client, shop, case):
    params, selected = CASES[case]
    orders = Order.objects.filter(selected)
    assert orders.exists()

    body = stats(api_client, **params)

    assert figures(body) == plain(orders)
    assert body["object"] == "orders_stats" and body["currency"] == "USD"
    assert body["orders"] == api_client.get("/v1/orders", params).json()["total"]
    # The series adds up to the same figures, status by status
    for status in ("CREATED", "PAID", "CANCELED", "FULFILLED"):
        in_series = sum(bucket["statuses"][status]["total_amount"] for bucket in body["series"])
        assert in_series == plain(orders.filter(status=status))["total_amount"]
    assert sum(bucket["orders"] for bucket in body["series"]) == body["orders"]


def test_a_customers_orders(api_client, shop):
    ann = shop["ann"]
    body = stats(api_client, **{"filters[customer_id][conditions][$is]": ann.pk})
    assert figures(body) == plain(Order.objects.filter(customer=ann))
    assert body["orders"] == 6  # days 0, 4, 8, 12, 16, 20


def test_the_series_is_one_bucket_per_day_of_the_range_with_the_statuses_apart(api_client, shop):
    body = stats(api_client, **{AFTER: "2026-03-01", BEFORE: "2026-03-31"})

    assert body["granularity"] == "day"
    days = [bucket["from"] for bucket in body["series"]]
    assert days == [(date(2026, 3, 1) + timedelta(days=n)).isoformat() for n in range(31)]
    assert all(bucket["from"] == bucket["to"] for bucket in body["series"])
    third = body["series"][2]  # 3 March: day 2, CREATED
    order = shop["orders"][2]
    assert third["orders"] == 1 and third["statuses"]["CREATED"] == {
        "orders": 1,
        "amount": order.amount,
        "total_amount": order.total_amount,
        "total_discount_amount": order.total_discount_amount,
    }
    assert third["statuses"]["PAID"]["orders"] == 0
    assert body["series"][-1]["orders"] == 0  # empty days are there too


def test_a_long_range_is_drawn_per_week_and_per_month(api_client, shop):
    weekly = stats(api_client, **{AFTER: "2026-01-01", BEFORE: "2026-06-30"})
    assert weekly["granularity"] == "week"
    assert weekly["series"][0] == {**weekly["series"][0], "from": "2026-01-01", "to": "2026-01-04"}
    assert weekly["series"][1]["from"] == "2026-01-05"  # a Monday
    march = [b for b in weekly["series"] if b["from"] <= "2026-03-21" and b["to"] >= "2026-03-01"]
    assert sum(b["orders"] for b in march) == weekly["orders"] == 21

    monthly = stats(api_client, **{AFTER: "2024-01-01", BEFORE: "2026-12-31"})
    assert monthly["granularity"] == "month" and len(monthly["series"]) == 36
    assert [b["orders"] for b in monthly["series"] if b["orders"]] == [21]


def test_the_previous_period_has_the_same_length_and_the_other_filters(api_client, shop):
    # Given a week with a status filter
    body = stats(
        api_client,
        **{
            AFTER: "2026-03-15",
            BEFORE: "2026-03-21",
            "filters[status][conditions][$in][0]": "PAID",
        },
    )

    # Then the previous period is the week before, still PAID only
    previous = body["previous"]
    assert (previous["from"], previous["to"]) == ("2026-03-08", "2026-03-14")
    week_before = Order.objects.filter(
        status="PAID",
        created_at__gte=datetime(2026, 3, 8, tzinfo=UTC),
        created_at__lt=datetime(2026, 3, 15, tzinfo=UTC),
    )
    assert figures(previous) == plain(week_before)
    assert previous["orders"] > 0


def test_the_previous_period_of_a_metadata_filter(api_client, shop):
    body = stats(
        api_client,
        **{
            AFTER: "2026-03-11",
            BEFORE: "2026-03-20",
            "filters[metadata.channel][conditions][$is]": "web",
        },
    )
    earlier = Order.objects.filter(
        metadata__channel="web",
        created_at__gte=datetime(2026, 3, 1, tzinfo=UTC),
        created_at__lt=datetime(2026, 3, 11, tzinfo=UTC),
    )
    assert (body["previous"]["from"], body["previous"]["to"]) == ("2026-03-01", "2026-03-10")
    assert figures(body["previous"]) == plain(earlier)


def test_no_previous_period_without_a_start_or_for_an_empty_range(api_client, shop):
    assert stats(api_client)["previous"] is None
    assert stats(api_client, **{BEFORE: "2026-03-10"})["previous"] is None
    # A range the wrong way round matches nothing, as in the list
    body = stats(api_client, **{AFTER: "2026-03-10", BEFORE: "2026-03-01"})
    assert body["orders"] == 0 and body["previous"] is None and body["series"] == []


def test_days_of_another_time_zone(api_client):
    # Given an order at 23:30 UTC on 9 March: 00:30 on 10 March in Warsaw
    make_order(amount=700, created_at=datetime(2026, 3, 9, 23, 30, tzinfo=UTC))

    # When the stats are asked for 10 March, in UTC and in Warsaw
    in_utc = stats(api_client, **{AFTER: "2026-03-10", BEFORE: "2026-03-10"})
    in_warsaw = stats(
        api_client, **{AFTER: "2026-03-10", BEFORE: "2026-03-10", "timezone": "Europe/Warsaw"}
    )

    # Then it is on Warsaw's 10 March, not UTC's (as /v1/orders reads dates)
    assert in_utc["orders"] == 0 and in_utc["timezone"] == "UTC"
    assert in_warsaw["orders"] == 1 and in_warsaw["timezone"] == "Europe/Warsaw"
    assert in_warsaw["series"] == [{**in_warsaw["series"][0], "from": "2026-03-10", "orders": 1}]
    assert in_warsaw["previous"]["from"] == in_warsaw["previous"]["to"] == "2026-03-09"


def test_top_values_of_a_metadata_property(api_client, shop):
    schema, _ = MetadataSchema.objects.get_or_create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="channel", type="string")

    body = stats(api_client, metadata_key="channel")

    orders = Order.objects.all()
    expected = [
        {"value": value, **plain(orders.filter(selected))}
        for value, selected in [
            ("web", Q(metadata__channel="web")),
            (None, ~Q(metadata__has_key="channel")),
            ("app", Q(metadata__channel="app")),
        ]
    ]
    assert body["top_values"]["key"] == "channel"
    assert body["top_values"]["values"] == [
        {"value": e["value"], "orders": e["orders"], "total_amount": e["total_amount"]}
        for e in sorted(expected, key=lambda e: -e["orders"])
    ]
    assert stats(api_client)["top_values"] is None


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"filters[colour][conditions][$in][0]": "red"}, "colour"),
        ({"filters[status][conditions][$bogus]": "PAID"}, "$bogus"),
        ({"filters[status][oops]": "PAID"}, "filters[status][oops]"),
        ({"filters[amount][conditions][$more_than]": "lots"}, "lots"),
        ({"filters[status][conditions][$in][0]": "NOPE"}, "status"),
        ({AFTER: "yesterday"}, "created_at $after"),
        ({"filters[metadata.channel][conditions][$count]": "2"}, "metadata.channel $count"),
        ({"filters[amount][conditions][$contains]": "1"}, "$more_than_equal"),  # what fits
        ({"filters[junction]": "xor", AFTER: "2026-01-01"}, "junction"),
    ],
)
def test_bad_filters_are_the_lists_400s(api_client, params, named):
    body = assert_error(api_client.get(STATS, params), 400, "invalid_query_params")
    assert named in body["details"], body["details"]
    assert body["details"] == api_client.get("/v1/orders", params).json()["details"]


def test_bad_parameters_of_its_own_are_400s_naming_them(api_client, shop):
    schema, _ = MetadataSchema.objects.get_or_create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="channel", type="string")
    MetadataProperty.objects.create(schema=schema, name="delivered_on", type="date")

    def details(**params: Any) -> str:
        return assert_error(api_client.get(STATS, params), 400, "invalid_query_params")["details"]

    assert details(timezone="Mars/Olympus").startswith("Parameter timezone: 'Mars/Olympus'")
    unknown = details(metadata_key="coupon")
    assert "Parameter metadata_key: 'coupon'" in unknown and "use one of channel" in unknown
    assert "delivered_on' is a date property" in details(metadata_key="delivered_on")
    assert details(metadata_key="a__b").startswith("Parameter metadata_key")
    # A series too long to answer (0001-01-02 to today by month)
    assert details(**{AFTER: "0001-01-02"}).startswith("Parameter filters[created_at]")


def test_ranges_at_the_ends_of_the_calendar_answer(api_client, shop):
    """Dates a timestamp can hold but a previous period or a next day cannot."""
    body = stats(api_client, **{AFTER: "0001-01-02", BEFORE: "0010-01-01"})
    assert body["orders"] == 0 and body["previous"] is None
    body = stats(api_client, **{AFTER: "9999-01-01", BEFORE: "9999-12-31"})
    assert body["orders"] == 0 and body["series"][-1]["to"] == "9999-12-31"
    assert api_client.get("/v1/orders", {BEFORE: "9999-12-31"}).json()["total"] == 21


def test_it_needs_a_key_like_every_operation(api_key, api_client, client_for, shop):
    # The one who may: an active key
    assert api_client.get(STATS).status_code == 200
    # The outsiders: no key, a wrong token, a revoked key
    assert_error(client_for(None).get(STATS), 401, "unauthorized")
    assert_error(client_for(api_key, token="x" + api_key.token).get(STATS), 401, "unauthorized")
    api_key.revoke()
    assert_error(api_client.get(STATS), 401, "unauthorized")


def test_it_counts_against_the_keys_rate_limit(settings, api_client, client_for):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    assert api_client.get("/v1/orders").status_code == 200
    assert api_client.get(STATS).status_code == 200

    body = assert_error(api_client.get(STATS), 429, "too_many_requests")

    assert "2 requests per minute" in body["details"]
    other, token = ApiKey.issue("other")
    assert client_for(other, token).get(STATS).status_code == 200


def test_the_openapi_document_describes_it(client):
    document = _document(client)
    operation = document["paths"][STATS]["get"]
    assert operation["security"] == [{"X-App-Id": [], "X-App-Token": []}]
    assert "filters[<field>][conditions]" in operation["description"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert set(parameters) == {"timezone", "metadata_key"}
    assert parameters["timezone"]["default"] == "UTC"
    assert {"UTC", "Europe/Warsaw", "America/New_York"} <= set(parameters["timezone"]["enum"])
    assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    # Every field of the answer is described
    schemas = document["components"]["schemas"]
    names = ["OrderStatsOut", "PreviousOut", "BucketOut", "StatusesOut", "StatusFiguresOut",
             "TopValuesOut", "TopValueOut"]  # fmt: skip
    undescribed = [
        f"{name}.{field}"
        for name in names
        for field, schema in schemas[name]["properties"].items()
        if not schema.get("description")
    ]
    assert not undescribed
    assert set(schemas["StatusesOut"]["properties"]) == {"CREATED", "PAID", "CANCELED", "FULFILLED"}
    assert {"from", "to"} <= set(schemas["PreviousOut"]["required"])


def test_a_range_the_wrong_way_round_matches_nothing_in_the_previous_period_too(api_client, shop):
    """The API takes an amount range as given (it matches nothing), in both periods."""
    body = stats(
        api_client,
        **{
            AFTER: "2026-03-15",
            BEFORE: "2026-03-21",
            "filters[amount][conditions][$more_than_equal]": "2000",
            "filters[amount][conditions][$less_than_equal]": "1000",
        },
    )
    assert body["orders"] == 0
    assert body["previous"]["orders"] == 0
