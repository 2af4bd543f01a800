"""The broker down or hung: the job is saved and retryable, and whoever asked is told so
(a message on the page, a JSON 503 on the API), within seconds, never a 500."""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from exports.models import Export
from exports.tasks import export_orders
from imports.models import AsyncAction
from imports.tasks import import_orders

# The job rows must be committed before their message is sent, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_down(monkeypatch) -> list[tuple]:
    """Every publish fails as kombu fails it when Redis refuses the connection."""
    attempts: list[tuple] = []

    def refusing(task):
        def apply_async(args=None, kwargs=None, **options):
            attempts.append((task.name, args))
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        return apply_async

    for task in (export_orders, import_orders):
        monkeypatch.setattr(task, "apply_async", refusing(task))
    return attempts


def test_the_export_button_says_the_job_will_start_when_the_queue_is_back(
    marketing_client, broker_down
):
    # When Ann exports while the broker is down
    response = marketing_client.post(
        reverse("exports:new"), {"query": "status=PAID", "fields": ["id"]}, follow=True
    )

    # Then she is back on the list with a message saying what happened, not an error page
    assert response.status_code == 200
    export = Export.objects.get()
    page = response.content.decode()
    assert f"The export {export.pk} is saved" in page
    assert "start by itself when the queue is back" in page
    # And the export waits, retryable, with the reason noted
    assert broker_down == [("exports.tasks.export_orders", (export.pk,))]
    assert export.status == Export.Status.SCHEDULED
    assert "could not be reached" in export.error


def test_an_api_export_is_a_json_503_naming_the_saved_export(api_client, broker_down):
    response = api_client.post_json("/v1/orders/export", {})

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "60"
    body = response.json()
    export = Export.objects.get()
    assert (body["code"], body["key"]) == (503, "service_unavailable")
    assert f"The export {export.pk} is saved" in body["details"]
    assert body["request_id"].startswith("v-")
    assert export.status == Export.Status.SCHEDULED


def test_an_api_import_is_a_json_503_naming_the_saved_action(api_client, broker_down):
    response = api_client.post_json("/v1/orders/import", [{"source_id": "a", "amount": 100}])

    assert response.status_code == 503
    body = response.json()
    action = AsyncAction.objects.get()
    assert body["key"] == "service_unavailable"
    assert f"The import {action.pk} is saved" in body["details"]
    assert action.status == AsyncAction.Status.ENQUEUED and len(action.payload) == 1


@pytest.fixture
def hung_broker() -> Iterator[str]:
    """A Redis address that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


SEND = """
import time
import django
django.setup()
from core.jobs import QueueUnavailable, send_job
from exports.models import Export
started = time.monotonic()
try:
    send_job(Export, "exp_x", "export")
except QueueUnavailable:
    print(f"unavailable after {time.monotonic() - started:.1f}")
"""


def test_a_hung_broker_fails_a_publish_within_seconds(hung_broker):
    # The production settings (not the test ones) with a broker that never answers
    env = dict(os.environ, CELERY_BROKER_URL=hung_broker, DJANGO_SETTINGS_MODULE="config.settings")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", SEND], env=env, capture_output=True, text=True, timeout=60
    )

    assert done.stdout.startswith("unavailable after"), done.stderr
    assert float(done.stdout.split()[-1]) < 4.0
    assert time.monotonic() - started < 15
