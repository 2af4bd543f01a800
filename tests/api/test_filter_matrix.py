"""The filter grammar's contract, walked over its whole matrix (``orders.grammar.matrix()``:
every field and metadata type × every reference condition) on ``GET /v1/orders`` (the
query-string form) and on ``POST /v1/exports`` and ``POST /v1/orders/export`` (the JSON
form).

A supported pair answers 200 and selects exactly the orders a plain Python predicate
(``holds``) picks out of one fixed data set; an unsupported one is a 400 naming the field,
the condition and the conditions the field takes. The data set is made once for the
``TestMatrix`` class, inside a transaction every test runs in (a savepoint each) and that is
rolled back at the end, so 750-odd cases take seconds, not minutes.
"""

import csv
import io
import json
import operator
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic, sleep
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from exports.models import Export
from exports.services import export_queryset
from metadata.conditions import forget_schema_keys
from metadata.models import MetadataProperty, MetadataSchema
from metadata.schema_cache import forget_cached_schemas_now
from orders import grammar
from orders.models import Order
from orders.services import ItemData
from tests.api.contract import assert_error
from tests.factories import CustomerFactory, make_order

ORDERS = "/v1/orders"
EXPORT_PATHS = ("/v1/exports", "/v1/orders/export")

# -- the matrix's rows as concrete fields ---------------------------------------------------

# Each row of ``grammar.matrix()`` → the field the tests filter on: an order field itself, or a
# metadata key of the order metadata schema of that row's type (``SCHEMA``).
ROW_FIELDS = {
    **{name: name for name in grammar.FIELDS},
    "metadata.<string key>": "metadata.channel",
    "metadata.<image_url key>": "metadata.picture",
    "metadata.<number key>": "metadata.score",
    "metadata.<boolean key>": "metadata.gift",
    "metadata.<date key>": "metadata.ship_on",
    "metadata.<datetime key>": "metadata.paid_at",
    "metadata.<object key>": "metadata.address",
    "metadata.<geopoint key>": "metadata.location",
    "metadata.<array key>": "metadata.tags",
    "metadata.<key not in the schema>": "metadata.note",
}
# The order metadata schema: key → (type, array).
SCHEMA = {
    "channel": ("string", False),
    "picture": ("image_url", False),
    "score": ("number", False),
    "gift": ("boolean", False),
    "ship_on": ("date", False),
    "paid_at": ("datetime", False),
    "address": ("object", False),
    "location": ("geopoint", False),
    "tags": ("string", True),
}
MATRIX = list(grammar.matrix())
# Columns every order has a value in: "has a value" is every order, "has no value" none.
ALWAYS_SET = {name for name, field in grammar.FIELDS.items() if not field.nullable}


# -- the data set ---------------------------------------------------------------------------

ALPHA, BRAVO, CHARLIE = "cust_Alpha1", "cust_Bravo2", "cust_Charlie3"
MISSING = object()


@dataclass
class Data:
    """The orders (``orders[i]`` is order ``i`` of ``make_data``) and when they were made:
    their dates are hours of whole UTC days around ``today``."""

    now: datetime
    orders: list[Order]

    @property
    def today(self) -> date:
        return self.now.date()

    def day(self, offset: int) -> str:
        return (self.today + timedelta(days=offset)).isoformat()

    def at(self, offset: int, hour: int) -> datetime:
        return datetime.combine(self.today + timedelta(days=offset), time(hour), UTC)

    def instant(self, offset: int, hour: int) -> str:
        return self.at(offset, hour).isoformat().replace("+00:00", "Z")

    def stored_instant(self, offset: int, hour: int) -> str:
        """As metadata stores a date-time: UTC, milliseconds, Z."""
        return self.at(offset, hour).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def names(self, ids: list[str] | set[str]) -> list[str]:
        """``o0``, ``o1`` … (the orders' places in ``make_data``) for ids, sorted: what a
        failing assertion shows."""
        places = {order.pk: f"o{index}" for index, order in enumerate(self.orders)}
        return sorted(places.get(pk, pk) for pk in ids)

    def column_values(self, field: str) -> list[Any]:
        """The distinct values of ``field`` over the orders, smallest first."""
        return sorted({stored(order, field) for order in self.orders} - {MISSING})


