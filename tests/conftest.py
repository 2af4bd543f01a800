"""Shared fixtures: the three users every permission test needs, and logged-in clients."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from tests.factories import MarketingUserFactory, UserFactory


@pytest.fixture
def marketing_user(db):
    """May view, add and change orders and customers, and export."""
    return MarketingUserFactory(username="marketer")


@pytest.fixture
def viewer_user(db):
    """May only look at orders and customers."""
    user = UserFactory(username="viewer")
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_order", "view_customer"],
            content_type__app_label__in=["orders", "customers"],
        )
    )
    return user


@pytest.fixture
def outsider(db):
    """Signed in, but in no group and with no permission."""
    return UserFactory(username="outsider")


@pytest.fixture
def operator(db):
    """Staff superuser: runs Campaign Hub through the admin."""
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def marketing_client(marketing_user) -> Client:
    return _client_for(marketing_user)


@pytest.fixture
def viewer_client(viewer_user) -> Client:
    return _client_for(viewer_user)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return _client_for(outsider)


@pytest.fixture
def operator_client(operator) -> Client:
    return _client_for(operator)
