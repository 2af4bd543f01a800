"""Every log line of a request, and of the Celery tasks it sends, carries the request's id."""

import io
import json
import logging
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.test import Client

from core.models import ApiKey
from core.request_ids import (
    JsonFormatter,
    ReadableFormatter,
    RequestIdFilter,
    _current,
    current_request_id,
)
from exports.tasks import export_orders
from tests.conftest import database_url

ROOT = Path(__file__).resolve().parents[2]
REQUEST_ID = re.compile(r"^v-[0-9a-f]{18}$")


def lines_of(formatter: logging.Formatter, emit) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(formatter)
    logger = logging.getLogger(f"test.request_ids.{uuid.uuid4().hex}")
    logger.addHandler(handler)
    logger.propagate = False
    emit(logger)
    return stream.getvalue()


@pytest.mark.django_db
def test_every_response_names_its_request_and_the_api_body_the_same_id(client):
    first, second = client.get("/accounts/login/"), client.get("/accounts/login/")
    assert REQUEST_ID.match(first["X-Request-Id"])
    assert first["X-Request-Id"] != second["X-Request-Id"]
    key, token = ApiKey.issue("request ids")
    api = Client(headers={"X-App-Id": key.app_id, "X-App-Token": token})
    missing = api.get("/v1/orders/ord_missing")
    assert missing.status_code == 404
    assert missing["X-Request-Id"] == missing.json()["request_id"]
    assert current_request_id() == "-"  # nothing left behind after the request


def test_lines_carry_the_id_readable_or_json():
    token = _current.set("v-0123456789abcdef01")
    try:
        readable = lines_of(ReadableFormatter(), lambda log: log.warning("disk %s", "full"))
        json_line = lines_of(JsonFormatter(), lambda log: log.error("boom", exc_info=ValueError()))
    finally:
        _current.reset(token)
    assert "WARNING" in readable and "[v-0123456789abcdef01] disk full" in readable
    record = json.loads(json_line)
    assert record["request_id"] == "v-0123456789abcdef01"
    assert (record["level"], record["message"]) == ("ERROR", "boom")
    assert "ValueError" in record["exception"] and record["time"].endswith("+00:00")
    outside = json.loads(lines_of(JsonFormatter(), lambda log: log.warning("idle")))
    assert outside["request_id"] == "-"


REQUEST_THAT_LOGS = """
import django
django.setup()
from django.test import Client
response = Client(HTTP_HOST="127.0.0.1").get("/health/")
print("X-Request-Id", response["X-Request-Id"], response.status_code)
"""


def test_a_request_writes_json_lines_with_its_id():
    # A broker nobody listens on: /health/ logs the failed check while answering 503.
    env = dict(
        os.environ,
        LOG_FORMAT="json",
        CELERY_BROKER_URL="redis://127.0.0.1:9/0",
        DJANGO_SETTINGS_MODULE="config.settings",
        HEALTH_WORKER_TIMEOUT="0.1",
    )
    done = subprocess.run(
        [sys.executable, "-c", REQUEST_THAT_LOGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    label, request_id, status = done.stdout.split()[-3:]
    assert (label, status) == ("X-Request-Id", "503"), done.stderr
    records = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    failed = [r for r in records if r["message"] == "health check broker failed"]
    assert failed and all(r["request_id"] == request_id for r in failed), done.stderr
    assert all(line.startswith("{") for line in done.stderr.splitlines() if line.strip()), (
        done.stderr
    )


def test_an_unknown_log_format_is_refused():
    env = dict(os.environ, LOG_FORMAT="xml", DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "LOG_FORMAT must be text or json, not 'xml'" in done.stderr


@pytest.mark.django_db(transaction=True)
def test_a_task_sent_by_a_request_logs_with_its_id(tmp_path):
    from django.db import connection

    from config.celery import app

    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    log = tmp_path / "worker.log"
    env = dict(os.environ, LOG_FORMAT="json", DATABASE_URL=database_url(connection.settings_dict))
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
             "--without-gossip", "--without-mingle", "--loglevel=INFO", "-n", name],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[name], timeout=1.0):
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
        # Given a request running (its id set as the middleware sets it)
        token = _current.set("v-00000000000000beef")
        try:
            # When it sends a job (one with nothing to do: the worker logs just that)
            export_orders.apply_async(("exp_no_such_export",))
        finally:
            _current.reset(token)
        # Then the worker's line about it carries the request's id (the queue may hold
        # earlier tests' messages, about other jobs: wait for the line about this one)
        deadline = time.monotonic() + 30
        while "exp_no_such_export: nothing to do" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    records = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    (line,) = [r for r in records if "exp_no_such_export: nothing to do" in r["message"]]
    assert line["request_id"] == "v-00000000000000beef"
    # and the worker's own lines are JSON too, outside any request
    assert any(r["logger"].startswith("celery") for r in records)
