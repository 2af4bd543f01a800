from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Reproducible demo data (``manage.py seed_demo``): development only, no models.

    It may import any app; no app imports it.
    """

    name = "demo"
