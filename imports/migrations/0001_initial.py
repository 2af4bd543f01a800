"""``AsyncAction`` comes from the ``async_actions`` app, which is gone (issue 17).

Its table keeps its name (``async_actions_asyncaction``), its rows and its indexes:

- on a database where ``async_actions`` 0001 and 0002 ran, the table is there and this
  migration only takes the model into ``imports``' state (and its content type, so its
  permissions and their grants, into the ``imports`` label);
- on a fresh database nothing else creates it any more, so ``create_table_if_missing`` does,
  exactly as those two migrations did (same table, column, index and constraint names: Django
  derives them from the table's name).

Undone, the table and its rows stay: the code of before the move expects them.
"""

import django.db.models.deletion
from django.db import migrations, models

import imports.models
from core.model_moves import content_type_mover


def create_table_if_missing(apps, schema_editor):
    model = apps.get_model("imports", "AsyncAction")
    if model._meta.db_table not in schema_editor.connection.introspection.table_names():
        schema_editor.create_model(model)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0003_apikey"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AsyncAction",
                    fields=[
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "id",
                            models.CharField(
                                default=imports.models.new_async_action_id,
                                editable=False,
                                max_length=27,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "type",
                            models.CharField(
                                choices=[("ORDERS.IMPORT", "Orders import")], max_length=32
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("ENQUEUED", "Enqueued"),
                                    ("IN_PROGRESS", "In progress"),
                                    ("DONE", "Done"),
                                    ("FAILED", "Failed"),
                                ],
                                default="ENQUEUED",
                                max_length=16,
                            ),
                        ),
                        ("actor_label", models.CharField(blank=True, max_length=255)),
                        ("request_id", models.CharField(blank=True, max_length=64)),
                        (
                            "payload",
                            models.JSONField(
                                blank=True, default=list, help_text="What the job works on."
                            ),
                        ),
                        ("result", models.JSONField(blank=True, null=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "api_key",
                            models.ForeignKey(
                                blank=True,
                                help_text="The application key that started it.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="async_actions",
                                to="core.apikey",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "async_actions_asyncaction",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["-created_at", "-id"], name="async_action_created_idx"
                            )
                        ],
                    },
                ),
            ],
        ),
        # A separate operation: a RunPython inside SeparateDatabaseAndState would see the state
        # before the model was added.
        migrations.RunPython(create_table_if_missing, migrations.RunPython.noop),
        migrations.RunPython(*content_type_mover("async_actions", "imports", ["asyncaction"])),
    ]
