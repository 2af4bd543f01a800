"""What the migrations leave in the database: the indexes the planner relies on."""

import re
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Index, Model

pytestmark = pytest.mark.django_db

# metadata and catalog moved out of orders with their tables, still named orders_metadataschema,
# orders_metadataproperty, orders_product and orders_sku.
APPS = ("orders", "customers", "exports", "metadata", "catalog")

# Every index of the orders, customers and exports tables after ``migrate`` on an empty
# database, as ``pg_indexes`` shows it ("UNIQUE " + the definition after "ON public."). The
# list pages, the search and the exports are planned around these: a migration that adds,
# drops or changes one must say so here.
INDEXES = {
    "customer_count_idx": "customers_customer USING btree (orders_total_count, id)",
    "customer_created_idx": "customers_customer USING btree (created_at, id)",
    "customer_email_sort_idx": "customers_customer USING btree (email, id)",
    "customer_email_trgm_idx": "customers_customer USING gin (upper((email)::text) gin_trgm_ops)",
    "customer_last_order_desc_idx": (
        "customers_customer USING btree (orders_last_order_date DESC NULLS LAST, id DESC)"
    ),
    "customer_last_order_idx": "customers_customer USING btree (orders_last_order_date, id)",
    "customer_name_idx": "customers_customer USING btree (name, id)",
    "customer_name_trgm_idx": "customers_customer USING gin (upper((name)::text) gin_trgm_ops)",
    "customer_id_trgm_idx": "customers_customer USING gin (upper((id)::text) gin_trgm_ops)",
    "customer_search_words_idx": (
        "customers_customer USING gin (array_to_tsvector(array_remove(regexp_split_to_array("
        "lower((((name)::text || ' '::text) || (email)::text)), '[^[:alnum:]]+'::text), "
        "''::text)))"
    ),
    "customer_source_sort_idx": "customers_customer USING btree (source_id, id)",
    "customer_spent_idx": "customers_customer USING btree (orders_total_amount, id)",
    "customers_customer_created_at_b0f7c38c": "customers_customer USING btree (created_at)",
    "customers_customer_email_300e404b": "customers_customer USING btree (email)",
    "customers_customer_pkey": "UNIQUE customers_customer USING btree (id)",
    "customers_customer_source_id_key": "UNIQUE customers_customer USING btree (source_id)",
    "customers_segment_owner_id_4e8a3405": "customers_segment USING btree (owner_id)",
    "customers_segment_pkey": "UNIQUE customers_segment USING btree (id)",
    "segment_name_uniq": "UNIQUE customers_segment USING btree (name)",
    "export_status_idx": "exports_export USING btree (status)",
    "export_user_idx": "exports_export USING btree (user_id, created_at DESC)",
    "exports_export_id_ca601663_like": "exports_export USING btree (id varchar_pattern_ops)",
    "exports_export_pkey": "UNIQUE exports_export USING btree (id)",
    "exports_export_user_id_667d37db": "exports_export USING btree (user_id)",
    "exports_notification_export_id_06f968f8": "exports_notification USING btree (export_id)",
    "exports_notification_export_id_06f968f8_like": (
        "exports_notification USING btree (export_id varchar_pattern_ops)"
    ),
    "exports_notification_pkey": "UNIQUE exports_notification USING btree (id)",
    "exports_notification_user_id_5c5a8c1d": "exports_notification USING btree (user_id)",
    "notif_user_idx": "exports_notification USING btree (user_id, read_at, created_at DESC)",
    "metadata_property_uniq": "UNIQUE orders_metadataproperty USING btree (schema_id, name)",
    "orders_metadataproperty_pkey": "UNIQUE orders_metadataproperty USING btree (id)",
    "orders_metadataproperty_schema_id_7505a4df": "orders_metadataproperty USING btree (schema_id)",
    "orders_metadataproperty_schema_id_7505a4df_like": (
        "orders_metadataproperty USING btree (schema_id varchar_pattern_ops)"
    ),
    "orders_metadataschema_id_121a5e77_like": (
        "orders_metadataschema USING btree (id varchar_pattern_ops)"
    ),
    "orders_metadataschema_pkey": "UNIQUE orders_metadataschema USING btree (id)",
    "orders_metadataschema_related_object_f94e5c2e_like": (
        "orders_metadataschema USING btree (related_object varchar_pattern_ops)"
    ),
    "orders_metadataschema_related_object_key": (
        "UNIQUE orders_metadataschema USING btree (related_object)"
    ),
    "order_amount_idx": "orders_order USING btree (amount, id)",
    "order_created_idx": "orders_order USING btree (created_at, id)",
    "order_customer_idx": (
        "orders_order USING btree (customer_id, created_at) "
        "INCLUDE (status, amount, total_amount, total_discount_amount)"
    ),
    "order_discount_idx": (
        "orders_order USING btree (discount_amount, id) WHERE (discount_amount > 0)"
    ),
    "order_items_discount_idx": (
        "orders_order USING btree (items_discount_amount, id) WHERE (items_discount_amount > 0)"
    ),
    "order_metadata_idx": "orders_order USING gin (metadata)",
    "order_referrer_idx": "orders_order USING btree (referrer_id, created_at)",
    "order_source_id_trgm_idx": "orders_order USING gin (upper((source_id)::text) gin_trgm_ops)",
    "order_source_id_prefix_idx": (
        "orders_order USING btree (upper((source_id)::text) text_pattern_ops)"
    ),
    "order_status_amount_idx": "orders_order USING btree (status, amount, id, created_at)",
    "order_status_created_idx": "orders_order USING btree (status, created_at, id)",
    "order_status_idx": "orders_order USING btree (status, id)",
    "order_total_discount_idx": (
        "orders_order USING btree (total_discount_amount, id) WHERE (total_discount_amount > 0)"
    ),
    "order_total_idx": "orders_order USING btree (total_amount, id)",
    "order_updated_idx": "orders_order USING btree (updated_at, id)",
    "orders_order_creation_key_key": "UNIQUE orders_order USING btree (creation_key)",
    "orders_order_pkey": "UNIQUE orders_order USING btree (id)",
    "orders_order_source_id_key": "UNIQUE orders_order USING btree (source_id)",
    "order_event_order_idx": "orders_orderevent USING btree (order_id, created_at DESC)",
    "orders_orderevent_actor_user_id_fd80d104": "orders_orderevent USING btree (actor_user_id)",
    "orders_orderevent_pkey": "UNIQUE orders_orderevent USING btree (id)",
    "order_item_position_uniq": 'UNIQUE orders_orderitem USING btree (order_id, "position")',
    "orders_orderitem_pkey": "UNIQUE orders_orderitem USING btree (id)",
    "orders_orderitem_product_id_afe4254a": "orders_orderitem USING btree (product_id)",
    "orders_orderitem_sku_id_b2338e9b": "orders_orderitem USING btree (sku_id)",
    "orders_product_id_15add5b5_like": "orders_product USING btree (id varchar_pattern_ops)",
    "orders_product_pkey": "UNIQUE orders_product USING btree (id)",
    "orders_product_source_id_262477a3_like": (
        "orders_product USING btree (source_id varchar_pattern_ops)"
    ),
    "orders_product_source_id_key": "UNIQUE orders_product USING btree (source_id)",
    "product_name_idx": "orders_product USING btree (name)",
    "orders_savedview_owner_id_b80331bb": "orders_savedview USING btree (owner_id)",
    "orders_savedview_pkey": "UNIQUE orders_savedview USING btree (id)",
    "saved_view_owner_name_uniq": "UNIQUE orders_savedview USING btree (owner_id, name)",
    "orders_sku_id_eaab3514_like": "orders_sku USING btree (id varchar_pattern_ops)",
    "orders_sku_pkey": "UNIQUE orders_sku USING btree (id)",
    "orders_sku_product_id_0da22b29": "orders_sku USING btree (product_id)",
    "orders_sku_product_id_0da22b29_like": (
        "orders_sku USING btree (product_id varchar_pattern_ops)"
    ),
    "orders_sku_source_id_20d26794_like": "orders_sku USING btree (source_id varchar_pattern_ops)",
    "orders_sku_source_id_key": "UNIQUE orders_sku USING btree (source_id)",
    "orders_wizarddraft_pkey": "UNIQUE orders_wizarddraft USING btree (id)",
    "wizard_draft_user_uniq": "UNIQUE orders_wizarddraft USING btree (user_id, wizard)",
}


