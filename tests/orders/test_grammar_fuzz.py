"""Any filters a client can send, generated: the grammar either refuses them with a message or
gives a query PostgreSQL runs (never an exception of another kind: that would be a 500)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metadata.models import MetadataProperty, MetadataSchema
from orders import grammar
from orders.filters import OrderFilter
from orders.models import Order
from orders.reference_filters import filters_query
from tests.factories import make_order

pytestmark = pytest.mark.django_db

SCHEMA_KEYS = {
    "score": "number",
    "note": "string",
    "day": "date",
    "at": "datetime",
    "vip": "boolean",
}
FIELDS = [*grammar.FIELDS, *(f"metadata.{key}" for key in SCHEMA_KEYS), "metadata.free", "nope"]
CONDITIONS = [*grammar.REFERENCE_CONDITIONS, "$bogus"]
TEXTS = st.text(min_size=0, max_size=12)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXTS,
    st.sampled_from(
        ["PAID", "2026-05-01", "9999-12-31", "0001-01-01", "2026-05-01T10:00:00+23:59",
         "9999-12-31T23:59:59-23:59", "2026-02-30", "36500", "-1", "1e400", "web", "%", "_"]
    ),
)  # fmt: skip
CONDITION_VALUES = st.one_of(VALUES, st.lists(VALUES, max_size=3), st.dictionaries(TEXTS, VALUES))
FILTERS = st.dictionaries(
    st.sampled_from(FIELDS),
    st.one_of(
        st.fixed_dictionaries(
            {"conditions": st.dictionaries(st.sampled_from(CONDITIONS), CONDITION_VALUES)}
        ),
        VALUES,
    ),
    max_size=3,
).flatmap(
    lambda fields: st.one_of(
        st.just(fields),
        st.sampled_from(["and", "or", "OR", "xor", ""]).map(lambda j: {**fields, "junction": j}),
    )
)


@pytest.fixture
def orders():
    schema = MetadataSchema.objects.create(related_object="order")
    for key, kind in SCHEMA_KEYS.items():
        MetadataProperty.objects.create(schema=schema, name=key, type=kind)
    make_order(items=0, source_id="web-1", metadata={"score": 5, "note": "Hi", "day": "2026-05-01"})
    make_order(
        items=0, source_id=None, metadata={"free": "2026-05-01", "at": "2026-05-01T10:00:00.000Z"}
    )


@settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(filters=FILTERS)
def test_any_filters_are_refused_with_a_message_or_run(orders, filters):
    # The JSON form (exports, the stats' and the list's query-string form go through it too)
    try:
        query = filters_query(filters, "-created_at")
    except ValidationError:
        return
    order_filter = OrderFilter(query, queryset=Order.objects.all())
    if not order_filter.is_valid():
        assert all(order_filter.form.errors.values())  # each refusal says something
        return
    with transaction.atomic():  # a database error must not be what stops a bad filter
        list(order_filter.qs.values_list("pk", flat=True))
