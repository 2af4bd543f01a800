"""Settings for the test suite: the real services on this machine, unless the env says otherwise.

Only defaults are set here; ``DATABASE_URL`` and ``CELERY_BROKER_URL`` in the environment win.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/campaign_hub")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
# A queue of this run's own, so a worker started by the tests takes only this run's tasks.
os.environ.setdefault("CELERY_QUEUE", f"campaign_hub_test_{os.getpid()}")

from .settings import *  # noqa: E402,F403

# Hashing passwords properly is the slowest part of creating users; tests need no strength.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
