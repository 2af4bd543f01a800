from django.apps import AppConfig


class AsyncActionsConfig(AppConfig):
    name = "async_actions"
    verbose_name = "Async actions"

    def ready(self) -> None:
        from core.jobs import register_reaper

        from .services import reap_stuck_actions

        register_reaper("async_actions", reap_stuck_actions)
