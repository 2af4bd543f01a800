"""Shared fixtures: the three users every permission test needs, and logged-in clients."""

from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client

from api.auth import forget_cached_api_keys_now
from core.counts import forget_row_estimates
from metadata.conditions import forget_schema_keys
from metadata.schema_cache import forget_cached_schemas_now
from tests.factories import MarketingUserFactory, UserFactory


def pytest_report_header() -> str:
    """Say which PostgreSQL this run uses: DATABASE_URL's, or the embedded one."""
    if settings.EMBEDDED_DATABASE:
        data = settings.VAR_DIR / "postgres"
        return f"database: the embedded PostgreSQL (DATABASE_URL unset), data in {data}"
    db = settings.DATABASES["default"]
    server = f"{db['USER']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"database: DATABASE_URL's PostgreSQL, {server}"


def database_url(db: dict) -> str:
    """A DATABASE_URL for these connection settings (a socket folder as host included)."""
    host = db["HOST"] or "127.0.0.1"
    if host.startswith("/"):
        # django-environ reads a socket folder from the URL's path, percent-encoded.
        return f"postgres://{db['USER']}@:{db['PORT'] or 5432}/{quote(host, safe='')}/{db['NAME']}"
    return f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Each test sees its own tables' statistics and schema, not what an earlier test's
    process remembered (a rolled-back test sends no signal that would clear them)."""
    forget_row_estimates()
    forget_schema_keys()
    forget_cached_schemas_now()
    forget_cached_api_keys_now()


@pytest.fixture
def marketing_user(db):
    """May view, add and change orders and customers, and export."""
    return MarketingUserFactory(username="marketer")


@pytest.fixture
def viewer_user(db):
    """May only look at orders and customers."""
    user = UserFactory(username="viewer")
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_order", "view_customer"],
            content_type__app_label__in=["orders", "customers"],
        )
    )
    return user


@pytest.fixture
def outsider(db):
    """Signed in, but in no group and with no permission."""
    return UserFactory(username="outsider")


@pytest.fixture
def operator(db):
    """Staff superuser: runs Campaign Hub through the admin."""
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def marketing_client(marketing_user) -> Client:
    return _client_for(marketing_user)


@pytest.fixture
def viewer_client(viewer_user) -> Client:
    return _client_for(viewer_user)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return _client_for(outsider)


@pytest.fixture
def operator_client(operator) -> Client:
    return _client_for(operator)


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker process on the test broker (Redis) and the test database.

    Tasks it runs see only committed data, hence ``transactional_db``.
    """
    import os
    import subprocess
    import sys
    import time
    import uuid

    from django.db import connection

    from config.celery import app

    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    env = dict(os.environ)
    db = connection.settings_dict
    env["DATABASE_URL"] = database_url(db)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-n", name],
        env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        # A ping sent before the worker listens is lost and waits out its whole timeout:
        # short pings notice the worker soon after it is up (it takes a second or two).
        while not app.control.ping(destination=[name], timeout=0.25):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker {name} did not start")
        yield name
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def export_media(tmp_path: Path, settings, monkeypatch) -> Path:
    """Export files go to ``tmp_path``, for this process and for a worker started after it."""
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def export_worker(export_media: Path, celery_worker: str) -> str:
    """A real Celery worker (Redis, the test database) writing to ``export_media``."""
    return celery_worker
