from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from exports.selectors import notifications_of


def campaign_hub(request: HttpRequest) -> dict[str, object]:
    """Values every dashboard page may need: the currency and the unread notifications count.

    The count is read only where a template shows it (the bell's own fragment; pages render
    the bell deferred, see ``exports/_bell.html``).
    """

    def unread() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return notifications_of(user).filter(read_at__isnull=True).count()

    return {"CURRENCY": settings.CURRENCY, "unread_notifications": SimpleLazyObject(unread)}
