from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from core.jobs import register_reaper, register_task

        from .models import Export
        from .services import reap_stuck_exports
        from .tasks import export_orders

        register_task(Export, export_orders)
        register_reaper("exports", reap_stuck_exports)
