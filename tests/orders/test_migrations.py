"""What the orders migrations leave in a PostgreSQL database."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes"),
]


def pattern_ops_indexes(*tables: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexdef LIKE '%%pattern_ops%%' ORDER BY indexname",
            [list(tables)],
        )
        return [name for (name,) in cursor.fetchall()]


def test_the_big_tables_have_no_like_indexes():
    # Every INSERT would write them, and no query asks LIKE 'prefix%' of these columns.
    tables = ("orders_order", "orders_orderitem", "orders_orderevent", "customers_customer")

    assert pattern_ops_indexes(*tables) == []


def test_the_catalogue_keeps_its_like_indexes_for_the_prefix_search():
    # search_catalogue asks pk__startswith of products and SKUs.
    names = pattern_ops_indexes("orders_product", "orders_sku")

    assert any(name.startswith("orders_product_id_") for name in names)
    assert any(name.startswith("orders_sku_id_") for name in names)
