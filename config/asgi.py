import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

# The same web-only setup as config/wsgi.py: bounded statements, tokens out of access logs.
from core.db import limit_web_statements  # noqa: E402 (needs the settings loaded above)
from core.log_filters import redact_gunicorn_logs  # noqa: E402

limit_web_statements()
redact_gunicorn_logs()
