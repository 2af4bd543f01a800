"""A model moved between apps keeps its permissions and every grant of them."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType

from core.model_moves import content_type_mover, move_content_types

pytestmark = pytest.mark.django_db


def make_type(app_label: str, model: str = "widget") -> tuple[ContentType, Permission]:
    content_type = ContentType.objects.create(app_label=app_label, model=model)
    permission = Permission.objects.create(
        content_type=content_type, codename=f"view_{model}", name=f"Can view {model}"
    )
    return content_type, permission


def test_the_content_type_takes_the_new_label_and_keeps_its_grants() -> None:
    content_type, permission = make_type("oldapp")
    group = Group.objects.create(name="Shop staff")
    group.permissions.add(permission)

    move_content_types(apps, "oldapp", "newapp", ["widget"])

    content_type.refresh_from_db()
    assert content_type.app_label == "newapp"
    assert group.permissions.get().content_type == content_type


def test_when_the_new_label_exists_the_grants_move_to_its_permissions() -> None:
    _, old_permission = make_type("oldapp")
    new_type, new_permission = make_type("newapp")
    group = Group.objects.create(name="Shop staff")
    group.permissions.add(old_permission)
    user = User.objects.create(username="ana")
    user.user_permissions.add(old_permission)

    move_content_types(apps, "oldapp", "newapp", ["widget"])

    assert not ContentType.objects.filter(app_label="oldapp", model="widget").exists()
    assert list(group.permissions.all()) == [new_permission]
    assert list(user.user_permissions.all()) == [new_permission]
    assert new_type.permission_set.count() == 1


def test_a_move_runs_backwards_and_skips_what_is_not_there() -> None:
    make_type("oldapp")
    forward, backward = content_type_mover("oldapp", "newapp", ["widget", "absent"])

    forward(apps, None)
    assert ContentType.objects.filter(app_label="newapp", model="widget").exists()
    backward(apps, None)
    assert ContentType.objects.filter(app_label="oldapp", model="widget").exists()
    assert not ContentType.objects.filter(model="absent").exists()
