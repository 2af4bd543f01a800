"""Settings for mypy's django-stubs plugin, which imports the settings to learn the apps.

Only the settings are read, no database is opened, so a placeholder ``DATABASE_URL`` keeps
config/settings.py from starting the embedded PostgreSQL when the env sets none.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://typecheck@127.0.0.1:5432/typecheck")

from .test_settings import *  # noqa: E402,F403
