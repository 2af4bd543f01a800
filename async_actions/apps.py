from django.apps import AppConfig


class AsyncActionsConfig(AppConfig):
    name = "async_actions"
    verbose_name = "Async actions"
