"""Segment membership at the boundaries of each condition, and segment conditions' checks."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from customers.models import Customer
from customers.segments import TEMPLATES, clean_conditions, conditions_q
from customers.services import create_segment
from metadata.models import MetadataProperty, MetadataSchema

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def customer(name: str, spent: int = 0, count: int = 0, days_ago: float | None = None, **meta):
    return Customer.objects.create(
        name=name,
        orders_total_amount=spent,
        orders_total_count=count,
        orders_last_order_date=None if days_ago is None else NOW - timedelta(days=days_ago),
        metadata=meta,
    )


def members(conditions: dict) -> set[str]:
    return set(
        Customer.objects.filter(conditions_q(conditions, now=NOW)).values_list("name", flat=True)
    )


def test_min_total_spent_includes_exactly_the_threshold():
    customer("below", spent=49999)
    customer("exactly", spent=50000)
    customer("above", spent=50001)
    assert members({"min_total_spent": 50000}) == {"exactly", "above"}


def test_min_orders_includes_exactly_n():
    customer("four", count=4)
    customer("five", count=5)
    assert members({"min_orders": 5}) == {"five"}


def test_within_days_includes_exactly_d_days_ago_and_more_than_excludes_it():
    customer("29", days_ago=29)
    customer("30", days_ago=30)
    customer("30+", days_ago=30.0001)
    customer("never")
    assert members({"last_order_within_days": 30}) == {"29", "30"}
    assert members({"last_order_more_than_days_ago": 30}) == {"30+"}


def test_conditions_combine_with_and_and_metadata_uses_the_schema():
    schema = MetadataSchema.objects.create(related_object="customer")
    MetadataProperty.objects.create(schema=schema, name="tier", type="string")
    customer("gold-rich", spent=90000, tier="gold")
    customer("silver-rich", spent=90000, tier="silver")
    customer("gold-poor", spent=10, tier="gold")
    conditions = clean_conditions({"min_total_spent": 50000, "metadata": ["tier:eq:gold"]})
    assert members(conditions) == {"gold-rich"}


def test_bad_conditions_are_refused_by_name():
    with pytest.raises(ValidationError) as raised:
        clean_conditions({"min_orders": -1, "metadata": ["tier:bogus:x"]})
    assert set(raised.value.message_dict) == {"min_orders", "metadata"}
    with pytest.raises(ValidationError, match="at least one condition"):
        clean_conditions({})


def test_templates_are_valid_segments(marketing_user):
    for template in TEMPLATES:
        segment = create_segment(
            name=template.name, conditions=template.conditions, owner=marketing_user
        )
        assert segment.conditions == template.conditions
    with pytest.raises(ValidationError, match="already has this name"):
        create_segment(name="Lapsed", conditions={"min_orders": 1}, owner=marketing_user)


def test_the_migrated_marketing_group_may_manage_segments():
    # Given the Marketing group as the migrations left it (customers 0003 added these)
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="Marketing")

    # Then it may view, add, change and delete segments
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_segment", "add_segment", "change_segment", "delete_segment"} <= codenames


@pytest.mark.parametrize(
    ("key", "value", "limit"),
    [
        ("min_orders", 2**31, "2,147,483,647"),
        ("last_order_within_days", 10**12, "36,500"),
        ("last_order_more_than_days_ago", 10**12, "36,500"),
        ("min_total_spent", 2**63, "9,223,372,036,854,775,807"),
    ],
)
def test_a_value_beyond_its_column_or_the_calendar_is_refused_naming_the_limit(key, value, limit):
    with pytest.raises(ValidationError) as raised:
        clean_conditions({key: value})
    assert set(raised.value.message_dict) == {key}
    assert limit in raised.value.message_dict[key][0]


def test_stored_values_beyond_the_limits_keep_their_meaning_without_an_error():
    # Saved before the limits existed: no customer can meet them, except "within" a span
    # longer than the calendar, which every customer with a last order meets.
    customer("recent", count=3, days_ago=1)
    customer("never")
    assert members({"min_orders": 2**31}) == set()
    assert members({"min_total_spent": 2**70}) == set()
    assert members({"last_order_within_days": 10**12}) == {"recent"}
    assert members({"last_order_more_than_days_ago": 10**12}) == set()
