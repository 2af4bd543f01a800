"""The dashboard's groups and what they may do."""

from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.db.models import Q

MARKETING_GROUP = "Marketing"

# (app_label, codename): view, add and change orders and customers; view the catalogue and
# the metadata schemas; export orders; manage customer segments. Permissions added after the
# group's first migration are added to the existing group by a later data migration
# (customers 0003), never by editing an old one; a model that moves app takes its grants
# along (core.model_moves), and its label here follows it.
MARKETING_PERMISSIONS = [
    ("orders", "view_order"),
    ("orders", "add_order"),
    ("orders", "change_order"),
    ("orders", "export_order"),
    ("orders", "view_orderitem"),
    ("orders", "view_orderevent"),
    ("catalog", "view_product"),
    ("catalog", "view_sku"),
    ("metadata", "view_metadataschema"),
    ("metadata", "view_metadataproperty"),
    ("customers", "view_customer"),
    ("customers", "add_customer"),
    ("customers", "change_customer"),
    ("customers", "view_segment"),
    ("customers", "add_segment"),
    ("customers", "change_segment"),
    ("customers", "delete_segment"),
    ("exports", "view_export"),
    ("exports", "add_export"),
]


def ensure_marketing_group(group_model: type[Group], permission_model: type[Permission]) -> Group:
    """Create or complete the Marketing group; returns it.

    Takes the models as arguments so the data migration can pass its historical models and
    tests their current ones (a transactional test's flush removes migration-made rows).
    """
    group, _ = group_model.objects.get_or_create(name=MARKETING_GROUP)
    for app_label, codename in MARKETING_PERMISSIONS:
        group.permissions.add(
            permission_model.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group


def load_permissions(user: User | AnonymousUser) -> None:
    """Read a signed-in user's permissions in one query, where Django's ``ModelBackend``
    (the only authentication backend) reads them in two (the user's own, then their
    groups'), and leave them where ``ModelBackend`` looks first (``user._perm_cache``).

    Dashboard pages call it before their permission check: every ``has_perm`` of the
    request (the page's, its template's ``perms``, selectors') then reads that set. A user
    signed in through ``core.auth.DashboardBackend`` has it already (read with the user row),
    and this does nothing. Superusers
    and inactive users are left alone: ``has_perm`` answers them without any query.
    """
    if (
        not user.is_authenticated
        or not user.is_active
        or user.is_superuser
        or hasattr(user, "_perm_cache")
    ):
        return
    rows = (
        Permission.objects.filter(Q(user=user) | Q(group__user=user))
        .order_by()
        .values_list("content_type__app_label", "codename")
        .distinct()
    )
    user._perm_cache = {  # type: ignore[attr-defined]  # ModelBackend's own cache
        f"{app_label}.{codename}" for app_label, codename in rows
    }