def index_definitions(*prefixes: str) -> dict[str, str]:
    """``pg_indexes`` of the tables whose names start with ``prefixes``, as in ``INDEXES``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename ~ %s",
            [f"^({'|'.join(prefixes)})_"],
        )
        rows = cursor.fetchall()
    pattern = re.compile(r"CREATE (UNIQUE )?INDEX \S+ ON \S+?\.(.*)")
    definitions = {}
    for name, definition in rows:
        match = pattern.fullmatch(definition)
        assert match, definition
        definitions[name] = (match[1] or "") + match[2]
    return definitions


def test_the_migrations_leave_exactly_the_indexes_the_queries_are_planned_around():
    assert index_definitions(*APPS) == INDEXES


def declared_indexes() -> list[Any]:
    return [
        pytest.param(model, index, id=index.name)
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        for index in model._meta.indexes
    ]


@pytest.mark.parametrize(("model", "index"), declared_indexes())
def test_each_index_declared_in_meta_is_the_one_in_the_database(
    model: type[Model], index: Index
) -> None:
    # Some indexes were built in SQL by their migrations and only declared later: the
    # declaration must describe what was built, or a future AlterField or makemigrations
    # would act on an index that is not there.
    built = index_definitions(*APPS).get(index.name)
    assert built is not None, f"{index.name} is declared but not in the database"

    # When Django builds the declared index under another name (rolled back)
    probe = index.clone()
    probe.name = "declared_probe_idx"
    with transaction.atomic():
        with connection.schema_editor(atomic=False) as editor:
            editor.add_index(model, probe)
        made = index_definitions(*APPS)["declared_probe_idx"]
        transaction.set_rollback(True)

    # Then it is the same index
    assert made == built


def pattern_ops_indexes(*tables: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexdef LIKE '%%pattern_ops%%' ORDER BY indexname",
            [list(tables)],
        )
        return [name for (name,) in cursor.fetchall()]


def test_the_big_tables_have_no_like_indexes_but_the_source_ids_beginning():
    # Every INSERT writes them. Only the filter grammar's $starts_with on an order's source ID
    # asks UPPER(source_id) LIKE 'PREFIX%' (orders/0017); Django's per-column ones are dropped.
    tables = ("orders_order", "orders_orderitem", "orders_orderevent", "customers_customer")

    assert pattern_ops_indexes(*tables) == ["order_source_id_prefix_idx"]


def test_the_catalogue_keeps_its_like_indexes_for_the_prefix_search():
    # search_catalogue asks pk__startswith of products and SKUs.
    names = pattern_ops_indexes("orders_product", "orders_sku")

    assert any(name.startswith("orders_product_id_") for name in names)
    assert any(name.startswith("orders_sku_id_") for name in names)


def test_the_amounts_have_the_finer_statistics_the_filters_are_planned_around():
    # With the default 100-bucket histogram, "amount > its 99.99th percentile" is estimated at
    # thousands of orders and planned as a walk of every order by date (0015's docstring).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstattarget FROM pg_attribute "
            "WHERE attrelid = 'orders_order'::regclass AND attname = ANY(%s)",
            [["amount", "total_amount", "discount_amount", "items_discount_amount",
              "total_discount_amount"]],
        )  # fmt: skip
        targets = dict(cursor.fetchall())

    assert targets == {
        "amount": 1000,
        "total_amount": 1000,
        "discount_amount": 1000,
        "items_discount_amount": 1000,
        "total_discount_amount": 1000,
    }
