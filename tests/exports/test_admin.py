"""The operators' admin for export jobs and notifications."""

from typing import Any

import pytest
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from exports.models import Export, Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def exports_url(model: str, view: str, *args: Any) -> str:
    # Ids hold "_", which the admin escapes in its URLs.
    return reverse(f"admin:exports_{model}_{view}", args=[quote(arg) for arg in args])


@pytest.fixture
def media_root(settings, tmp_path):
    """Export files go to a throw-away folder, not the project's var/."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def export(operator, media_root) -> Export:
    """A finished export with its CSV file in storage."""
    export = Export.objects.create(user=operator, status=Export.Status.DONE, rows_total=1)
    export.file.save("orders.csv", ContentFile(b"id\nord_1\n"))
    return export


@pytest.fixture
def notification(operator, export) -> Notification:
    return Notification.objects.create(
        user=operator, kind=Notification.Kind.EXPORT_READY, title="Export ready", export=export
    )


# --- Every page loads ---------------------------------------------------------------------


@pytest.mark.parametrize("model", ["export", "notification"])
def test_changelist_loads(operator_client, export, notification, model):
    response = operator_client.get(exports_url(model, "changelist"))

    assert response.status_code == 200
    assert export.pk in response.content.decode()


def test_export_pages_are_read_only_but_deletable(operator_client, export):
    # When the operator opens an export, its delete page, and tries to add one
    change = operator_client.get(exports_url("export", "change", export.pk))
    delete = operator_client.get(exports_url("export", "delete", export.pk))
    add = operator_client.get(exports_url("export", "add"))

    # Then the job is shown read-only (token included), may be deleted, and not added by hand
    assert change.status_code == 200
    assert not change.context["has_change_permission"]
    assert export.token in change.content.decode()
    assert delete.status_code == 200
    assert add.status_code == 403


@pytest.mark.parametrize("view", ["change", "delete"])
def test_notification_change_and_delete_pages_load(operator_client, notification, view):
    assert (
        operator_client.get(exports_url("notification", view, notification.pk)).status_code == 200
    )


def test_notification_add_page_loads(operator_client):
    assert operator_client.get(exports_url("notification", "add")).status_code == 200


def test_a_marketing_user_is_sent_to_the_admin_login(marketing_client):
    response = marketing_client.get(exports_url("export", "changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# --- Behaviour ------------------------------------------------------------------------------


def test_deleting_an_export_removes_its_file(
    operator_client, export, django_capture_on_commit_callbacks
):
    # Given an export whose file is in storage
    name = export.file.name
    assert default_storage.exists(name)

    # When the operator deletes it
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(exports_url("export", "delete", export.pk), {"post": "yes"})

    # Then the job and its file are gone
    assert response.status_code == 302
    assert not Export.objects.filter(pk=export.pk).exists()
    assert not default_storage.exists(name)


def test_staff_without_view_all_exports_see_only_their_own(export):
    # Given a staff member who may view exports, but not everyone's
    staff = UserFactory(username="clerk", is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(codename="view_export", content_type__app_label="exports")
    )
    own = Export.objects.create(user=staff)
    client = Client()
    client.force_login(staff)

    # When they open the exports list
    response = client.get(exports_url("export", "changelist"))

    # Then only their own export is listed, and the operator's is out of reach
    assert list(response.context["cl"].result_list) == [own]
    assert client.get(exports_url("export", "change", export.pk)).status_code == 302


def test_operator_sends_a_notification(operator_client, operator):
    # When the operator adds a notification for a user
    response = operator_client.post(
        exports_url("notification", "add"),
        {"user": operator.pk, "kind": Notification.Kind.INFO, "title": "Maintenance tonight"},
    )

    # Then it is in the user's notifications, unread
    assert response.status_code == 302
    notification = Notification.objects.get(title="Maintenance tonight")
    assert (notification.user, notification.read_at) == (operator, None)
