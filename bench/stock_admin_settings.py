"""Benchmark-only settings: the project plus Django's admin with its defaults for orders.

``bench/orders_list.py`` serves the project with these settings so the orders list can be
compared with what a stock ``admin.ModelAdmin`` costs on the same data (an exact
``COUNT(*)`` for its paginator and another for "N total"). The project's own admin, at
``/admin/``, is measured too; it avoids those counts.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.stock_admin_urls"
