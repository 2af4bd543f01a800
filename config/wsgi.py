import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Only the web server loads this module (gunicorn, runserver): bound its statements and keep
# download tokens out of gunicorn's logs. See core/db.py and core/log_filters.py.
from core.db import limit_web_statements  # noqa: E402 (needs the settings loaded above)
from core.log_filters import redact_gunicorn_logs  # noqa: E402

limit_web_statements()
redact_gunicorn_logs()