def make_data(now: datetime) -> Data:
    """Eight orders whose fields and metadata vary so that every condition picks some of
    them and leaves others (see ``test_every_case_selects_some_orders_and_not_all``)."""
    schema = MetadataSchema.objects.create(related_object=MetadataSchema.RelatedObject.ORDER)
    for key, (kind, array) in SCHEMA.items():
        MetadataProperty.objects.create(schema=schema, name=key, type=kind, array=array)
    forget_cached_schemas_now()
    forget_schema_keys()
    alpha = CustomerFactory(id=ALPHA)
    bravo = CustomerFactory(id=BRAVO)
    charlie = CustomerFactory(id=CHARLIE)
    data = Data(now=now, orders=[])
    point = {"lat": 52.23, "lng": 21.01}
    rows: list[dict[str, Any]] = [
        {
            "source_id": "shop-1001",
            "status": "PAID",
            "customer": alpha,
            "items": [ItemData(quantity=1, price=2500)],
            "created_at": data.at(-40, 10),
            "metadata": {
                "channel": "Web-Store",
                "picture": "https://cdn.example/img/rose.png",
                "score": 7,
                "gift": True,
                "ship_on": data.day(-30),
                "paid_at": data.instant(-30, 10),
                "address": {"city": "Kraków"},
                "location": point,
                "tags": ["red", "blue"],
                "note": "web",
            },
        },
        {
            "source_id": "shop-1002",
            "status": "CREATED",
            "customer": bravo,
            "referrer": alpha,
            "items": [ItemData(quantity=2, price=1500, discount_amount=300)],
            "discount_amount": 200,
            "created_at": data.at(-20, 10),
            "metadata": {
                "channel": "app",
                "picture": "https://cdn.example/img/tulip.JPG",
                "score": 2.5,
                "gift": False,
                "ship_on": data.day(-3),
                "paid_at": data.instant(-3, 9),
                "tags": ["green"],
                "note": 7,
            },
        },
        {
            "source_id": "SHOP-2001",
            "status": "FULFILLED",
            "referrer": bravo,
            "amount": 10_000,
            "discount_amount": 1_000,
            "created_at": data.at(-3, 12),
            "metadata": {
                "channel": "web",
                "picture": "https://cdn.example/img/lily.png",
                "score": 12,
                "ship_on": data.day(5),
                "paid_at": data.instant(5, 12),
                "address": {"city": "Gdańsk"},
                "tags": ["red"],
                "note": "WEB-2",
            },
        },
        {
            "source_id": "pos-3",
            "status": "CANCELED",
            "customer": charlie,
            "amount": 500,
            "created_at": now - timedelta(hours=1),
            "metadata": {},
        },
        {
            "status": "PAID",
            "amount": 4_200,
            "created_at": data.at(5, 12),
            "metadata": {
                "channel": "Store",
                "score": -1,
                "gift": True,
                "ship_on": data.day(40),
                "paid_at": data.instant(40, 12),
                "location": point,
                "tags": ["blue"],
                "note": True,
            },
        },
        {
            "source_id": "web-5",
            "status": "CREATED",
            "customer": alpha,
            "referrer": charlie,
            "items": [ItemData(quantity=1, price=99, discount_amount=9)],
            "discount_amount": 50,
            "created_at": data.at(30, 12),
            "metadata": {"score": 100, "note": 12.5},
        },
        {
            "source_id": "shop-3003",
            "status": "PAID",
            "customer": charlie,
            "referrer": alpha,
            "amount": 7_000,
            "created_at": data.at(-10, 8),
            "metadata": {
                "channel": "WEB-app",
                "gift": False,
                "tags": ["green", "red"],
                "note": data.stored_instant(-5, 12),
            },
        },
        {
            "source_id": "pos-7",
            "status": "CREATED",
            "amount": 1_234,
            "created_at": data.at(-60, 12),
            "metadata": {"note": data.day(-2)},
        },
    ]
    for row in rows:
        order = make_order(**row)
        # Test data only: the service stamps ``updated_at`` with the current time; a day
        # after creation tells the two date fields apart.
        Order.objects.filter(pk=order.pk).update(updated_at=order.created_at + timedelta(days=1))
        data.orders.append(Order.objects.get(pk=order.pk))
    return data


