"""Creates the Marketing group with the permissions the dashboard's staff need."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# The group and its permissions as they were when this migration was written, frozen here as
# migrations must be: permissions added later come from later migrations, and a model that moves
# to another app takes its grants along (core.model_moves).
MARKETING_GROUP = "Marketing"
MARKETING_PERMISSIONS = [
    ("orders", "view_order"),
    ("orders", "add_order"),
    ("orders", "change_order"),
    ("orders", "export_order"),
    ("orders", "view_orderitem"),
    ("orders", "view_orderevent"),
    ("orders", "view_product"),
    ("orders", "view_sku"),
    ("orders", "view_metadataschema"),
    ("orders", "view_metadataproperty"),
    ("customers", "view_customer"),
    ("customers", "add_customer"),
    ("customers", "change_customer"),
    ("exports", "view_export"),
    ("exports", "add_export"),
]


def create_marketing_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now, for
    # the models of this migration's state (the current ones may since have moved to another
    # app, core.model_moves, and a new database must still find them under "orders" here).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=MARKETING_GROUP)
    permission_model = apps.get_model("auth", "Permission")
    for app_label, codename in MARKETING_PERMISSIONS:
        group.permissions.add(
            permission_model.objects.get(content_type__app_label=app_label, codename=codename)
        )


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
