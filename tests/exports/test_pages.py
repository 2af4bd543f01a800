"""The Export dialog, downloads, Audit log › Exports and the Notifications Center."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from exports.models import Export, Notification
from exports.services import export_queryset, purge_old_exports
from orders.models import OrderStatus
from tests.factories import MarketingUserFactory, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_export(marketing_user, export_media) -> Export:
    export = Export.objects.create(
        user=marketing_user,
        status=Export.Status.DONE,
        rows_total=1,
        rows_done=1,
        parameters={"fields": ["id"], "order": "-created_at", "filters": {}},
        finished_at=timezone.now(),
    )
    export.file.save("x.csv", ContentFile(b"id\nord_1\n"))
    return export


def test_the_dialog_shows_the_lists_filters_fields_and_count(marketing_client):
    make_order(amount=100, status=OrderStatus.PAID, metadata={"channel": "web"})
    make_order(amount=100, status=OrderStatus.CREATED)

    response = marketing_client.get(reverse("exports:new") + "?status=PAID")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Exporting 1 order matching: Status is Paid." in page
    assert 'value="metadata.channel"' in page
    assert 'value="id" id="field-1" checked' in page


def test_posting_the_dialog_schedules_an_export_and_says_where_it_will_arrive(
    marketing_client, marketing_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = marketing_client.post(
            reverse("exports:new"),
            {"query": "status=PAID", "fields": ["status", "id"], "order": "-updated_at"},
            follow=True,
        )

    export = Export.objects.get()
    assert (export.status, export.channel, export.user) == ("SCHEDULED", "WEBSITE", marketing_user)
    assert export.parameters == {
        "fields": ["status", "id"],
        "order": "-updated_at",
        "filters": {"status": ["PAID"]},
    }
    assert len(callbacks) == 1  # the job is enqueued once the row is committed
    assert "will arrive in the Notifications Center" in response.content.decode()


def test_unknown_fields_are_refused(marketing_client):
    response = marketing_client.post(reverse("exports:new"), {"fields": ["id", "password"]})

    assert response.status_code == 400
    assert "Unknown fields: password." in response.content.decode()
    assert not Export.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("operator", 200), ("colleague", 404), ("viewer", 404), ("outsider", 404)],
)
def test_only_the_owner_and_operators_may_download(
    who, status, done_export, client, operator, viewer_user, outsider
):
    users = {
        "owner": done_export.user,
        "operator": operator,
        "colleague": MarketingUserFactory(username="colleague"),
        "viewer": viewer_user,
        "outsider": outsider,
    }
    client.force_login(users[who])

    response = client.get(reverse("exports:download", args=[done_export.pk]))

    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == b"id\nord_1\n"
        assert f'filename="orders-{done_export.pk}.csv"' in response["Content-Disposition"]


def test_anonymous_users_get_404_for_downloads(client, done_export):
    assert client.get(reverse("exports:download", args=[done_export.pk])).status_code == 404


def test_the_purge_deletes_old_files_and_marks_the_exports_expired(done_export, settings):
    # Given an export finished past the retention period, and a recent one
    old = timezone.now() - timedelta(days=settings.EXPORT_RETENTION_DAYS + 1)
    Export.objects.filter(pk=done_export.pk).update(finished_at=old)
    path = done_export.file.path
    recent = Export.objects.create(status=Export.Status.DONE, finished_at=timezone.now())
    recent.file.save("y.csv", ContentFile(b"id\n"))

    # When the purge runs
    assert purge_old_exports() == 1

    # Then the old file is gone and its export marked expired; the recent one is untouched
    done_export.refresh_from_db()
    assert done_export.expired_at is not None and not done_export.file
    assert not Path(path).exists()
    recent.refresh_from_db()
    assert recent.expired_at is None and recent.downloadable


def test_audit_log_lists_the_exports_with_their_parameters(marketing_client, done_export):
    page = marketing_client.get(reverse("exports:list")).content.decode()
    detail = marketing_client.get(done_export.get_absolute_url()).content.decode()

    assert done_export.pk in page and "Download" in page and "Created, newest first" in page
    assert f"orders-{done_export.pk}.csv" in detail


def test_notifications_can_be_marked_read_one_or_all(marketing_client, marketing_user):
    first, second = (
        Notification.objects.create(user=marketing_user, title=f"n{i}") for i in range(2)
    )

    marketing_client.post(reverse("notification-read", args=[first.pk]))
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    marketing_client.post(reverse("notifications-read-all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_bell_fragment_shows_the_unread_count(marketing_client, marketing_user):
    Notification.objects.create(user=marketing_user, title="hello")

    response = marketing_client.get(reverse("notifications-bell"), HTTP_HX_REQUEST="true")

    assert 'data-unread="1"' in response.content.decode()


def test_the_bell_panel_lists_the_newest_of_the_users_own_notifications(
    marketing_client, marketing_user, viewer_user
):
    # Given ten notifications for the user and one for someone else
    for number in range(10):
        Notification.objects.create(user=marketing_user, title=f"Note {number}")
    Notification.objects.create(user=viewer_user, title="Not yours")

    # When the bell's panel is opened
    html = marketing_client.get("/notifications/?panel=1").content.decode()

    # Then it shows the newest eight, newest first, and leads to the Notifications Center
    titles = re.findall(r"Note (\d)", html)
    assert titles == ["9", "8", "7", "6", "5", "4", "3", "2"]
    assert "Not yours" not in html and "<html" not in html
    assert "Open the Notifications Center" in html
    # and every page has the (empty, hidden) panel next to the bell
    page = marketing_client.get("/orders/").content.decode()
    assert '<div id="bell-panel" class="bell-panel" hidden></div>' in page


def test_audit_log_reads_export_filters_as_sentences_never_json(marketing_client, marketing_user):
    # Given an export from the dashboard (the list's parameters) and one from the API (the
    # reference's JSON conditions)
    common = {"user": marketing_user, "status": Export.Status.DONE}
    dashboard = Export.objects.create(
        **common,
        parameters={
            "fields": ["id"],
            "order": "-created_at",
            "filters": {"status": ["PAID", "CANCELED"], "amount_min": ["10"]},
        },
    )
    api = Export.objects.create(
        **common,
        parameters={
            "fields": ["id"],
            "order": "-created_at",
            "filters": {"amount": {"conditions": {"$more_than_equal": 2500}}},
        },
    )

    # When the Audit log and an export's page are opened
    page = marketing_client.get(reverse("exports:list")).content.decode()
    detail = marketing_client.get(api.get_absolute_url()).content.decode()

    # Then their filters read as the list's chips do, without JSON or parameter names
    cells = re.findall(r'<td class="small export-filters">([^<]*)</td>', page)
    assert sorted(cells) == ["Amount ≥ $25.00", "Status is Paid or Canceled, Amount from $10.00"]
    assert '<dd id="export-filters">Amount ≥ $25.00</dd>' in detail
    assert "$more_than_equal" not in page + detail and "amount_min" not in page
    # and the sort reads as the list's Sort menu names it
    assert "<dt>Sort</dt><dd>Created, newest first</dd>" in detail
    assert "-created_at" not in page + detail
    assert dashboard.pk in page


def test_an_exports_date_filters_are_utc_days_whatever_the_sites_time_zone(
    marketing_user, settings
):
    # Given a site shown in Warsaw, and an order at 00:30 Warsaw time on 1 May (30 April UTC)
    settings.TIME_ZONE = "Europe/Warsaw"
    make_order(created_at=datetime(2026, 4, 30, 22, 30, tzinfo=UTC))
    export = Export.objects.create(
        user=marketing_user,
        parameters={
            "fields": ["id"],
            "order": "-created_at",
            "filters": {"created_after": ["2026-05-01"]},
        },
    )

    # Then the export reads 1 May as a UTC day: the order is not in it
    assert not export_queryset(export).exists()


def test_an_export_from_the_list_holds_the_rows_the_list_shows_in_the_users_zone(
    marketing_client, settings
):
    # Given a site shown in Warsaw, an order at 00:30 Warsaw time on 1 May (30 April UTC) and
    # one the evening before
    settings.TIME_ZONE = "Europe/Warsaw"
    first_of_may = make_order(created_at=datetime(2026, 4, 30, 22, 30, tzinfo=UTC))
    make_order(created_at=datetime(2026, 4, 30, 20, 0, tzinfo=UTC))
    query = "created_after=2026-05-01"
    listed = marketing_client.get(f"/orders/?{query}").content.decode()
    assert first_of_may.pk in listed

    # When the list's filters are exported from the dialog
    marketing_client.post(reverse("exports:new"), {"query": query, "fields": ["id"]})

    # Then the export keeps the zone the dates were picked in, and holds the list's one order
    export = Export.objects.get()
    assert export.parameters["time_zone"] == "Europe/Warsaw"
    assert list(export_queryset(export).values_list("pk", flat=True)) == [first_of_may.pk]


def test_a_file_gone_from_storage_leads_back_to_the_export_saying_so(done_export, client):
    done_export.file.storage.delete(done_export.file.name)  # deleted outside the app
    client.force_login(done_export.user)

    response = client.get(reverse("exports:download", args=[done_export.pk]), follow=True)

    assert response.redirect_chain == [(reverse("exports:detail", args=[done_export.pk]), 302)]
    assert response.status_code == 200
    assert "no longer in storage. Export the orders again." in response.content.decode()