@pytest.fixture(scope="class")
def data(django_db_setup: None, django_db_blocker: Any) -> Iterator[Data]:
    """The data set of a class of tests, in a transaction each test's own (a savepoint) runs
    inside, rolled back once the class is done: no other test sees it.

    A class, not the module: pytest-django runs transactional tests (the worker's) after the
    others, and a module fixture would still hold its transaction open then."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield make_data(timezone.now())
        transaction.set_rollback(True)


# -- the oracle -----------------------------------------------------------------------------


def stored(order: Order, field: str) -> Any:
    """The value of ``field`` in ``order`` as stored, or ``MISSING``."""
    if field.startswith("metadata."):
        return order.metadata.get(field.removeprefix("metadata."), MISSING)
    value = getattr(order, field)
    return MISSING if value is None else value


_NEGATIONS = {"$not_in": "$in", "$is_not": "$is", "$not_contain": "$contains"}
_COMPARE = {
    "$more_than": operator.gt,
    "$less_than": operator.lt,
    "$more_than_equal": operator.ge,
    "$less_than_equal": operator.le,
}


def holds(kind: str, condition: str, value: Any, values: list[Any], now: datetime) -> bool:
    """Whether an order whose field holds ``value`` (``MISSING`` when it has none) meets
    ``condition`` with ``values``, written as a person reads the condition."""
    if condition == "$has_value":
        return value is not MISSING
    if condition == "$is_unknown":
        return value is MISSING
    if condition in _NEGATIONS:  # a missing value is "not" anything
        return not holds(kind, _NEGATIONS[condition], value, values, now)
    if value is MISSING:
        return False
    if condition in ("$in", "$is"):
        return any(_equal(kind, value, wanted) for wanted in values)
    if condition in ("$contains", "$starts_with", "$ends_with"):
        text, part = _text(value).lower(), str(values[0]).lower()
        if condition == "$contains":
            return part in text
        return text.startswith(part) if condition == "$starts_with" else text.endswith(part)
    if condition in _COMPARE:
        return _is_number(value) and _COMPARE[condition](value, float(values[0]))
    return _on_date(condition, value, values[0], now)


def _equal(kind: str, value: Any, wanted: Any) -> bool:
    if kind == "array":
        return wanted in value
    if kind == "unknown" and isinstance(wanted, str):
        # A key the schema does not define: "7" finds 7, "true" finds true.
        if isinstance(value, bool):
            return wanted.lower() == str(value).lower()
        if _is_number(value):
            return _number_or_none(wanted) == value
    return bool(value == wanted)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _on_date(condition: str, value: Any, wanted: Any, now: datetime) -> bool:
    """Date conditions: ``$after``/``$before`` include the day or instant they name;
    the relative ones count days from ``now`` (whole UTC days for ``$is_days_*``)."""
    moment = _moment(value)
    if moment is None:
        return False
    today = now.date()
    if isinstance(moment, datetime):
        day = moment.astimezone(UTC).date()
        if condition in ("$after", "$before"):
            bound = _moment(wanted)
            if isinstance(bound, datetime):
                return moment >= bound if condition == "$after" else moment <= bound
            return day >= bound if condition == "$after" else day <= bound
        ago, ahead = now - timedelta(days=wanted), now + timedelta(days=wanted)
        return {
            "$is_days_ago": day == today - timedelta(days=wanted),
            "$is_days_in_future": day == today + timedelta(days=wanted),
            "$more_than_ago": moment < ago,
            "$less_than_ago": ago <= moment <= now,
            "$more_than_future": moment > ahead,
            "$less_than_future": now <= moment <= ahead,
        }[condition]
    # A whole day (a date property's value, or a bare date): compared as days, an instant
    # as its day.
    if condition in ("$after", "$before"):
        bound = _moment(wanted)
        if isinstance(bound, datetime):
            bound = bound.astimezone(UTC).date()
        return moment >= bound if condition == "$after" else moment <= bound
    first, last = today - timedelta(days=wanted), today + timedelta(days=wanted)
    return {
        "$is_days_ago": moment == first,
        "$is_days_in_future": moment == last,
        "$more_than_ago": moment < first,
        "$less_than_ago": first <= moment <= today,
        "$more_than_future": moment > last,
        "$less_than_future": today <= moment <= last,
    }[condition]


def _moment(value: Any) -> date | datetime | None:
    """A stored or given date: a ``datetime`` column, an ISO date or date-time text."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def expected_ids(
    data: Data, field: str, kind: str, condition: str, value: Any, now: datetime | None = None
) -> set[str]:
    """The orders ``holds`` picks; relative dates count from ``now`` (the request's time)."""
    values = value if isinstance(value, list) else [value]
    return {
        order.pk
        for order in data.orders
        if holds(kind, condition, stored(order, field), values, now or data.now)
    }


