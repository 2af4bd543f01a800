"""``/health/``: per-check status in JSON, 503 when a service the web needs is down."""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from celery import current_app

from core import health
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_worker_wait(settings):
    settings.HEALTH_WORKER_TIMEOUT = 0.2  # no worker runs beside these tests


def test_everything_up_is_200_with_every_check(client, no_worker_wait, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    response = client.get("/health/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "storage", "worker"}
    assert {body["checks"][name] for name in health.CRITICAL} == {"ok"}
    # A missing worker is reported but does not take the web server out of rotation.
    assert body["checks"]["worker"] == "error"
    assert not list(tmp_path.rglob("*.txt"))  # the storage probe cleaned up


def test_anonymous_callers_see_statuses_staff_see_details(client, no_worker_wait):
    anonymous = client.get("/health/").json()["checks"]
    assert all(isinstance(status, str) for status in anonymous.values())
    client.force_login(UserFactory(is_staff=True))
    detailed = client.get("/health/").json()["checks"]
    assert detailed["database"]["status"] == "ok" and detailed["database"]["ms"] >= 0
    assert detailed["storage"]["detail"] == "FileSystemStorage: a file written and deleted"
    assert "no Celery worker answered" in detailed["worker"]["detail"]


def test_a_failing_check_is_503_naming_it_without_secrets(client, monkeypatch, settings):
    settings.HEALTH_WORKER_TIMEOUT = 0.2

    def refused():
        raise ConnectionError("redis://:s3cret@10.0.0.5:6379 refused")

    monkeypatch.setitem(health.CHECKS, "cache", refused)
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["cache"]["status"] == "error"
    assert body["checks"]["cache"]["detail"] == "builtins.ConnectionError"
    assert "s3cret" not in response.content.decode()


@pytest.fixture
def own_redis() -> Iterator[tuple[str, subprocess.Popen]]:
    """A Redis of this test's own on a free port, to be killed."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0", process
    process.kill()
    process.wait()


def test_the_broker_killed_is_a_503_naming_it_within_5_seconds(
    client, no_worker_wait, monkeypatch, own_redis
):
    url, process = own_redis
    for setting in ("broker_url", "broker_write_url", "broker_read_url"):
        monkeypatch.setitem(current_app.conf, setting, url)
    # Given a reachable broker
    assert client.get("/health/").json()["checks"]["broker"] == "ok"

    # When it is killed
    process.kill()
    process.wait()
    started = time.monotonic()
    response = client.get("/health/")

    # Then the answer is a 503 naming the broker, within 5 seconds
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"] == "error"
    assert checks["database"] == "ok"
