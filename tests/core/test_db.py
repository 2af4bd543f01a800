"""The web server bounds its statements; workers and commands do not."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction

from core.db import set_statement_timeout
from tests.conftest import database_url

ROOT = Path(__file__).resolve().parents[2]

SHOW_TIMEOUT = """
import django
django.setup()
{load}
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    print(cursor.fetchone()[0])
"""


def _statement_timeout_in_a_process(load: str, **env: str) -> str:
    url = database_url(connection.settings_dict)  # the embedded server's socket folder too
    result = subprocess.run(
        [sys.executable, "-c", SHOW_TIMEOUT.format(load=load)],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": url,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.django_db
def test_the_web_server_bounds_each_statement_and_other_processes_do_not():
    assert _statement_timeout_in_a_process("import config.wsgi") == "30s"
    assert _statement_timeout_in_a_process("import config.asgi") == "30s"
    assert _statement_timeout_in_a_process("") == "0"  # a worker, a management command
    custom = _statement_timeout_in_a_process(
        "import config.wsgi", DATABASE_STATEMENT_TIMEOUT_MS="1500"
    )
    assert custom == "1500ms"
    assert (
        _statement_timeout_in_a_process("import config.wsgi", DATABASE_STATEMENT_TIMEOUT_MS="0")
        == "0"
    )


@pytest.mark.django_db
def test_a_statement_past_the_timeout_is_stopped(settings):
    settings.DATABASE_STATEMENT_TIMEOUT_MS = 200
    set_statement_timeout(None, connection)  # what a new web connection gets

    with (
        pytest.raises(OperationalError, match="statement timeout"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT pg_sleep(2)")
