from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.navigation import home_url_for, sidebar_for
from exports.selectors import notifications_of


def campaign_hub(request: HttpRequest) -> dict[str, object]:
    """Values every dashboard page may need: the currency, the unread notifications count,
    the sidebar's entries the user may open and the first page they may open (``home_url``).

    The count is read only where a template shows it (the bell's own fragment; pages render
    the bell deferred, see ``exports/_bell.html``).
    """

    # AuthenticationMiddleware's user is itself lazy: nothing here queries until a template
    # reads a value.
    user = getattr(request, "user", None)
    if user is None:
        user = AnonymousUser()

    def unread() -> int:
        if not user.is_authenticated:
            return 0
        return notifications_of(user).filter(read_at__isnull=True).count()

    return {
        "CURRENCY": settings.CURRENCY,
        "unread_notifications": SimpleLazyObject(unread),
        "sidebar": SimpleLazyObject(lambda: sidebar_for(user)),
        "home_url": SimpleLazyObject(lambda: home_url_for(user)),
    }
