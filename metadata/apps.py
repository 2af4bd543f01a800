from django.apps import AppConfig


class MetadataConfig(AppConfig):
    name = "metadata"

    def ready(self) -> None:
        # Connects the receivers that forget the remembered schema keys on a schema change.
        from . import conditions  # noqa: F401
