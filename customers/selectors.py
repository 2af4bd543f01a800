"""Reads of customers."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from .models import Customer


def customers_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Customer]:
    """The customers ``user`` may see."""
    if user.is_active and user.has_perm("customers.view_customer"):
        return Customer.objects.all()
    return Customer.objects.none()
