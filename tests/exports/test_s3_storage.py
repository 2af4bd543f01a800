"""Exports on S3-compatible object storage, end to end: moto's S3 server on a free local port,
a real Celery worker writing there, both downloads streaming from the bucket, purge deleting
there, and ``/health/`` probing it. Nothing here is skipped: the ``test`` extra has moto."""

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse
from django.test import Client
from django.utils import timezone
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from exports.downloads import open_export_file
from exports.models import Export
from exports.services import delete_export, run_export, schedule_export
from exports.tasks import purge_old_exports
from orders.models import OrderStatus
from tests.factories import MarketingUserFactory, UserFactory, make_order

pytestmark = [pytest.mark.s3, pytest.mark.django_db(transaction=True)]

S3_BACKEND = "storages.backends.s3.S3Storage"


@pytest.fixture
def s3_server() -> Iterator[str]:
    """moto's S3-compatible server on a free port of 127.0.0.1; its endpoint URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_server: str, settings, monkeypatch) -> Any:
    """A new private bucket on ``s3_server`` behind the default storage, for this process and,
    by the environment the settings read, for a worker started after it."""
    # moto keeps its buckets in the process, beyond one server: each test has its own.
    name = f"campaign-hub-{uuid.uuid4().hex[:12]}"
    env = {
        "DEFAULT_STORAGE_BACKEND": S3_BACKEND,
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test-key-id",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
    }
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    bucket = boto3.resource("s3", endpoint_url=s3_server, region_name="us-east-1").Bucket(name)
    bucket.create()
    # What config/settings.py makes of that environment (the worker reads it from there).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": S3_BACKEND,
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "addressing_style": None,
                "location": "",
                "default_acl": None,
                "file_overwrite": True,
            },
        },
    }
    # Overriding STORAGES resets django.core.files.storage.storages (and default_storage) by
    # Django's setting_changed receiver, and again when the settings fixture restores them.
    assert isinstance(default_storage, S3Storage)
    return bucket


def keys(bucket: Any) -> list[str]:
    return [listed.key for listed in bucket.objects.all()]


def streamed(response: FileResponse) -> bytes:
    assert response.status_code == 200 and response.streaming  # bytes, not a redirect
    return b"".join(response.streaming_content)


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_an_export_is_written_downloaded_and_purged_on_s3(
    s3_bucket, celery_worker, wait_for_export
):
    # Given orders and Ann, who may export them, on a storage that is an S3 bucket
    ann = MarketingUserFactory(username="ann")
    paid = make_order(amount=1_250, status=OrderStatus.PAID, source_id="paid-one")
    make_order(amount=990, status=OrderStatus.CREATED, source_id="unpaid-one")

    # When she exports them and the real worker (its storage from the environment) runs it
    export = wait_for_export(
        schedule_export(ann, Export.Channel.WEBSITE, fields=["id", "source_id", "amount"])
    )

    # Then the CSV is an object in the bucket, under the export's one name
    assert export.status == Export.Status.DONE, export.error
    assert keys(s3_bucket) == [export.file.name]
    stored = s3_bucket.Object(export.file.name).get()["Body"].read()
    assert stored.decode().splitlines()[0] == "id,source_id,amount"
    assert f"{paid.pk},paid-one,1250" in stored.decode()

    # And downloads read the object's body as it arrives, not a copy of the whole object that
    # django-storages' S3File would first make in memory
    stream, size = open_export_file(export)
    assert isinstance(stream, StreamingBody) and size == len(stored)
    stream.close()

    # And the dashboard's download streams those bytes from the bucket, as an attachment
    dashboard = Client()
    dashboard.force_login(ann)
    download = dashboard.get(export.get_download_url())
    assert streamed(download) == stored
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="orders-{export.pk}.csv"'
    assert download["Content-Length"] == str(len(stored))
    assert "Location" not in download

    # And so does the API's token link, without key headers
    api = Client().get(f"/v1/exports/{export.pk}?token={export.token}")
    assert streamed(api) == stored
    assert api["Content-Type"].startswith("text/plain")
    assert api["Content-Disposition"] == f'inline; filename="orders-{export.pk}.csv"'

    # When the export is past retention and the worker runs the purge
    Export.objects.filter(pk=export.pk).update(finished_at=timezone.now() - timedelta(days=400))
    purge_old_exports.delay()

    # Then the object is gone from the bucket and the export is expired
    wait_until(lambda: Export.objects.get(pk=export.pk).expired_at is not None)
    assert keys(s3_bucket) == []
    assert Client().get(f"/v1/exports/{export.pk}?token={export.token}").status_code == 404


def test_health_writes_and_deletes_its_probe_in_the_bucket(s3_bucket, client, settings):
    settings.HEALTH_WORKER_TIMEOUT = 0.2  # no worker runs beside this test
    client.force_login(UserFactory(is_staff=True))

    storage = client.get("/health/").json()["checks"]["storage"]

    assert storage["status"] == "ok"
    assert storage["detail"] == "S3Storage: a file written and deleted"
    assert keys(s3_bucket) == []  # the probe cleaned up after itself


def test_a_rerun_replaces_the_object_and_a_delete_removes_it(s3_bucket):
    # Given an export written to the bucket
    make_order(amount=100)
    export = schedule_export(None, Export.Channel.API)
    run_export(export.pk)
    export.refresh_from_db()
    assert keys(s3_bucket) == [export.file.name] and export.rows_done == 1

    # When its task is delivered again after a worker died, with one more order by then
    make_order(amount=200)
    stale = timezone.now() - timedelta(hours=1)
    Export.objects.filter(pk=export.pk).update(status=Export.Status.IN_PROGRESS, heartbeat_at=stale)
    run_export(export.pk)

    # Then the same object holds the new file, no second one was added
    export.refresh_from_db()
    assert (export.status, export.rows_done) == (Export.Status.DONE, 2)
    assert keys(s3_bucket) == [export.file.name]
    assert len(s3_bucket.Object(export.file.name).get()["Body"].read().splitlines()) == 3

    # And deleting the export (API DELETE, admin) deletes the object once that is committed
    with transaction.atomic():
        delete_export(export)
    assert keys(s3_bucket) == []


def test_an_object_gone_from_the_bucket_is_a_404_saying_to_export_again(s3_bucket):
    # Given a finished export whose object was deleted from the bucket outside the app
    make_order(amount=100)
    export = schedule_export(None, Export.Channel.API)
    run_export(export.pk)
    export.refresh_from_db()
    s3_bucket.Object(export.file.name).delete()

    # When its link is followed
    response = Client().get(f"/v1/exports/{export.pk}?token={export.token}")

    # Then the API says so (not a 500)
    assert response.status_code == 404
    assert "no longer in storage" in response.json()["details"]
