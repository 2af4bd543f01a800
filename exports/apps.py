from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from core.jobs import register_reaper

        from .services import reap_stuck_exports

        register_reaper("exports", reap_stuck_exports)
