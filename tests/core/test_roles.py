"""``core.roles.load_permissions``: one query, the same answers as Django's ModelBackend."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import MARKETING_PERMISSIONS, load_permissions
from tests.factories import MarketingUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def every_permission() -> list[str]:
    return [
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    ]


def fresh(user):
    """The user as a new request loads it: no permission cached yet."""
    return get_user_model().objects.get(pk=user.pk)


def users():
    looker = UserFactory()
    looker.user_permissions.add(Permission.objects.get(codename="view_order"))
    both = UserFactory()
    both.user_permissions.add(Permission.objects.get(codename="delete_order"))
    both.groups.add(MarketingUserFactory().groups.get())
    viewers = Group.objects.create(name="Viewers")
    viewers.permissions.add(Permission.objects.get(codename="view_customer"))
    both.groups.add(viewers)
    inactive = MarketingUserFactory(is_active=False)
    superuser = UserFactory(is_superuser=True)
    return [MarketingUserFactory(), looker, UserFactory(), both, inactive, superuser]


def test_the_same_answers_as_the_model_backend():
    perms = every_permission()
    for user in users():
        expected = {perm: fresh(user).has_perm(perm) for perm in perms}
        loaded = fresh(user)
        load_permissions(loaded)
        assert {perm: loaded.has_perm(perm) for perm in perms} == expected, user.username


def test_one_query_then_none(django_assert_num_queries):
    user = fresh(MarketingUserFactory())
    with django_assert_num_queries(1):
        load_permissions(user)
        assert all(user.has_perm(f"{app}.{codename}") for app, codename in MARKETING_PERMISSIONS)
        assert not user.has_perm("orders.delete_order")
    with django_assert_num_queries(0):
        load_permissions(user)  # already loaded


def test_nothing_to_load_for_anonymous_superusers_or_inactive_users(django_assert_num_queries):
    superuser, inactive = UserFactory(is_superuser=True), UserFactory(is_active=False)
    with django_assert_num_queries(0):
        for user in (AnonymousUser(), superuser, inactive):
            load_permissions(user)


@pytest.mark.parametrize("path", ["/orders/", "/customers/"])
def test_a_list_page_reads_permissions_in_one_query(client, path):
    client.force_login(MarketingUserFactory())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if '"auth_permission"' in q["sql"]]
    assert len(reads) == 1, reads
