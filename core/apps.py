from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Campaign hub"

    def ready(self) -> None:
        from . import checks

        checks.register()
