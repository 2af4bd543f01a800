"""Moving ``AsyncAction`` (``async_actions`` → ``imports``) and ``ApiKey`` (``api`` →
``core``) keeps their tables, their rows and who may use them (issue 17).

The ``async_actions`` app is gone, so its migrations cannot be run any more: the table is
rebuilt here exactly as they left it, from the SQL ``manage.py sqlmigrate async_actions 0001``
and ``0002`` printed before the app was removed.
"""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.models import ApiKey
from imports.models import AsyncAction

TABLE = "async_actions_asyncaction"

# ``sqlmigrate async_actions 0001_initial`` and ``0002_heartbeat``, as the app left them.
ASYNC_ACTIONS_SQL = [
    'CREATE TABLE "async_actions_asyncaction" ("id" varchar(27) NOT NULL PRIMARY KEY, "type" '
    'varchar(32) NOT NULL, "status" varchar(16) NOT NULL, "actor_label" varchar(255) NOT NULL, '
    '"request_id" varchar(64) NOT NULL, "payload" jsonb NOT NULL, "result" jsonb NULL, '
    '"attempts" smallint NOT NULL CHECK ("attempts" >= 0), "created_at" timestamp with time '
    'zone NOT NULL, "updated_at" timestamp with time zone NOT NULL, "started_at" timestamp with '
    'time zone NULL, "finished_at" timestamp with time zone NULL, "api_key_id" bigint NULL)',
    'ALTER TABLE "async_actions_asyncaction" ADD CONSTRAINT '
    '"async_actions_asyncaction_api_key_id_bc13c2d1_fk_api_apikey_id" FOREIGN KEY '
    '("api_key_id") REFERENCES "api_apikey" ("id") DEFERRABLE INITIALLY DEFERRED',
    'CREATE INDEX "async_actions_asyncaction_id_6aca62fa_like" ON "async_actions_asyncaction" '
    '("id" varchar_pattern_ops)',
    'CREATE INDEX "async_actions_asyncaction_api_key_id_bc13c2d1" ON '
    '"async_actions_asyncaction" ("api_key_id")',
    'CREATE INDEX "async_action_created_idx" ON "async_actions_asyncaction" '
    '("created_at" DESC, "id" DESC)',
    'ALTER TABLE "async_actions_asyncaction" ADD COLUMN "heartbeat_at" timestamp with time '
    "zone NULL",
]

# Where the two moves were not made yet (``imports`` did not exist).
BEFORE = [("core", "0002_user_preference"), ("api", "0001_initial"), ("imports", None)]


def structure(table: str) -> dict[str, list[tuple[str, ...]]]:
    """The table's columns, indexes and constraints as PostgreSQL holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type, is_nullable "
            "FROM information_schema.columns WHERE table_name = %s ORDER BY column_name",
            [table],
        )
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", [table]
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY 1",
            [table],
        )
        constraints = cursor.fetchall()
    return {"columns": columns, "indexes": indexes, "constraints": constraints}


def migrate(targets: list[tuple[str, str | None]] | None = None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_an_existing_database_keeps_its_keys_actions_and_grants():
    # Given the test database, where imports 0001 created the table (a fresh database)
    fresh = structure(TABLE)
    # and a database as it was before the moves: the key in api, the table async_actions'
    executor = migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{TABLE}"')
        for statement in ASYNC_ACTIONS_SQL:
            cursor.execute(statement)
    # (the same table either way: names of its columns, indexes and constraints included)
    assert structure(TABLE) == fresh
    old = executor.loader.project_state(
        [("api", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    ).apps
    key = old.get_model("api", "ApiKey").objects.create(name="shop", token_hash="x" * 64)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{TABLE}" (id, type, status, actor_label, request_id, payload, '
            "attempts, created_at, updated_at, api_key_id, heartbeat_at) VALUES ('aa_old', "
            "'ORDERS.IMPORT', 'DONE', 'API key shop', '', '[{\"amount\": 1}]', 1, now(), "
            "now(), %s, NULL)",
            [key.pk],
        )
    content_types = old.get_model("contenttypes", "ContentType")
    permissions = old.get_model("auth", "Permission")
    granted = []
    for app_label, model in (("async_actions", "asyncaction"), ("api", "apikey")):
        content_type, _ = content_types.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = permissions.objects.get_or_create(
            content_type=content_type, codename=f"view_{model}", defaults={"name": "view"}
        )
        granted.append(permission)
    group, _ = old.get_model("auth", "Group").objects.get_or_create(name="Marketing")
    group.permissions.add(*granted)

    # When it is migrated to the latest
    migrate()
    ContentType.objects.clear_cache()

    # Then the rows are read through the new models, the key still linked
    action = AsyncAction.objects.select_related("api_key").get(pk="aa_old")
    assert action.api_key == ApiKey.objects.get(name="shop")
    assert action.payload == [{"amount": 1}] and action.status == AsyncAction.Status.DONE
    assert structure(TABLE) == fresh
    # and the group holds the same permissions under the new labels, the old labels gone
    held = Group.objects.get(name="Marketing").permissions.filter(
        codename__in=["view_asyncaction", "view_apikey"]
    )
    assert sorted(held.values_list("content_type__app_label", "codename")) == [
        ("core", "view_apikey"),
        ("imports", "view_asyncaction"),
    ]
    assert not ContentType.objects.filter(app_label__in=["async_actions", "api"]).exists()


@pytest.mark.django_db(transaction=True)
def test_undoing_the_move_keeps_the_table_and_doing_it_again_keeps_the_rows():
    # Given an action
    AsyncAction.objects.create(type=AsyncAction.Type.ORDERS_IMPORT, payload=[{}])

    # When imports 0001 is undone and done again
    migrate([("imports", None)])
    assert TABLE in connection.introspection.table_names()  # the old code's table stays
    migrate()

    # Then the action is still there
    assert AsyncAction.objects.count() == 1
