"""What the Create order wizard's Summary step shows: everything entered, with the server's
totals, before Save."""

from typing import Any

from django.core.exceptions import ValidationError

from metadata.validation import describe_properties

from ..models import OrderStatus
from ..order_entry import NewProperty, OrderDraft, schema_after_save
from ..totals import ItemInput, compute_totals


def summary_context(draft: OrderDraft | None, new_properties: list[NewProperty]) -> dict[str, Any]:
    """The Summary's context; ``draft`` is ``None`` while a step still needs attention."""
    if draft is None:
        return {"draft": None}
    try:
        totals = compute_totals(
            [ItemInput(line.quantity, line.price) for line in draft.lines],
            amount=None if draft.lines else draft.amount,
        )
    except ValidationError:
        totals = None
    schema = schema_after_save(new_properties)
    types = {prop.name: prop.type for prop in describe_properties("order", schema=schema)}
    pending = {prop.name for prop in new_properties}
    return {
        "draft": draft,
        "status_label": OrderStatus(draft.status).label,
        "totals": totals,
        "lines": [
            {"line": line, "amount": computed.amount}
            for line, computed in zip(draft.lines, totals.items if totals else (), strict=False)
        ],
        "metadata_rows": [
            {
                "key": key,
                "value": value,
                "type": types.get(key, "unknown"),
                "new_in_schema": key in pending,
            }
            for key, value in sorted(draft.metadata.items())
        ],
        "new_properties": new_properties,
    }
