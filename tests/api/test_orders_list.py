"""``GET /v1/orders``: paging, sorting and the reference's ``filters[...]`` parameters, read
through the orders list's own ``OrderFilter``."""

from datetime import UTC, datetime, timedelta

import pytest

from exports.models import Export
from exports.services import export_queryset
from orders.actors import Actor
from orders.services import update_order
from tests.api.contract import assert_error, assert_response
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db

ORDERS = "/v1/orders"
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def listing(api_client, **params):
    response = api_client.get(ORDERS, params)
    return assert_response(response, "orders.json", "get", ORDERS)


@pytest.fixture
def five_orders():
    statuses = ["CREATED", "PAID", "CANCELED", "FULFILLED", "PAID"]
    return [
        make_order(
            amount=1000 * (index + 1),
            status=status,
            created_at=START + timedelta(days=index),
            source_id=f"o-{index}",
        )
        for index, status in enumerate(statuses)
    ]


def test_list_envelope_newest_first_by_default(api_client, five_orders):
    body = listing(api_client)
    assert (body["object"], body["data_ref"], body["total"]) == ("list", "orders", 5)
    assert [o["source_id"] for o in body["orders"]] == ["o-4", "o-3", "o-2", "o-1", "o-0"]
    assert all(o["object"] == "order" for o in body["orders"])
    assert body["orders"][0]["created_at"] == "2026-03-05T12:00:00.000Z"


def test_limit_page_and_order(api_client, five_orders):
    page1 = listing(api_client, limit=2, page=1, order="created_at")
    page2 = listing(api_client, limit=2, page=2, order="created_at")
    page3 = listing(api_client, limit=2, page=3, order="created_at")
    assert [o["source_id"] for o in page1["orders"]] == ["o-0", "o-1"]
    assert [o["source_id"] for o in page2["orders"]] == ["o-2", "o-3"]
    assert [o["source_id"] for o in page3["orders"]] == ["o-4"]
    assert page1["total"] == page2["total"] == page3["total"] == 5


def test_default_limit_is_ten(api_client):
    for index in range(12):
        make_order(amount=100 + index)
    body = listing(api_client)
    assert len(body["orders"]) == 10 and body["total"] == 12


def test_order_by_updated_at(api_client, five_orders):
    update_order(five_orders[0], actor=Actor.system(), status="PAID")
    body = listing(api_client, order="-updated_at")
    assert body["orders"][0]["source_id"] == "o-0"


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"page": 0}, "page"),
        ({"limit": "ten"}, "limit"),
        ({"order": "amount"}, "order"),
    ],
)
def test_bad_paging_parameters_are_400(api_client, params, error):
    body = assert_error(api_client.get(ORDERS, params), 400, "invalid_query_params")
    assert error in body["details"]


def test_status_filter_in_the_reference_query_form(api_client, five_orders):
    body = listing(
        api_client,
        **{
            "filters[status][conditions][$in][0]": "PAID",
            "filters[status][conditions][$in][1]": "CANCELED",
            "order": "created_at",
        },
    )
    assert [o["source_id"] for o in body["orders"]] == ["o-1", "o-2", "o-4"]
    assert body["total"] == 3


def test_amount_and_date_filters(api_client, five_orders):
    body = listing(
        api_client,
        **{
            "filters[amount][conditions][$more_than]": "2000",
            "filters[created_at][conditions][$before]": "2026-03-04T12:00:00Z",
            "filters[junction]": "and",
        },
    )
    assert sorted(o["source_id"] for o in body["orders"]) == ["o-2", "o-3"]


def test_customer_and_source_id_filters(api_client, five_orders):
    customer = CustomerFactory()
    mine = make_order(amount=5, customer=customer)
    body = listing(api_client, **{"filters[customer_id][conditions][$is]": customer.pk})
    assert [o["id"] for o in body["orders"]] == [mine.pk]
    body = listing(api_client, **{"filters[source_id][conditions][$is]": "o-3"})
    assert [o["source_id"] for o in body["orders"]] == ["o-3"]


def test_metadata_source_id_and_presence_filters(api_client):
    customer = CustomerFactory()
    web = make_order(amount=100, source_id="shop-web-1", metadata={"channel": "web", "score": 7})
    make_order(amount=200, source_id="shop-app-2", metadata={"channel": "app", "score": 2})
    with_customer = make_order(amount=300, source_id="pos-3", customer=customer)

    def ids(**params):
        return [o["id"] for o in listing(api_client, **params)["orders"]]

    assert ids(**{"filters[metadata.channel][conditions][$is]": "web"}) == [web.pk]
    assert ids(**{"filters[metadata.score][conditions][$more_than]": "5"}) == [web.pk]
    assert len(ids(**{"filters[metadata.channel][conditions][$has_value]": ""})) == 2
    assert ids(**{"filters[metadata.channel][conditions][$is_unknown]": ""}) == [with_customer.pk]
    assert len(ids(**{"filters[source_id][conditions][$contains]": "shop"})) == 2
    assert ids(**{"filters[customer_id][conditions][$has_value]": ""}) == [with_customer.pk]
    assert with_customer.pk not in ids(**{"filters[customer_id][conditions][$is_unknown]": ""})


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("filters[colour][conditions][$in][0]", "red", "colour"),
        ("filters[status][conditions][$bogus]", "PAID", "$bogus"),
        ("filters[status][oops]", "PAID", "filters[status][oops]"),
        ("filters[amount][conditions][$more_than]", "lots", "lots"),
        ("filters[status][conditions][$in][0]", "NOPE", "status"),
        ("filters[created_at][conditions][$after]", "yesterday", "created_at $after"),
        ("filters[metadata.channel][conditions][$count]", "2", "metadata.channel $count"),
        ("filters[amount][conditions][$starts_with]", "1", "amount $starts_with"),
        ("filters[junction]", "xor", "junction"),
        ("filters[metadata.score][conditions][$more_than]", "high", "score"),
    ],
)
def test_bad_filters_are_400_naming_them(api_client, name, value, named):
    body = assert_error(api_client.get(ORDERS, {name: value}), 400, "invalid_query_params")
    assert named in body["details"], body["details"]


