"""Who or what changes an order: recorded on every activity event."""

from dataclasses import dataclass

from django.contrib.auth.models import User

from .models import OrderEvent


@dataclass(frozen=True)
class Actor:
    type: str
    label: str
    user: User | None = None

    @classmethod
    def for_user(cls, user: User, via: str = "") -> "Actor":
        label = user.get_username() + (f" ({via})" if via else "")
        return cls(OrderEvent.ActorType.USER, label, user)

    @classmethod
    def api_key(cls, name: str) -> "Actor":
        return cls(OrderEvent.ActorType.API_KEY, f"API key {name}")

    @classmethod
    def importer(cls, source: str = "importer") -> "Actor":
        return cls(OrderEvent.ActorType.IMPORTER, source)

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(OrderEvent.ActorType.SYSTEM, label)
