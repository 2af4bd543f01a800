"""Importing historical orders from JSON, JSON Lines and CSV files.

``parsing`` turns a file into raw order records with their line numbers, ``validation``
checks one record and computes its amounts (``orders.totals``) and metadata
(``orders.metadata_validation``), ``loading`` writes valid orders set-based through COPY
into temporary staging tables. The ``import_orders`` command and the admin's
django-import-export resource both validate through ``validation``.
"""
