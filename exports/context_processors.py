"""The bell's unread count for every page (``TEMPLATES``' context processors)."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import notifications_of


def notifications(request: HttpRequest) -> dict[str, object]:
    """``unread_notifications``, read only where a template shows it (the bell's own
    fragment; pages render the bell deferred, see ``exports/_bell.html``)."""
    user = getattr(request, "user", None) or AnonymousUser()

    def unread() -> int:
        if not user.is_authenticated:
            return 0
        return notifications_of(user).filter(read_at__isnull=True).count()

    return {"unread_notifications": SimpleLazyObject(unread)}
