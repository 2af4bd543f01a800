from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.navigation import home_url_for, sidebar_for


def campaign_hub(request: HttpRequest) -> dict[str, object]:
    """Values every dashboard page may need: the currency, the sidebar's entries the user
    may open and the first page they may open (``home_url``). The bell's count comes from
    ``exports.context_processors``: core knows no app above it."""

    # AuthenticationMiddleware's user is itself lazy: nothing here queries until a template
    # reads a value.
    user = getattr(request, "user", None)
    if user is None:
        user = AnonymousUser()

    return {
        "CURRENCY": settings.CURRENCY,
        "sidebar": SimpleLazyObject(lambda: sidebar_for(user)),
        "home_url": SimpleLazyObject(lambda: home_url_for(user)),
    }
