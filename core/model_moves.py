"""Moving a model to another app keeps its table, its rows and who may use it.

A move is two migrations with ``SeparateDatabaseAndState`` (the new app creates the model in
the migration state over the old table, the old app deletes it from the state only) plus
:func:`move_content_types`, so the permissions granted on the old app label (the Marketing
group's, a user's own) are the new label's afterwards. Migrations import this module, so it
must keep working on historical models: it uses only ``apps.get_model``.
"""

from typing import Any


def move_content_types(apps: Any, old_label: str, new_label: str, models: list[str]) -> None:
    """Give the content types (and so the permissions) of ``models`` the app label ``new_label``.

    ``models`` are lower-case model names. When the new label's content type already exists
    (permissions created by an earlier data migration for every app in the state), every grant
    of the old permissions moves to the new permission of the same codename and the old
    content type goes.
    """
    content_types = apps.get_model("contenttypes", "ContentType")
    permissions = apps.get_model("auth", "Permission")
    for model in models:
        old = content_types.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        new = content_types.objects.filter(app_label=new_label, model=model).first()
        if new is None:
            old.app_label = new_label
            old.save(update_fields=["app_label"])
            continue
        for permission in permissions.objects.filter(content_type=old):
            target, _ = permissions.objects.get_or_create(
                content_type=new, codename=permission.codename, defaults={"name": permission.name}
            )
            for group in permission.group_set.all():
                group.permissions.add(target)
            for user in permission.user_set.all():
                user.user_permissions.add(target)
        old.delete()


def content_type_mover(old_label: str, new_label: str, models: list[str]) -> tuple[Any, Any]:
    """The forward and backward functions of a ``RunPython`` that moves these content types."""

    def forward(apps: Any, schema_editor: Any) -> None:
        move_content_types(apps, old_label, new_label, models)

    def backward(apps: Any, schema_editor: Any) -> None:
        move_content_types(apps, new_label, old_label, models)

    return forward, backward
