"""Bringing orders in: files (``manage.py import_orders``) and the API's async actions.

``parsing`` turns a file into raw order records with their line numbers, ``validation``
checks one record and computes its amounts (``orders.totals``) and metadata
(``metadata.validation``; an order's own fields by ``orders.import_rules``, as the
admin's file import does), ``staging`` and ``loading`` write valid orders set-based through
COPY into temporary staging tables, ``upsert`` moves them into the real ones and ``writers``
names the tables' columns once (the demo loader writes through them too).

``loading.import_payloads(orders, *, on_error="skip", actor_label, dry_run=False)`` imports
up to 2,000 orders given as data the same way: ``POST /v1/orders/import`` records an
``AsyncAction`` (``models``) and a worker runs it (``services.run_orders_import``).
"""
