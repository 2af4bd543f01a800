"""``python manage.py create_api_key NAME``: make an application key and print it once.

Prints ``APP_ID=…`` and ``APP_TOKEN=…`` lines (shell-friendly: ``eval "$(… create_api_key shop)"``
sets both). The token is stored only as a hash and can't be shown again.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.models import ApiKey


class Command(BaseCommand):
    help = "Create a v1 API application key and print its APP_ID and APP_TOKEN (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Who uses the key; shown as the actor in order Activity.")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        name = name.strip()
        if not name:
            raise CommandError("Give the key a name.")
        if ApiKey.objects.filter(name=name).exists():
            raise CommandError(f"An API key named '{name}' already exists; choose another name.")
        key, token = ApiKey.issue(name)
        self.stdout.write(f"APP_ID={key.app_id}\nAPP_TOKEN={token}\n")
        self.stderr.write("Keep the token now: it is stored hashed and can't be shown again.")
