"""Reads of exports and notifications."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from .models import Export, Notification


def exports_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Export]:
    """Everyone's exports for holders of ``view_all_exports``; otherwise the user's own."""
    if not user.is_active or not user.is_authenticated:
        return Export.objects.none()
    if user.has_perm("exports.view_all_exports"):
        return Export.objects.all()
    return Export.objects.filter(user=user)


def notifications_of(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user)
