"""``ApiKey`` moves from ``api`` to ``core`` (issue 17): the API's import jobs name the key that
started them, and ``imports`` sits below ``api``. The table ``api_apikey`` and its rows stay;
only the migration state and the content type (so its permissions) change app."""

import django.utils.timezone
from django.db import migrations, models

import core.models
from core.model_moves import content_type_mover


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_user_preference"),
        ("api", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "name",
                            models.CharField(
                                help_text="Shown as the actor in orders' Activity.",
                                max_length=100,
                                unique=True,
                            ),
                        ),
                        (
                            "app_id",
                            models.CharField(
                                default=core.models.new_app_id,
                                max_length=36,
                                unique=True,
                                verbose_name="app ID",
                            ),
                        ),
                        ("token_hash", models.CharField(editable=False, max_length=64)),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        (
                            "last_used_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        (
                            "revoked_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                    ],
                    options={
                        "verbose_name": "API key",
                        "db_table": "api_apikey",
                        "ordering": ["name"],
                    },
                ),
            ],
        ),
        migrations.RunPython(*content_type_mover("api", "core", ["apikey"])),
    ]
