"""The signed-in user, read with what every dashboard page asks of them, in one query.

Each dashboard request used to read the user, then their time zone (``core.preferences``), their
permissions (``core.roles.load_permissions``) and whether they left a Create order draft
(the orders list's "Resume draft" link): four round trips and four ORM queries' worth of Python
per page. ``DashboardBackend.get_user`` reads them together: the user row with one subquery
per value.

Apps above core add their own values with ``register_user_extra`` (from ``AppConfig.ready()``),
so core names no app above it. A reader of a value falls back to its own query when the value
is absent: a user loaded another way (``User.objects.get``, a session written by
Django's ``ModelBackend`` before this backend existed) still gets the right answer.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Concat
from django.http import HttpRequest

from .models import UserPreference

# name -> a function returning the expression (of the user row, ``OuterRef("pk")``) to read.
USER_EXTRAS: dict[str, Callable[[], BaseExpression]] = {}
MISSING = object()
TIME_ZONE = "dashboard_time_zone"
PERMISSIONS = "dashboard_permissions"


def signed_in(request: HttpRequest) -> User:
    """The user of a request that only signed-in users reach (login_required, the admin)."""
    user = request.user
    assert isinstance(user, User), "a view for signed-in users only"
    return user


def register_user_extra(name: str, expression: Callable[[], BaseExpression]) -> None:
    """Read ``expression`` with every signed-in user, as the attribute ``name``."""
    USER_EXTRAS[name] = expression
    _user_query.cache_clear()


def user_extra(user: User | AnonymousUser, name: str) -> Any:
    """The value ``name`` read with this user, or ``MISSING`` when it was not."""
    return getattr(user, name, MISSING)


def _time_zone() -> BaseExpression:
    zones = UserPreference.objects.filter(user=OuterRef("pk")).order_by("pk")
    return Subquery(zones.values("time_zone")[:1])


def _permissions() -> BaseExpression:
    """The same set as ModelBackend's two queries (the user's own, then their groups'), as
    ``app_label.codename``. Each source is an ``IN`` of its link table, not joins ORed
    together, which PostgreSQL plans in a fraction of the time."""
    user = OuterRef(OuterRef("pk"))
    own = User.user_permissions.through.objects.filter(user_id=user)
    of_groups = Group.permissions.through.objects.filter(group__user=user)
    granted = (
        Permission.objects.filter(
            Q(id__in=own.values("permission_id")) | Q(id__in=of_groups.values("permission_id"))
        )
        .order_by()
        .values(perm=Concat("content_type__app_label", Value("."), "codename"))
    )
    return ArraySubquery(granted)


@functools.cache
def _user_query() -> tuple[str, tuple[Any, ...]]:
    """The SQL of the user row with its extras, one user's by the last parameter.

    Compiled once per process: building and compiling the subqueries through the ORM costs
    more Python than all the rest of reading the user.
    """
    model = get_user_model()
    users = model._default_manager.annotate(
        **{name: expression() for name, expression in USER_EXTRAS.items()}
    )
    sql, params = users.query.sql_with_params()
    column = model._meta.pk.column
    assert column is not None, "a primary key has a column"
    pk = connection.ops.quote_name(column)
    return f"{sql} WHERE {connection.ops.quote_name(model._meta.db_table)}.{pk} = %s", params


class DashboardBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` also reads the registered extras.

    Permissions are left where ``ModelBackend.has_perm`` looks first (``_perm_cache``), for
    active users who are not superusers (``has_perm`` answers those without any query).
    """

    def get_user(self, user_id: Any) -> User | None:
        model = get_user_model()
        try:
            user_id = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        sql, params = _user_query()
        user = next(iter(model._default_manager.raw(sql, (*params, user_id))), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        permissions = getattr(user, PERMISSIONS)
        if user.is_active and not user.is_superuser:
            user._perm_cache = set(permissions or ())  # type: ignore[attr-defined]  # ModelBackend's own cache
        return user


register_user_extra(TIME_ZONE, _time_zone)
register_user_extra(PERMISSIONS, _permissions)
