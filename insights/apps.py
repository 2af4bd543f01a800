from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from orders.grammar import register_value_finder

        from .values import values_matching

        # The orders' text conditions on a tracked property ask its totals for its values.
        register_value_finder(values_matching)
