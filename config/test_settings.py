"""Settings for the test suite: the real services, unless the env says otherwise.

The database is ``DATABASE_URL``'s server when it is set (CI sets this machine's), else the
embedded PostgreSQL under ``VAR_DIR``, as for ``make run``; pytest's header says which.
Redis on this machine is the broker unless ``CELERY_BROKER_URL`` says otherwise.
"""

import os

os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
# A queue of this run's own, so a worker started by the tests takes only this run's tasks.
os.environ.setdefault("CELERY_QUEUE", f"campaign_hub_test_{os.getpid()}")

from .settings import *  # noqa: E402,F403

# The suite is one process, so its in-memory cache is shared by all it serves (tests of the
# unshared default override this).
SHARED_CACHE = True

# Hashing passwords properly is the slowest part of creating users; tests need no strength.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
