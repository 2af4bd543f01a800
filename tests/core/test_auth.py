"""``core.auth.DashboardBackend``: the user, their zone, permissions and draft in one query."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.auth import MISSING, PERMISSIONS, TIME_ZONE, DashboardBackend, user_extra
from core.models import UserPreference
from core.preferences import user_time_zone
from orders.models import WizardDraft
from orders.wizard_storage import CREATE_ORDER, HAS_ORDER_DRAFT, has_draft
from tests.core.test_roles import every_permission
from tests.core.test_roles import users as role_users
from tests.factories import MarketingUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def users():
    """test_roles' users (direct, group, both, none, superuser), active ones: an inactive
    user is no user here; and one granted a permission both directly and through a group."""
    twice = UserFactory()
    twice.user_permissions.add(Permission.objects.get(codename="delete_order"))
    overlapping = Group.objects.create(name="Overlapping")
    overlapping.permissions.add(Permission.objects.get(codename="delete_order"))
    twice.groups.add(overlapping)
    return [user for user in role_users() if user.is_active] + [twice]


def test_the_same_permissions_as_djangos_model_backend():
    perms = every_permission()
    for user in users():
        fresh = get_user_model().objects.get(pk=user.pk)
        expected = {perm: fresh.has_perm(perm) for perm in perms}
        loaded = DashboardBackend().get_user(user.pk)
        assert {perm: loaded.has_perm(perm) for perm in perms} == expected, user.username
        if user.is_superuser:
            assert not hasattr(loaded, "_perm_cache")  # has_perm answers superusers alone
        else:
            assert loaded._perm_cache == set(getattr(loaded, PERMISSIONS))


def test_one_query_reads_everything_a_page_asks_of_the_user(django_assert_num_queries):
    user = MarketingUserFactory()
    UserPreference.objects.create(user=user, time_zone="Europe/Warsaw")
    WizardDraft.objects.create(user=user, wizard=CREATE_ORDER, data={"step_data": {"a": {}}})
    with django_assert_num_queries(1):
        loaded = DashboardBackend().get_user(user.pk)
        assert user_time_zone(loaded) == "Europe/Warsaw"
        assert has_draft(loaded) is True
        assert loaded.has_perm("orders.view_order")
        assert not loaded.has_perm("orders.delete_order")


def test_the_extras_agree_with_their_own_queries():
    plain, drafted, empty_draft = MarketingUserFactory(), MarketingUserFactory(), UserFactory()
    WizardDraft.objects.create(user=drafted, wizard=CREATE_ORDER, data={"step_data": {"a": {}}})
    WizardDraft.objects.create(user=empty_draft, wizard=CREATE_ORDER, data={"step_data": {}})
    UserPreference.objects.create(user=drafted, time_zone="Asia/Tokyo")
    for user in (plain, drafted, empty_draft):
        loaded = DashboardBackend().get_user(user.pk)
        other = get_user_model().objects.get(pk=user.pk)  # no extras: each reader queries
        assert user_extra(other, TIME_ZONE) is MISSING
        assert user_time_zone(loaded) == user_time_zone(other)
        assert has_draft(loaded) == has_draft(other)
        assert getattr(loaded, HAS_ORDER_DRAFT) == has_draft(other)
    assert has_draft(DashboardBackend().get_user(drafted.pk)) is True


@pytest.mark.parametrize("user_id", [None, "", "abc", 10**12])
def test_an_unknown_or_unreadable_id_is_no_user(user_id):
    assert DashboardBackend().get_user(user_id) is None


def test_an_inactive_user_is_no_user():
    assert DashboardBackend().get_user(UserFactory(is_active=False).pk) is None


def test_a_list_page_reads_the_user_once_and_nothing_else_about_them(client):
    client.force_login(MarketingUserFactory())
    assert client.session[BACKEND_SESSION_KEY] == "core.auth.DashboardBackend"
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/orders/").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "auth_user"' in q for q in sql) == 1, sql
    assert not [q for q in sql if q.startswith('SELECT "core_userpreference"')]
    assert not [q for q in sql if 'FROM "orders_wizarddraft"' in q and "auth_user" not in q]


def test_a_session_signed_in_with_djangos_model_backend_still_works(client):
    """Sessions written before this backend existed name ModelBackend: still signed in."""
    user = MarketingUserFactory()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/orders/")
    assert response.status_code == 200
    assert response.context["user"].pk == user.pk