# -- the values each supported pair is tried with ------------------------------------------

Value = Any  # a JSON value, or a callable of the data set giving one
EMPTY = None  # the value of $has_value / $is_unknown: none is read


def _money(field: str) -> dict[str, Value]:
    """Amounts around the field's own middle value, so each comparison splits the orders and
    the inclusive ones meet an order's amount exactly."""

    def middle(data: Data) -> int:
        values = data.column_values(field)
        return values[len(values) // 2]

    return {
        "$in": lambda data: [data.column_values(field)[0], data.column_values(field)[-1]],
        "$not_in": lambda data: [data.column_values(field)[0]],
        "$is": middle,
        "$is_not": middle,
        "$more_than": middle,
        "$less_than": middle,
        "$more_than_equal": middle,
        "$less_than_equal": middle,
    }


def _dates(shift: int) -> dict[str, Value]:
    """Order dates are ``shift`` days later in ``updated_at`` than in ``created_at``."""
    return {
        "$after": lambda data: data.day(-20 + shift),
        "$before": lambda data: data.day(-20 + shift),
        "$is_days_ago": 3 - shift,
        "$is_days_in_future": 5 + shift,
        "$more_than_ago": 15,
        "$less_than_ago": 15,
        "$more_than_future": 10,
        "$less_than_future": 10,
    }


# The relative conditions on metadata dates (``ship_on``, ``paid_at``).
_META_RELATIVE = {
    "$is_days_ago": 3,
    "$is_days_in_future": 5,
    "$more_than_ago": 10,
    "$less_than_ago": 10,
    "$more_than_future": 10,
    "$less_than_future": 10,
}
_PRESENCE = {"$has_value": EMPTY, "$is_unknown": EMPTY}
ROSE, TULIP = "https://cdn.example/img/rose.png", "https://cdn.example/img/tulip.JPG"
LILY = "https://cdn.example/img/lily.png"

VALUES: dict[str, dict[str, Value]] = {
    "status": {
        **_PRESENCE,
        "$in": ["PAID", "CANCELED"],
        "$not_in": ["PAID"],
        "$is": "CREATED",
        "$is_not": "PAID",
        "$contains": "ill",
        "$not_contain": "ED",
        "$starts_with": "c",
        "$ends_with": "ed",
    },
    "source_id": {
        **_PRESENCE,
        "$in": ["shop-1001", "SHOP-2001"],
        "$not_in": ["shop-1001"],
        "$is": "pos-3",
        "$is_not": "pos-3",
        "$contains": "SHOP",
        "$not_contain": "shop",
        "$starts_with": "Shop-1",
        "$ends_with": "01",
    },
    "customer_id": {
        **_PRESENCE,
        "$in": [ALPHA, BRAVO],
        "$not_in": [ALPHA],
        "$is": CHARLIE,
        "$is_not": CHARLIE,
        "$contains": "bravo",
        "$not_contain": "alpha",
        "$starts_with": "CUST_A",
        "$ends_with": "3",
    },
    "referrer_id": {
        **_PRESENCE,
        "$in": [ALPHA, CHARLIE],
        "$not_in": [BRAVO],
        "$is": ALPHA,
        "$is_not": ALPHA,
        "$contains": "charlie",
        "$not_contain": "bravo",
        "$starts_with": "cust_b",
        "$ends_with": "1",
    },
    **{
        name: {**_PRESENCE, **_money(name)}
        for name, field in grammar.FIELDS.items()
        if field.type == "money"
    },
    "created_at": {**_PRESENCE, **_dates(0)},
    "updated_at": {**_PRESENCE, **_dates(1)},
    "metadata.channel": {
        **_PRESENCE,
        "$in": ["web", "app"],
        "$not_in": ["web"],
        "$is": "Store",
        "$is_not": "Store",
        "$contains": "WEB",
        "$not_contain": "web",
        "$starts_with": "web",
        "$ends_with": "store",
    },
    "metadata.picture": {
        **_PRESENCE,
        "$in": [ROSE, LILY],
        "$not_in": [ROSE],
        "$is": TULIP,
        "$is_not": TULIP,
        "$contains": "TULIP",
        "$not_contain": "tulip",
        "$starts_with": "https://cdn.example/img/r",
        "$ends_with": ".png",
    },
    "metadata.score": {
        **_PRESENCE,
        "$in": [7, 12],
        "$not_in": [7],
        "$is": 2.5,
        "$is_not": 2.5,
        "$more_than": 7,
        "$less_than": 7,
        "$more_than_equal": 7,
        "$less_than_equal": 2.5,
    },
    "metadata.gift": {
        **_PRESENCE,
        "$in": [True],
        "$not_in": [True],
        "$is": False,
        "$is_not": False,
    },
    "metadata.ship_on": {
        **_PRESENCE,
        "$after": lambda data: data.day(-3),
        "$before": lambda data: data.day(-3),
        **_META_RELATIVE,
    },
    "metadata.paid_at": {
        **_PRESENCE,
        "$after": lambda data: data.day(-3),
        "$before": lambda data: data.day(-3),
        **_META_RELATIVE,
    },
    "metadata.address": _PRESENCE,
    "metadata.location": _PRESENCE,
    "metadata.tags": {
        **_PRESENCE,
        "$in": ["green", "blue"],
        "$not_in": ["red"],
        "$is": "red",
        "$is_not": "red",
    },
    "metadata.note": {
        **_PRESENCE,
        "$in": ["web", "7"],
        "$not_in": ["web"],
        "$is": "true",
        "$is_not": "true",
        "$contains": "we",
        "$not_contain": "we",
        "$starts_with": "WEB",
        "$ends_with": "5",
        "$more_than": 5,
        "$less_than": 10,
        "$more_than_equal": 7,
        "$less_than_equal": 7,
        "$after": lambda data: data.day(-10),
        "$before": lambda data: data.day(-3),
    },
}
# More values for some pairs: $after and $before take a day or an instant (both inclusive).
EXTRA_VALUES: dict[tuple[str, str], dict[str, Value]] = {
    ("created_at", "$after"): {"instant": lambda data: data.instant(-20, 10)},
    ("created_at", "$before"): {"instant": lambda data: data.instant(-20, 10)},
    ("updated_at", "$after"): {"instant": lambda data: data.instant(-19, 10)},
    ("updated_at", "$before"): {"instant": lambda data: data.instant(-19, 10)},
    ("metadata.paid_at", "$after"): {"instant": lambda data: data.instant(-3, 9)},
    ("metadata.paid_at", "$before"): {"instant": lambda data: data.instant(-3, 9)},
    ("metadata.note", "$after"): {
        "instant": lambda data: data.instant(-5, 12),
        "bare-date-day": lambda data: data.day(-2),
    },
    ("metadata.note", "$before"): {"bare-date-day": lambda data: data.day(-2)},
    ("status", "$in"): {"one": ["FULFILLED"]},
    ("source_id", "$in"): {"many": ["shop-1001", "shop-1002", "shop-3003", "nowhere"]},
}


@dataclass(frozen=True)
class Case:
    row: str
    field: str
    kind: str
    condition: str
    value: Value

    def resolved(self, data: Data) -> Any:
        return self.value(data) if callable(self.value) else self.value


def _cases() -> Iterator[Any]:
    for row, kind, condition, supported in MATRIX:
        if not supported:
            continue
        field = ROW_FIELDS[row]
        variants = {"": VALUES[field][condition], **EXTRA_VALUES.get((field, condition), {})}
        for name, value in variants.items():
            case = Case(row, field, kind, condition, value)
            yield pytest.param(case, id="-".join(filter(None, (field, condition, name))))


SUPPORTED = list(_cases())
UNSUPPORTED = [
    pytest.param(row, kind, condition, id=f"{ROW_FIELDS[row]}-{condition}")
    for row, kind, condition, supported in MATRIX
    if not supported
]


# -- the two forms --------------------------------------------------------------------------


def query_form(field: str, condition: str, value: Any) -> dict[str, list[str]]:
    """A condition as ``GET /v1/orders`` takes it: ``filters[f][conditions][$c][i]=v``."""
    values = value if isinstance(value, list) else [value]
    return {
        f"filters[{field}][conditions][{condition}][{index}]": [_query_text(item)]
        for index, item in enumerate(values)
    }


def _query_text(item: Any) -> str:
    if item is None:
        return ""
    if isinstance(item, bool):
        return "true" if item else "false"
    return str(item)


def listed_ids(client: Client, params: dict[str, Any]) -> list[str]:
    response = client.get(ORDERS, {**params, "limit": 100})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == len(body["orders"])
    return [order["id"] for order in body["orders"]]


def export_body(path: str, filters: dict[str, Any]) -> dict[str, Any]:
    parameters = {"fields": ["id", "source_id"], "filters": filters}
    if path == "/v1/exports":
        return {"exported_object": "order", "parameters": parameters}
    return {"parameters": parameters}


def exported_ids(client: Any, path: str, filters: dict[str, Any]) -> list[str]:
    """Schedule an export through ``path`` and run its stored parameters' query."""
    response = client.post_json(path, export_body(path, filters))
    assert response.status_code == 200, response.content
    export = Export.objects.get(pk=response.json()["id"])
    return list(export_queryset(export).values_list("id", flat=True))


def finished(export_id: str, timeout: float = 60.0) -> Export:
    """The export once the worker has finished it (DONE or ERROR), polled up to ``timeout``."""
    deadline = monotonic() + timeout
    while monotonic() < deadline:
        export = Export.objects.get(pk=export_id)
        if export.status in (Export.Status.DONE, Export.Status.ERROR):
            return export
        sleep(0.2)
    raise AssertionError(f"{export_id} did not finish in {timeout} s")


def allowed_conditions(row: str) -> list[str]:
    return [c for r, _, c, supported in MATRIX if r == row and supported]


# -- the "done when" ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_source_id_in_export_sent_as_the_js_sdk_sends_it_holds_exactly_those_orders(
    api_client, export_worker
):
    """``distributions.exports.create({exported_object: "order", parameters: {fields,
    filters: {junction: "and", source_id: {conditions: {$in: [...]}}}}})``, run by a real
    worker and downloaded through its ``result.url``.

    Not on ``TestMatrix``'s data set: the worker reads committed rows only.
    """
    # Given the shop's orders, two of them the ones it asks for
    wanted = [make_order(amount=1_000, source_id="shop-1001")]
    wanted.append(make_order(amount=2_000, source_id="shop-1002"))
    make_order(amount=3_000, source_id="shop-10021")
    make_order(amount=4_000, source_id="SHOP-1001")
    make_order(amount=5_000)

    # When the JS SDK schedules the export
    response = api_client.post_json(
        "/v1/exports",
        {
            "exported_object": "order",
            "parameters": {
                "fields": ["id", "source_id", "amount"],
                "filters": {
                    "junction": "and",
                    "source_id": {"conditions": {"$in": ["shop-1001", "shop-1002"]}},
                },
            },
        },
    )
    assert response.status_code == 200, response.content
    export = finished(response.json()["id"])
    assert export.status == Export.Status.DONE, export.error

    # Then its result.url downloads exactly those orders
    url = api_client.get(f"/v1/exports/{export.pk}").json()["result"]["url"]
    download = Client().get(url.removeprefix("http://testserver"))
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("utf-8")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert header == ["id", "source_id", "amount"]
    assert sorted(rows) == sorted([o.pk, o.source_id, str(o.amount)] for o in wanted)


