"""Lets the existing Marketing group view and manage customer segments."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SEGMENT_PERMISSIONS = ["view_segment", "add_segment", "change_segment", "delete_segment"]
GROUP = "Marketing"  # core.roles.MARKETING_GROUP, frozen here as migrations must be


def add_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; the Segment ones are new.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)
    permissions = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="customers", codename__in=SEGMENT_PERMISSIONS
    )
    group.permissions.add(*permissions)


def remove_permissions(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group:
        group.permissions.remove(
            *apps.get_model("auth", "Permission").objects.filter(
                content_type__app_label="customers", codename__in=SEGMENT_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_segments_and_sort_indexes"),
        ("core", "0001_marketing_group"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
