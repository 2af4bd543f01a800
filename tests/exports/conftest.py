"""Fixtures of the export tests: a throw-away media folder the worker writes to as well."""

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from exports.models import Export


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


@pytest.fixture
def wait_for_export() -> Callable[[Export], Export]:
    """Wait (up to 60 s) until an export has finished, DONE or ERROR."""

    def wait(export: Export, timeout: float = 60.0) -> Export:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            export.refresh_from_db()
            if export.status in (Export.Status.DONE, Export.Status.ERROR):
                return export
            time.sleep(0.2)
        raise AssertionError(f"{export.pk} is still {export.status} after {timeout} s")

    return wait
