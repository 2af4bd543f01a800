"""Row estimates of large tables (core.counts)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import counts
from orders.models import Order
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute('ANALYZE "orders_order"')


def test_table_row_estimate_is_read_once_per_ttl_and_forgotten_on_request(monkeypatch):
    # Given a table of 3 orders that was analyzed
    for _ in range(3):
        make_order(amount=100, items=0)
    _analyze()

    # When the estimate is asked for twice, then the statistics are read once
    with CaptureQueriesContext(connection) as queries:
        assert counts.table_row_estimate(Order) == 3
        assert counts.table_row_estimate(Order) == 3
    assert len(queries.captured_queries) == 1

    # When the table grows and is analyzed again, the remembered figure stands until it
    # expires (or is forgotten), then the new one is read
    for _ in range(2):
        make_order(amount=100, items=0)
    _analyze()
    assert counts.table_row_estimate(Order) == 3
    now = counts.time.monotonic()
    monkeypatch.setattr(counts.time, "monotonic", lambda: now + counts.ROW_ESTIMATE_TTL_SECONDS + 1)
    assert counts.table_row_estimate(Order) == 5
    for _ in range(1):
        make_order(amount=100, items=0)
    _analyze()
    counts.forget_row_estimates()
    assert counts.table_row_estimate(Order) == 6
