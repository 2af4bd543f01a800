"""``python manage.py filter_table > docs/filters.md``: print the filter grammar's page (its
fields, conditions and compatibility table), written from ``orders/grammar.py``."""

from typing import Any

from django.core.management.base import BaseCommand

from orders.filter_docs import filters_markdown


class Command(BaseCommand):
    help = (
        "Print docs/filters.md: the order filter grammar's fields, conditions and which field "
        "takes which condition, from orders/grammar.py."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(filters_markdown(), ending="")
