"""Saved views of the orders list: the reads and the writes.

A saved view is a name for a query string of the orders list (``/orders/?<query>``), kept on
the server so it follows its owner from browser to browser and can be shared with the team.
Only its owner may rename, share, update or delete it; everyone who may view orders sees the views
shared with the team.
"""

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict

from .filters import DEFAULT_SORT
from .models import SavedView

Viewer = User | AnonymousUser

# Where the list is, not what it shows: a view opens at its first page.
IGNORED_PARAMETERS = frozenset({"page"})
# Values that change nothing: the filter form sends them whenever it is used.
DEFAULT_VALUES = frozenset(
    {("sort", DEFAULT_SORT), ("source_id_match", "is"), ("filters[junction]", "and")}
)
# The reference's conditions (``filters[<field>][conditions][<$condition>][<index>]``): kept
# even blank, since ``$has_value`` and ``$is_unknown`` take no value, and a condition missing
# its value should say so (the grammar's message) rather than vanish.
CONDITION_PREFIX = "filters["
NAME_MAX_LENGTH = SavedView._meta.get_field("name").max_length
UNIQUE_CONSTRAINT = "saved_view_owner_name_uniq"


def canonical_query(query: str | QueryDict) -> str:
    """The orders list's query string in one form, so equal filters give equal strings.

    Drops ``page``, blank values (an empty filter field filters nothing; a condition's are
    kept, see ``CONDITION_PREFIX``) and default ones (newest first, source ID "is", conditions
    joined by "and"), keeps repeated parameters (``status=PAID&status=CANCELED``, several
    ``meta=``) in their given order, since their order can matter to the person reading them,
    and sorts parameter names, numbers in them by value (a condition's ``[2]`` before its
    ``[10]``, so its values keep their order).
    ``:`` stays readable (``meta=payment_method:eq:Visa``); everything else is encoded.
    """
    if isinstance(query, str):
        query = QueryDict(query.removeprefix("?"))
    return urlencode(canonical_pairs(query), safe=":")


def canonical_pairs(query: QueryDict) -> list[tuple[str, str]]:
    """``canonical_query``'s parameters, in its order, not yet encoded."""
    return [
        (name, value)
        for name in sorted(query, key=by_number)
        if name not in IGNORED_PARAMETERS
        for value in query.getlist(name)
        if kept(name, value)
    ]


def kept(name: str, value: str) -> bool:
    """Whether ``canonical_query`` keeps the parameter ``name=value``."""
    return (
        bool(value.strip() or name.startswith(CONDITION_PREFIX))
        and (
            name,
            value,
        )
        not in DEFAULT_VALUES
    )


_DIGITS = re.compile(r"(\d+)")


def by_number(name: str) -> tuple[tuple[int, str], ...]:
    """A sort key reading runs of digits as numbers: ``a[2]`` before ``a[10]``."""
    parts = _DIGITS.split(name)
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in parts)


def may_save_views(user: Viewer) -> bool:
    """Saved views are views of the orders list: whoever may see orders may keep some."""
    # The same rule as orders.selectors.orders_visible_to.
    return user.is_active and user.has_perm("orders.view_order")


def saved_views_for(user: Viewer) -> QuerySet[SavedView]:
    """The saved views ``user`` may open: their own and those others share with the team."""
    if not may_save_views(user):
        return SavedView.objects.none()
    return SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")


def save_view(*, owner: User, name: str, query: str | QueryDict, shared: bool = False) -> SavedView:
    """Save the orders list's ``query`` as ``owner``'s view called ``name``.

    Raises ``ValidationError`` keyed by ``name`` for a blank, too long or already used name,
    and ``PermissionDenied`` when ``owner`` may not view orders.
    """
    if not may_save_views(owner):
        raise PermissionDenied("Saving a view needs access to orders.")
    view = SavedView(
        owner=owner,
        name=_clean_name(name, owner=owner),
        query=canonical_query(query),
        shared=shared,
    )
    _save(view)
    return view


def rename_view(view: SavedView, *, user: Viewer, name: str) -> SavedView:
    """Give ``view`` a new name; only its owner may. Validates the name like ``save_view``."""
    check_owner(view, user)
    name = _clean_name(name, owner=view.owner, exclude_pk=view.pk)
    if name != view.name:
        view.name = name
        _save(view, update_fields=["name", "updated_at"])
    return view


def set_view_shared(view: SavedView, *, user: Viewer, shared: bool) -> SavedView:
    """Share ``view`` with everyone who may view orders, or take it back; owner only."""
    check_owner(view, user)
    if view.shared != shared:
        view.shared = shared
        view.save(update_fields=["shared", "updated_at"])
    return view


def update_view_query(view: SavedView, *, user: Viewer, query: str | QueryDict) -> SavedView:
    """Give ``view`` the orders list's current ``query`` (filters and sort); owner only."""
    check_owner(view, user)
    query = canonical_query(query)
    if query != view.query:
        view.query = query
        view.save(update_fields=["query", "updated_at"])
    return view


def delete_view(view: SavedView, *, user: Viewer) -> None:
    """Delete ``view``; only its owner may."""
    check_owner(view, user)
    view.delete()


def check_owner(view: SavedView, user: Viewer) -> None:
    """Raise ``PermissionDenied`` unless ``user`` owns ``view`` (and so may change it)."""
    # Others may open a shared view, never change it. Whoever cannot see it at all gets
    # a 404 from the views before this (saved_views_for), so they never learn it exists.
    if not user.is_authenticated or view.owner_id != user.pk:
        raise PermissionDenied("Only the owner of a saved view may change it.")


def _clean_name(name: str, *, owner: User, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ValidationError("Give the view a name.", code="required")})
    if NAME_MAX_LENGTH is not None and len(name) > NAME_MAX_LENGTH:
        message = (
            f"Keep the view's name to {NAME_MAX_LENGTH} characters or fewer "
            f"(this one has {len(name)})."
        )
        raise ValidationError({"name": ValidationError(message, code="max_length")})
    taken = SavedView.objects.filter(owner=owner, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise _duplicate_name(name)
    return name


def _save(view: SavedView, **kwargs: Any) -> None:
    # The check in _clean_name gives the message; the constraint settles a race between
    # two requests saving the same name at once.
    try:
        with transaction.atomic():
            view.save(**kwargs)
    except IntegrityError as error:
        diagnostics = getattr(error.__cause__, "diag", None)
        if getattr(diagnostics, "constraint_name", None) == UNIQUE_CONSTRAINT:
            raise _duplicate_name(view.name) from error
        raise


def _duplicate_name(name: str) -> ValidationError:
    message = f"You already have a view named '{name}'."
    return ValidationError({"name": ValidationError(message, code="unique")})