# -- the matrix -----------------------------------------------------------------------------


def test_every_row_of_the_matrix_has_a_field_and_every_supported_pair_a_value():
    rows = {row for row, *_ in MATRIX}
    assert rows == set(ROW_FIELDS)
    assert {condition for _, _, condition, _ in MATRIX} == set(grammar.REFERENCE_CONDITIONS)
    for row, _, condition, supported in MATRIX:
        assert (condition in VALUES[ROW_FIELDS[row]]) == supported, (row, condition)


def _allowed_in(details: str) -> set[str]:
    """The conditions a 400's details say the field takes (``… and takes $in, $is.``)."""
    _, _, listed = details.rpartition("takes ")
    return set(listed.removesuffix(".").split(", "))


PAID_OR_BIG = {
    "status": {"conditions": {"$is": "PAID"}},
    "amount": {"conditions": {"$more_than": 5_000}},
}
WEB_CHANNEL_SHOP = {
    "metadata.channel": {"conditions": {"$starts_with": "web"}},
    "source_id": {"conditions": {"$contains": "shop"}},
    "created_at": {"conditions": {"$less_than_ago": 30}},
}


def _kind(field: str) -> str:
    return grammar.FIELDS[field].type if field in grammar.FIELDS else "string"


def _query(filters: dict[str, Any]) -> dict[str, list[str]]:
    """JSON filters in the query-string form."""
    params: dict[str, list[str]] = {}
    for field, body in filters.items():
        if field == "junction":
            params["filters[junction]"] = [body]
            continue
        for condition, value in body["conditions"].items():
            params.update(query_form(field, condition, value))
    return params


