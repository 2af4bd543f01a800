"""Download tokens never reach a log line: runserver's, gunicorn's, or the application's."""

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from core.log_filters import RedactTokens, redact
from exports.models import Export
from tests.conftest import database_url

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cr3tT0ken-Abc_123"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            f'"GET /v1/exports/exp_1?token={SECRET} HTTP/1.1" 200 12',
            '"GET /v1/exports/exp_1?token=[redacted] HTTP/1.1" 200 12',
        ),
        (f"a=1&token={SECRET}&b=2", "a=1&token=[redacted]&b=2"),
        (f"token={SECRET}", "token=[redacted]"),
        (f"/x?TOKEN%3D{SECRET}", "/x?TOKEN%3D[redacted]"),
        ("/x?mytoken=keep&token_type=keep", "/x?mytoken=keep&token_type=keep"),
    ],
)
def test_redact_replaces_only_a_token_value(line, expected):
    assert redact(line) == expected


def test_the_filter_redacts_message_tuple_and_dict_arguments():
    by_tuple = logging.LogRecord("x", logging.INFO, "f", 1, "%s %s", (f"?token={SECRET}", 1), None)
    atoms = {"r": f"GET /d?token={SECRET} HTTP/1.1", "q": f"token={SECRET}", "s": 200}
    by_dict = logging.LogRecord("x", logging.INFO, "f", 1, "%(r)s %(q)s %(s)s", (atoms,), None)
    in_message = logging.LogRecord("x", logging.INFO, "f", 1, f"?token={SECRET}", None, None)

    for record in (by_tuple, by_dict, in_message):
        assert RedactTokens().filter(record) is True
        assert SECRET not in record.getMessage()
        assert "token=[redacted]" in record.getMessage()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get_until_up(url: str, deadline: float = 30.0) -> None:
    started = time.monotonic()
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310 (a local test server)
            return
        except urllib.error.HTTPError:
            return  # answered (401, 404): the request was logged
        except OSError:
            if time.monotonic() - started > deadline:
                raise
            time.sleep(0.2)


def _serve_and_request(command: list[str], port: int) -> str:
    """Start a web server, request a download link with a token, stop it; its output."""
    url = database_url(connection.settings_dict)  # the embedded server's socket folder too
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "PYTHONUNBUFFERED": "1",
    }
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        _get_until_up(f"http://127.0.0.1:{port}/v1/exports/exp_missing?token={SECRET}")
        time.sleep(0.5)  # let the access line be written
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    return output


@pytest.mark.django_db
def test_runservers_request_lines_do_not_show_the_token():
    port = _free_port()

    output = _serve_and_request(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], port
    )

    assert "/v1/exports/exp_missing?token=[redacted]" in output, output[-2000:]
    assert SECRET not in output


@pytest.mark.django_db
def test_gunicorns_access_log_does_not_show_the_token():
    port = _free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))

    output = _serve_and_request(
        [
            gunicorn,
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            "-",
        ],
        port,
    )

    assert "/v1/exports/exp_missing?token=[redacted]" in output, output[-2000:]
    assert SECRET not in output


@pytest.mark.django_db
def test_the_applications_log_lines_do_not_show_the_token():
    export = Export.objects.create(channel=Export.Channel.API, parameters={"fields": ["id"]})
    console = logging.getLogger().handlers[0]  # the handler LOGGING installs on the root
    previous = console.setStream(io.StringIO())
    try:
        response = Client().get(f"/v1/exports/{export.pk}?token={SECRET}")
        # What a view logging its full path (as a bug report would) writes.
        logging.getLogger("api.exports").warning(
            "download refused: %s", f"/v1/exports/{export.pk}?token={SECRET}"
        )
        written = console.stream.getvalue()
    finally:
        console.setStream(previous)

    assert response.status_code == 401
    assert f"/v1/exports/{export.pk}?token=[redacted]" in written
    assert SECRET not in written