def test_list_queries_do_not_grow_with_the_page(api_client, django_assert_max_num_queries):
    for _ in range(30):
        make_order(items=3, customer=CustomerFactory())
    with django_assert_max_num_queries(9):
        body = listing(api_client, limit=30)
    assert len(body["orders"]) == 30


def test_an_offset_postgresql_refuses_is_read_as_its_instant_in_utc(api_client):
    make_order(amount=100, created_at=datetime(2849, 8, 21, 23, 0, tzinfo=UTC))
    # Python parses a -18:59 offset; PostgreSQL refuses it (offsets stop at 15:59): the
    # instant it names (2849-08-22 00:16:11 UTC) is sent instead (a database refusing a value
    # is tests/api/test_errors.py's)
    after = {"filters[created_at][conditions][$after]": "2849-08-21T05:17:11-18:59"}
    before = {"filters[created_at][conditions][$before]": "2849-08-21T05:17:11-18:59"}
    assert listing(api_client, **after)["total"] == 0
    assert listing(api_client, **before)["total"] == 1


def test_date_filters_are_utc_days_whatever_the_sites_time_zone(api_client, settings):
    # Given a site shown in Warsaw, and an order at 00:30 Warsaw time on 1 May (30 April UTC)
    settings.TIME_ZONE = "Europe/Warsaw"
    make_order(created_at=datetime(2026, 4, 30, 22, 30, tzinfo=UTC), source_id="late")

    # When the API is asked for orders from 1 May
    body = listing(api_client, **{"filters[created_at][conditions][$after]": "2026-05-01"})

    # Then 1 May is a UTC day, as the reference says: the order is not in it
    assert body["total"] == 0


def test_a_range_the_wrong_way_round_matches_nothing_in_the_api_and_its_exports(
    api_client, five_orders
):
    """The dashboard hints that such a range is empty; the API takes it as given."""
    body = listing(
        api_client,
        **{
            "filters[amount][conditions][$more_than_equal]": "2000",
            "filters[amount][conditions][$less_than_equal]": "1000",
        },
    )
    assert body["orders"] == [] and body["total"] == 0
    response = api_client.post_json(
        "/v1/orders/export",
        {
            "parameters": {
                "filters": {
                    "amount": {
                        "conditions": {"$more_than_equal": [2000], "$less_than_equal": [1000]}
                    }
                }
            }
        },
    )
    assert response.status_code == 200, response.content
    assert not export_queryset(Export.objects.get(pk=response.json()["id"])).exists()


def test_an_undefined_metadata_key_compares_numbers_with_numbers_and_dates_with_dates(
    api_client,
):
    # Given a key the metadata schema does not define, holding values of several types
    number = make_order(amount=100, metadata={"ref": 7})
    day = make_order(amount=200, metadata={"ref": "2026-05-02T10:00:00.000Z"})
    make_order(amount=300, metadata={"ref": "web"})
    make_order(amount=400, metadata={"ref": True})
    make_order(amount=500)

    def ids(condition: str, value: str) -> list[str]:
        params = {f"filters[metadata.ref][conditions][{condition}]": value}
        return [o["id"] for o in listing(api_client, **params)["orders"]]

    # Then a number comparison takes the numbers only: PostgreSQL orders every JSON text
    # below every number and true above, which took "web" as "< 10" and true as "> 5"
    assert ids("$less_than", "10") == [number.pk]
    assert ids("$more_than", "5") == [number.pk]
    # And a date condition takes the texts holding a date only ("web" sorts after "2026")
    assert ids("$after", "2026-05-01") == [day.pk]
    assert ids("$before", "2026-05-03") == [day.pk]


def test_an_undefined_metadata_key_holding_a_bare_date_compares_it_as_a_day(api_client):
    # Given a key the schema does not define, holding a bare date and a date-time
    day = make_order(amount=100, metadata={"ref": "2026-05-01"})
    instant = make_order(amount=200, metadata={"ref": "2026-05-01T10:00:00.000Z"})

    def ids(condition: str, value: str) -> set[str]:
        params = {f"filters[metadata.ref][conditions][{condition}]": value}
        return {o["id"] for o in listing(api_client, **params)["orders"]}

    # Then the bare date is that whole day, as a date property's value is: on and after
    # 1 May, before 2 May and not before 30 April (as texts, "2026-05-01" sorted before
    # "2026-05-01T00:00:00.000Z" and was neither)
    assert ids("$after", "2026-05-01") == {day.pk, instant.pk}
    assert ids("$before", "2026-05-01") == {day.pk, instant.pk}
    assert ids("$before", "2026-04-30") == set()
    assert ids("$after", "2026-05-02") == set()
    assert ids("$after", "2026-05-01T12:00:00Z") == {day.pk}
    assert ids("$before", "2026-05-01T09:00:00Z") == {day.pk}