@pytest.fixture
def now(monkeypatch) -> datetime:
    """The moment the server's relative conditions and the predicate both count from, held
    still: a request and its check on either side of midnight would count different days."""
    moment = timezone.now()
    monkeypatch.setattr(grammar, "current_time", lambda: moment)
    return moment


@pytest.mark.django_db
class TestMatrix:
    """Every pair of the matrix, and junctions, on one data set (the class's ``data``)."""

    @pytest.mark.parametrize("case", SUPPORTED)
    def test_every_case_selects_some_orders_and_not_all(self, case: Case, data: Data):
        """The data set tells each condition apart from "every order" and "none" (except
        presence on a field every order has), so a condition ignored or matching nothing
        fails below."""
        chosen = expected_ids(data, case.field, case.kind, case.condition, case.resolved(data))
        if case.field in ALWAYS_SET and case.condition in _PRESENCE:
            return
        assert 0 < len(chosen) < len(data.orders), data.names(chosen)

    @pytest.mark.parametrize("case", SUPPORTED)
    def test_a_supported_condition_selects_exactly_its_orders_in_the_list_and_exports(
        self, case: Case, data: Data, api_client, now: datetime
    ):
        # Given the orders and a condition the field takes
        value = case.resolved(data)
        expected = expected_ids(data, case.field, case.kind, case.condition, value, now)

        # When the list is asked in the query-string form
        listed = listed_ids(api_client, query_form(case.field, case.condition, value))

        # Then it holds exactly the orders the predicate picks, each once
        assert data.names(listed) == data.names(expected)
        assert len(listed) == len(set(listed))

        # And an export of the same condition in the JSON form, through either endpoint,
        # stores parameters whose query selects the same orders
        filters = {"junction": "and", case.field: {"conditions": {case.condition: value}}}
        for path in EXPORT_PATHS:
            exported = exported_ids(api_client, path, filters)
            assert data.names(exported) == data.names(expected), path

    @pytest.mark.parametrize(("row", "kind", "condition"), UNSUPPORTED)
    def test_an_unsupported_condition_is_a_400_naming_field_condition_and_the_allowed_set(
        self, row: str, kind: str, condition: str, data: Data, api_client
    ):
        field = ROW_FIELDS[row]
        allowed = set(allowed_conditions(row))
        value = 2 if condition.startswith("$count") else "x"

        response = api_client.get(ORDERS, query_form(field, condition, value))

        details = assert_error(response, 400, "invalid_query_params")["details"]
        assert f"{field} {condition} is not supported" in details
        assert _allowed_in(details) == allowed
        for path in EXPORT_PATHS:
            filters = {field: {"conditions": {condition: [value]}}}
            response = api_client.post_json(path, export_body(path, filters))
            details = assert_error(response, 400, "invalid_payload")["details"]
            assert f".parameters.filters.{field}" in details
            assert f"{field} {condition} is not supported" in details
            assert _allowed_in(details) == allowed
        assert not Export.objects.exists()

    @pytest.mark.parametrize("junction", ["and", "or", "OR", None])
    @pytest.mark.parametrize("fields", [PAID_OR_BIG, WEB_CHANNEL_SHOP], ids=["two", "three"])
    def test_the_junction_joins_the_fields(
        self, junction, fields, data: Data, api_client, now: datetime
    ):
        # Given conditions on several fields, joined with and (the default) or or
        filters = dict(fields) if junction is None else {"junction": junction, **fields}
        picked = [
            expected_ids(data, field, _kind(field), condition, value, now)
            for field, body in fields.items()
            for condition, value in body["conditions"].items()
        ]
        either = (junction or "and").lower() == "or"
        expected = set.union(*picked) if either else set.intersection(*picked)
        assert expected not in (set(), {o.pk for o in data.orders}) and expected not in picked

        # Then the list and both exports select the orders all (and) or any (or) pick
        assert data.names(listed_ids(api_client, _query(filters))) == data.names(expected)
        for path in EXPORT_PATHS:
            exported = exported_ids(api_client, path, filters)
            assert data.names(exported) == data.names(expected), path

    @pytest.mark.parametrize(
        ("filters", "named"),
        [
            (
                {"junction": "xor", "status": {"conditions": {"$in": ["PAID"]}}},
                "junction is and or or (actual value is 'xor')",
            ),
            ({"colour": {"conditions": {"$in": ["red"]}}}, "colour is not a field"),
            ({"status": {"conditions": {"$bogus": ["PAID"]}}}, "status $bogus is not a known"),
            (
                {"metadata.note": {"conditions": {"$near": ["x"]}}},
                "metadata.note $near is not a known",
            ),
        ],
        ids=["junction", "field", "condition", "metadata-condition"],
    )
    def test_a_bad_junction_field_or_condition_is_a_400_naming_it(
        self, filters, named, data: Data, api_client
    ):
        response = api_client.get(ORDERS, _query(filters))

        details = assert_error(response, 400, "invalid_query_params")["details"]
        assert named in details
        for path in EXPORT_PATHS:
            response = api_client.post_json(path, export_body(path, filters))
            details = assert_error(response, 400, "invalid_payload")["details"]
            name = next(iter(filters))
            assert f".parameters.filters.{name}" in details
            if name != "junction":  # the API's own words for an enum
                assert named in details
        assert not Export.objects.exists()
