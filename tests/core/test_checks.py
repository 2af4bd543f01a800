"""``manage.py check``: the project's own checks (core/checks.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import storages

from core.checks import check_currency, check_shared_cache, check_storage_writable

ROOT = Path(__file__).resolve().parents[2]


def ids(messages) -> list[str]:
    return [message.id for message in messages]


@pytest.mark.parametrize(
    ("currency", "places", "expected"),
    [
        ("USD", None, []),
        ("JPY", 0, []),
        ("KWD", 3, []),
        ("US", None, ["core.E001"]),
        ("U$D", None, ["core.E001"]),
        ("ABC", None, ["core.W001"]),
        ("EUR", 7, ["core.E002"]),
        ("EUR", -1, ["core.E002"]),
    ],
)
def test_the_currency(settings, currency, places, expected):
    settings.CURRENCY, settings.CURRENCY_DECIMALS = currency, places
    assert ids(check_currency()) == expected


@pytest.mark.parametrize(
    ("production", "backend", "expected"),
    [
        (True, "django.core.cache.backends.locmem.LocMemCache", ["core.W002"]),
        (True, "django.core.cache.backends.redis.RedisCache", []),
        (False, "django.core.cache.backends.locmem.LocMemCache", []),
    ],
)
def test_a_shared_cache_in_production(settings, production, backend, expected):
    settings.PRODUCTION = production
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:6379/9"}}
    assert ids(check_shared_cache()) == expected


@pytest.fixture
def media_root(settings, tmp_path):
    def use(path: Path) -> None:
        settings.MEDIA_ROOT = str(path)
        storages._storages.pop("default", None)  # rebuilt from the settings

    yield use
    storages._storages.pop("default", None)


def test_a_writable_or_missing_folder_passes(media_root, tmp_path):
    media_root(tmp_path)
    assert check_storage_writable() == []
    media_root(tmp_path / "not" / "made" / "yet")  # made by the storage when it saves
    assert check_storage_writable() == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any folder")
def test_a_folder_the_process_cannot_write_is_an_error(media_root, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        media_root(locked / "exports")
        assert ids(check_storage_writable()) == ["core.E003"]
    finally:
        locked.chmod(0o700)


def test_a_file_where_the_folder_should_be_is_an_error(media_root, tmp_path):
    (tmp_path / "media").write_text("not a folder")
    media_root(tmp_path / "media")
    assert ids(check_storage_writable()) == ["core.E003"]


def test_manage_py_check_refuses_a_bad_currency():
    env = {**os.environ, "CURRENCY": "DOLLARS", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "core.E001" in result.stderr and "'DOLLARS' is not a currency code" in result.stderr
