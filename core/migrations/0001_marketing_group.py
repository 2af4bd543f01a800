"""Creates the Marketing group with the permissions the dashboard's staff need."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from core.roles import MARKETING_GROUP, ensure_marketing_group


def create_marketing_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    ensure_marketing_group(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_marketing_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=MARKETING_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0001_initial"),
        ("orders", "0001_initial"),
        ("exports", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_marketing_group, remove_marketing_group)]
