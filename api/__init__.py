"""The v1 JSON API (``/v1/``), wire-compatible with the reference Orders contract."""
