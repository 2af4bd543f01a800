from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from core.roles import MARKETING_GROUP

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"


class Command(BaseCommand):
    help = "Create the demo/demo staff user `make run` prints (embedded PostgreSQL only)."

    def handle(self, *args: object, **options: object) -> None:
        # A known password is only acceptable on a laptop's private database.
        if not settings.EMBEDDED_DATABASE or settings.PRODUCTION:
            raise CommandError(
                "The demo user is only created on the embedded PostgreSQL (DATABASE_URL unset), "
                "never on a shared database. Create real accounts with "
                "`manage.py createsuperuser`."
            )
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"is_staff": True, "is_superuser": True, "email": "demo@example.com"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=MARKETING_GROUP))
            self.stdout.write(f"Created staff user {DEMO_USERNAME} / {DEMO_PASSWORD}.")
        else:
            self.stdout.write(f"Staff user {DEMO_USERNAME} exists.")
