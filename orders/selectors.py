"""Reads of orders."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from .models import Order


def orders_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Order]:
    """The orders ``user`` may see: every view, export and download starts here."""
    if user.is_active and user.has_perm("orders.view_order"):
        return Order.objects.all()
    return Order.objects.none()
