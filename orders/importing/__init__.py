"""Importing historical orders from JSON, JSON Lines and CSV files.

``parsing`` turns a file into raw order records with their line numbers, ``validation``
checks one record and computes its amounts (``orders.totals``) and metadata
(``metadata.validation``), ``loading`` writes valid orders set-based through COPY
into temporary staging tables. The ``import_orders`` command and the admin's
django-import-export resource both validate through ``validation``.

``import_payloads(orders, *, on_error="skip", actor_label, dry_run=False) -> ImportResult``
imports up to 2,000 orders given as data (the v1 API's ``POST /v1/orders/import``) the same
way; see its docstring.
"""

from .loading import (
    MAX_PAYLOAD_ORDERS,
    ImportResult,
    Problem,
    import_files,
    import_payloads,
)

__all__ = [
    "MAX_PAYLOAD_ORDERS",
    "ImportResult",
    "Problem",
    "import_files",
    "import_payloads",
]
