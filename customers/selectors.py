"""Reads of customers."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from .models import Customer


def customers_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Customer]:
    """The customers ``user`` may see."""
    if user.is_active and user.has_perm("customers.view_customer"):
        return Customer.objects.all()
    return Customer.objects.none()


def search_customers(
    user: AbstractBaseUser | AnonymousUser, text: str, *, limit: int = 10
) -> list[Customer]:
    """Up to ``limit`` customers ``user`` may see whose name or email contains ``text``, or
    whose id or source ID starts with it (the Create order wizard's type-ahead)."""
    text = text.strip()
    if not text:
        return []
    match = (
        Q(name__icontains=text)
        | Q(email__icontains=text)
        | Q(pk__startswith=text)
        | Q(source_id__istartswith=text)
    )
    return list(customers_visible_to(user).filter(match).order_by("name", "id")[:limit])
