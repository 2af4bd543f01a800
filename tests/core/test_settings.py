"""Configuration comes from the environment; production passes Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.roles import MARKETING_GROUP
from tests.conftest import database_url

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x7Qm2Lr9Vt4Kp8Zs1Wd6Hf3Jb5Nc0Ya7Ue2Io9Pg4Rk8Tl1Mx6Bv3Cz5Qn0Ws7Ey",
    "ALLOWED_HOSTS": "hub.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/campaign_hub",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def test_production_without_a_shared_cache_is_warned_about():
    without_cache = {k: v for k, v in PRODUCTION.items() if k != "CACHE_URL"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **without_cache)
    assert result.returncode == 1
    assert "core.W002" in result.stderr


def test_production_passes_check_deploy_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_a_secret_key_refuses_to_start():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_embedded_defaults_need_nothing_installed(tmp_path):
    # Without DATABASE_URL: the embedded PostgreSQL under VAR_DIR and the filesystem broker.
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "from django.db import connection; "
        "print(s.DATABASES['default']['ENGINE'], connection.vendor, s.EMBEDDED_DATABASE, "
        "s.CELERY_BROKER_URL, s.DEBUG, s.CURRENCY, s.TIME_ZONE, s.USE_TZ, s.MEDIA_ROOT, "
        "connection.cursor().connection.info.server_version // 10000); "
        # The broker's folders are made when Celery first reads its settings.
        "from config.celery import app; app.conf.broker_url"
    )
    result = _run(code, VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    engine, vendor, embedded, broker, debug, currency, zone, use_tz, media, major = (
        result.stdout.split()
    )
    assert (engine, vendor, embedded) == ("django.db.backends.postgresql", "postgresql", "True")
    assert major == "18"
    assert (tmp_path / "postgres" / "PG_VERSION").exists()
    assert broker == "filesystem://localhost/"
    assert (debug, currency, zone, use_tz) == ("True", "USD", "UTC", "True")
    assert media == str(tmp_path / "media")
    assert (tmp_path / "broker" / "queue").is_dir()
    assert (tmp_path / "broker" / "control").is_dir()  # not ./control in the checkout


def test_the_filesystem_broker_connects_without_a_warning(tmp_path):
    # Given the default broker (make run's): each job sent and each /health/ connects to it
    code = (
        "import django; django.setup(); from config.celery import app; "
        "conn = app.connection_for_write(); conn.ensure_connection(max_retries=1); "
        "print(conn.transport_cls, conn.info()['hostname'])"
    )
    env = {"VAR_DIR": str(tmp_path), "DATABASE_URL": database_url(connection.settings_dict)}
    result = _run(code, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["filesystem", "localhost"]
    # Then kombu has nothing to warn about (it did: "No hostname was supplied")
    assert "No hostname" not in result.stderr, result.stderr


def test_loading_the_settings_creates_no_folder(tmp_path):
    # Given an empty VAR_DIR, a database elsewhere and the filesystem broker
    code = (
        "import os, django; django.setup(); from django.conf import settings as s; "
        "print(sorted(os.listdir(s.VAR_DIR)))"
    )
    env = {"VAR_DIR": str(tmp_path), "DATABASE_URL": database_url(connection.settings_dict)}

    # When the settings are loaded
    result = _run(code, **env)

    # Then nothing was created
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]"]
    assert list(tmp_path.iterdir()) == []


def test_the_filesystem_broker_makes_its_folders_when_a_task_is_sent(tmp_path):
    # Given an empty VAR_DIR and the filesystem broker
    code = (
        "import django; django.setup(); from config.celery import app; "
        "app.send_task('core.tasks.reap_stuck_jobs')"
    )

    # When a task is sent
    result = _run(code, VAR_DIR=str(tmp_path), DATABASE_URL=database_url(connection.settings_dict))

    # Then its message waits in the broker's queue folder, and nothing went into the checkout
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "broker" / "queue").iterdir())) == 1
    assert (tmp_path / "broker" / "control").is_dir()
    assert not (ROOT / "control").exists()


def test_environment_overrides_defaults(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['NAME'], s.CURRENCY, s.TIME_ZONE, s.ALLOWED_HOSTS)"
    )
    result = _run(
        code
        + "; import sys; print(s.EMBEDDED_DATABASE, 'config.embedded_postgres' in sys.modules)",
        VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/elsewhere",
        CURRENCY="eur",
        TIME_ZONE="Europe/Warsaw",
        ALLOWED_HOSTS="a.example,b.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "elsewhere",
        "EUR",
        "Europe/Warsaw",
        "['a.example',",
        "'b.example']",
        "False",
        "False",
    ]
    # A set DATABASE_URL wins: nothing embedded was imported or started.
    assert not (tmp_path / "postgres").exists()


@pytest.mark.django_db
def test_demo_user_is_refused_outside_the_embedded_database(settings):
    # A shared database (DATABASE_URL set) must never get a known password.
    settings.EMBEDDED_DATABASE = False
    with pytest.raises(CommandError, match="only created on the embedded PostgreSQL"):
        call_command("ensure_demo_user")
    assert not get_user_model().objects.filter(username="demo").exists()


@pytest.mark.django_db
def test_demo_user_is_created_once_on_the_embedded_database(settings):
    settings.EMBEDDED_DATABASE = True
    call_command("ensure_demo_user")
    call_command("ensure_demo_user")  # a second make run finds it
    user = get_user_model().objects.get(username="demo")
    assert user.check_password("demo") and user.is_staff
    assert user.groups.filter(name=MARKETING_GROUP).exists()


def test_every_migration_applies_on_a_fresh_embedded_database(tmp_path):
    # make run migrates the embedded PostgreSQL on its first start; the command that started
    # the server stops it again on its way out.
    result = _manage("migrate", "--noinput", VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Applying orders.0001_initial... OK" in result.stdout
    plan = _manage("showmigrations", "--plan", VAR_DIR=str(tmp_path))
    assert plan.returncode == 0, plan.stderr
    assert "[ ]" not in plan.stdout and "[X]" in plan.stdout


def test_a_redis_cache_and_the_database_are_given_up_on_after_a_timeout():
    # A hung Redis or PostgreSQL must not hold a web worker: both get bounded waits.
    code = (
        "from django.conf import settings as s; "
        "o = s.CACHES['default']['OPTIONS']; "
        "print(o['socket_connect_timeout'], o['socket_timeout'], "
        "s.DATABASES['default']['OPTIONS']['connect_timeout'], s.DATABASE_STATEMENT_TIMEOUT_MS)"
    )
    result = _run(
        code,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/campaign_hub",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1.0", "1.0", "5", "30000"]

    tuned = _run(
        code,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/campaign_hub",
        CACHE_URL="redis://127.0.0.1:6379/1",
        CACHE_TIMEOUT_SECONDS="0.5",
        DATABASE_CONNECT_TIMEOUT="3",
        DATABASE_STATEMENT_TIMEOUT_MS="0",
    )
    assert tuned.returncode == 0, tuned.stderr
    assert tuned.stdout.split() == ["0.5", "0.5", "3", "0"]


def test_only_a_cache_every_process_shares_counts_as_shared():
    # core.shared_cache keeps API keys and schemas only in a cache all web processes read.
    code = "from django.conf import settings as s; print(s.SHARED_CACHE)"
    # A database named (never connected to), so that loading the settings does not start the
    # checkout's embedded PostgreSQL (var/postgres) three times.
    db = "postgres://postgres@127.0.0.1:5432/campaign_hub"
    # the default cache is each process's own
    assert _run(code, DATABASE_URL=db, CACHE_URL="locmemcache://").stdout.split() == ["False"]
    redis = "redis://127.0.0.1:6379/1"
    assert _run(code, DATABASE_URL=db, CACHE_URL=redis).stdout.split() == ["True"]
    shared = _run(code, DATABASE_URL=db, CACHE_URL="locmemcache://", SHARED_CACHE="true")
    assert shared.stdout.split() == ["True"]
