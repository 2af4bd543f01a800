"""The Celery application: tasks are discovered in each app's ``tasks.py``."""

import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("campaign_hub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

FILESYSTEM_BROKER_FOLDERS = (
    "data_folder_in",
    "data_folder_out",
    "processed_folder",
    "control_folder",
)


@app.on_after_configure.connect
def make_broker_folders(sender: Celery, **kwargs: Any) -> None:
    """Create the filesystem broker's folders, which kombu expects to exist.

    Run when Celery first reads its settings, in whichever process sends or receives the
    first message (web server, worker, command), so that loading the settings writes nothing.
    """
    if not str(sender.conf.broker_url or "").startswith("filesystem://"):
        return
    options = sender.conf.broker_transport_options or {}
    for name in FILESYSTEM_BROKER_FOLDERS:
        if options.get(name):
            Path(options[name]).mkdir(parents=True, exist_ok=True)


@setup_logging.connect
def log_as_the_web_does(**kwargs: Any) -> None:
    """Workers log through Django's ``LOGGING`` (the request id on every line, JSON with
    ``LOG_FORMAT=json``) instead of Celery's own set-up, which this signal replaces."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
