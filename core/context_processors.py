from django.conf import settings
from django.http import HttpRequest

from exports.selectors import notifications_of


def campaign_hub(request: HttpRequest) -> dict[str, object]:
    """Values every dashboard page needs: the currency and the unread notifications count."""
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        unread = notifications_of(user).filter(read_at__isnull=True).count()
    return {"CURRENCY": settings.CURRENCY, "unread_notifications": unread}
