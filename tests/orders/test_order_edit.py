"""The order Edit page's cart and people: names with ids as secondary text, money in its
messages, every limit a field error before anything is written, Calculate's empty row."""

import re

import pytest

from orders.models import Order
from orders.services import ItemData
from tests.factories import CustomerFactory, ProductFactory, SKUFactory, make_order
from tests.orders.test_order_detail import edit_data

pytestmark = pytest.mark.django_db


def _edit(client, order: Order, **overrides: str) -> str:
    response = client.post(f"/orders/{order.pk}/edit/", edit_data(order, **overrides))
    return response.content.decode()


def test_edit_shows_items_and_people_by_name_with_their_ids_beside(marketing_client):
    # Given an order of a product and a SKU, for a named customer and referrer
    mug = ProductFactory(name="Blue mug")
    tee = SKUFactory(product__name="Tee", sku="Tee M")
    ada, bob = CustomerFactory(name="Ada Lovelace"), CustomerFactory(name="Bob Referrer")
    items = [
        ItemData(quantity=1, price=1250, product=mug),
        ItemData(quantity=1, price=2000, product=tee.product, sku=tee),
    ]
    order = make_order(items=items, customer=ada, referrer=bob)

    # When its Edit page is opened
    html = marketing_client.get(f"/orders/{order.pk}/edit/").content.decode()

    # Then each input shows a name, and the id is secondary text beside it
    assert 'name="items-0-reference" value="Blue mug"' in html
    assert f'name="items-0-reference_id" value="{mug.pk}"' in html
    assert 'name="items-1-reference" value="Tee · Tee M"' in html
    assert f'picked-id">{tee.pk}<' in html
    assert 'name="customer" value="Ada Lovelace"' in html
    assert f'picked-id">{ada.pk}<' in html
    assert 'name="referrer" value="Bob Referrer"' in html
    assert f'name="customer" value="{ada.pk}"' not in html


def test_names_posted_back_as_shown_keep_the_same_records(marketing_client):
    # Given two products and two customers that share a name
    mug, other_mug = ProductFactory(name="Mug"), ProductFactory(name="Mug")
    ada = CustomerFactory(name="Ada")
    CustomerFactory(name="Ada")
    order = make_order(items=[ItemData(quantity=1, price=500, product=other_mug)])

    # When the page's names are saved with the ids the page carries
    response = marketing_client.post(
        f"/orders/{order.pk}/edit/",
        edit_data(
            order,
            **{"items-0-reference": "Mug", "items-0-reference_id": other_mug.pk,
               "customer": "Ada", "customer_id": ada.pk, "source_id": "RENAMED"},
        ),
    )  # fmt: skip

    # Then the picked records are kept, not the first of that name
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.customer == ada and order.source_id == "RENAMED"
    assert order.items.get().product == other_mug
    assert mug.pk != other_mug.pk


def test_a_name_typed_over_a_pick_is_looked_up_and_an_ambiguous_one_is_refused(
    marketing_client,
):
    ProductFactory(name="Mug")
    ProductFactory(name="Mug")
    ada = CustomerFactory(name="Ada")
    order = make_order(items=1, customer=ada)
    item = order.items.get()

    html = _edit(
        marketing_client,
        order,
        **{"items-0-reference": "Mug", "items-0-reference_id": item.product_id},
    )
    assert "Several products are named &#x27;Mug&#x27;" in html
    assert order.events.count() == 1


def test_limit_messages_speak_money_and_nothing_is_written(marketing_client):
    # Given an order with a line of 40.99
    order = make_order(items=[ItemData(quantity=1, price=4099, product=ProductFactory())])

    # When the line's discount is larger than the line, on Calculate and on Save
    for action in ({"calculate": "1"}, {}):
        html = _edit(marketing_client, order, **{"items-0-discount_amount": "100000"}, **action)

        # Then the discount says so in money, under its input
        assert "cannot exceed the item amount $40.99 (actual value is &#x27;$100,000.00&#x27;)" in (
            html
        )
    html = _edit(marketing_client, order, discount_amount="50.00")
    assert "discounts of $50.00 exceed the order amount $40.99" in html
    order.refresh_from_db()
    assert order.version == 1 and order.events.count() == 1


def test_calculate_adds_an_empty_row_as_its_help_says(marketing_client):
    order = make_order(items=1)
    data = edit_data(order, calculate="1")
    # the blank row filled in, as someone adding an item would
    data.update({"items-1-reference": order.items.get().product_id, "items-1-price": "1,50"})

    html = marketing_client.post(f"/orders/{order.pk}/edit/", data).content.decode()

    assert 'name="items-TOTAL_FORMS" value="3"' in html
    assert re.search(r'<input type="text" name="items-2-reference" aria-label="[^"]+" id=', html)
    assert "$11.50" in html  # 10.00 + 1.50: "1,50" is a price, not 150.00
    order.refresh_from_db()
    assert order.items.count() == 1
