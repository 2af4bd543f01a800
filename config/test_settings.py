"""Settings for the test suite: the real services, unless the env says otherwise.

The database is ``DATABASE_URL``'s server when it is set (CI sets this machine's), else the
embedded PostgreSQL under ``VAR_DIR``, as for ``make run``; pytest's header says which.
Redis on this machine is the broker unless ``CELERY_BROKER_URL`` says otherwise.
"""

import os

os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
# A queue of this run's own, so a worker started by the tests takes only this run's tasks.
os.environ.setdefault("CELERY_QUEUE", f"campaign_hub_test_{os.getpid()}")
# Under pytest-xdist each worker process is a run of its own (its own test database,
# test_<name>_gw0, ...) but inherits the controller's environment, CELERY_QUEUE included: the
# worker's id makes the queue its own. The Celery worker a test starts inherits the variable
# already suffixed, hence the check.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER and not os.environ["CELERY_QUEUE"].endswith(f"_{_XDIST_WORKER}"):
    os.environ["CELERY_QUEUE"] += f"_{_XDIST_WORKER}"

from .settings import *  # noqa: E402,F403

# The suite is one process, so its in-memory cache is shared by all it serves (tests of the
# unshared default override this).
SHARED_CACHE = True

# Hashing passwords properly is the slowest part of creating users; tests need no strength.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Control messages (pings: the worker fixtures' readiness, /health/'s worker check) go through
# an exchange of this run's own, so a run sees only the Celery workers it started, not those
# of a parallel run (another xdist worker) on the same Redis database.
CELERY_CONTROL_EXCHANGE = CELERY_TASK_DEFAULT_QUEUE  # noqa: F405
