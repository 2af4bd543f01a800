"""The web server's database session settings.

``limit_web_statements()`` (called by ``config/wsgi.py``, which gunicorn and ``runserver``
load, and by ``config/asgi.py``) makes every connection the web server opens stop a statement after
``settings.DATABASE_STATEMENT_TIMEOUT_MS``: a request stuck behind a lock or an unplanned
scan then ends in a 503 instead of holding a worker. Celery workers and management commands
never load either module, so exports and imports keep running as long as they need.
Code that wants a shorter bound (``orders.selectors``' count) still sets ``SET LOCAL``.
"""

from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created


def set_statement_timeout(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    timeout_ms = int(settings.DATABASE_STATEMENT_TIMEOUT_MS)
    if connection.vendor != "postgresql" or timeout_ms <= 0:
        return
    with connection.cursor() as cursor:
        # Session-wide (not SET LOCAL): it lasts as long as the connection is reused.
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{timeout_ms}ms"])


def limit_web_statements() -> None:
    """Bound every statement of the connections this process opens from now on."""
    connection_created.connect(set_statement_timeout, dispatch_uid="core.db.statement_timeout")
