from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from core.jobs import register_reaper, register_task

        from .models import AsyncAction
        from .services import reap_stuck_actions
        from .tasks import import_orders

        register_task(AsyncAction, import_orders)
        register_reaper("imports", reap_stuck_actions)
