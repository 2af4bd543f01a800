"""The dashboard's groups and what they may do."""

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


def ensure_marketing_group(group_model: type, permission_model: type) -> object:
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
