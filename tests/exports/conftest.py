"""Fixtures of the export tests (`export_media`, `export_worker`: tests/conftest.py)."""

import time
from collections.abc import Callable

import pytest

from exports.models import Export


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
