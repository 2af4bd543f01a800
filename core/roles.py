"""The dashboard's groups and what they may do."""

MARKETING_GROUP = "Marketing"

# (app_label, codename): view, add and change orders and customers; export orders.
MARKETING_PERMISSIONS = [
    ("orders", "view_order"),
    ("orders", "add_order"),
    ("orders", "change_order"),
    ("orders", "export_order"),
    ("orders", "view_orderitem"),
    ("orders", "view_orderevent"),
    ("orders", "view_product"),
    ("orders", "view_sku"),
    ("orders", "view_metadataschema"),
    ("orders", "view_metadataproperty"),
    ("customers", "view_customer"),
    ("customers", "add_customer"),
    ("customers", "change_customer"),
    ("exports", "view_export"),
    ("exports", "add_export"),
]
