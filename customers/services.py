"""Writes to customers."""

from collections.abc import Iterable

from django.db.models import Count, Sum

from orders.models import COUNTED_STATUSES, Order

from .models import Customer


def refresh_purchase_summaries(customer_ids: Iterable[str | None]) -> None:
    """Recompute the purchase summary of these customers from their PAID/FULFILLED orders.

    Called by the order service in the same transaction as the order change, so a summary
    never disagrees with the orders it counts.
    """
    for customer_id in {cid for cid in customer_ids if cid}:
        counted = Order.objects.filter(customer_id=customer_id, status__in=COUNTED_STATUSES)
        totals = counted.aggregate(total=Sum("total_amount"), count=Count("id"))
        last = counted.order_by("-created_at", "-id").values("total_amount", "created_at").first()
        Customer.objects.filter(pk=customer_id).update(
            orders_total_amount=totals["total"] or 0,
            orders_total_count=totals["count"],
            orders_last_order_amount=last["total_amount"] if last else None,
            orders_last_order_date=last["created_at"] if last else None,
        )


def create_customer(
    *, name: str = "", email: str = "", phone: str = "", source_id: str | None = None
) -> Customer:
    """Create a customer after the model's own checks (email, unique source ID).

    Raises ``ValidationError`` keyed by field, e.g. ``{"source_id": "Another customer already
    uses this source ID."}``, and writes nothing then.
    """
    customer = Customer(
        name=name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        source_id=(source_id or "").strip() or None,
    )
    customer.full_clean()
    customer.save(force_insert=True)
    return customer
