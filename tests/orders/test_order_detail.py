"""The order page: header, tabs, status changes, edits, no lost update, permissions."""

import re
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from metadata.models import MetadataProperty, MetadataSchema
from orders import services
from orders.actors import Actor
from orders.models import Order, OrderEvent, OrderStatus
from orders.services import ItemData
from tests.factories import (
    CustomerFactory,
    ProductFactory,
    SKUFactory,
    UserFactory,
    make_order,
)

pytestmark = pytest.mark.django_db


def page(client, order, tab="") -> str:
    response = client.get(f"/orders/{order.pk}/" + (f"?tab={tab}" if tab else ""))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def schema():
    schema = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="delivery", type="date")
    MetadataProperty.objects.create(schema=schema, name="gift", type="boolean")
    MetadataProperty.objects.create(schema=schema, name="tags", type="string", array=True)
    MetadataProperty.objects.create(schema=schema, name="score", type="number")
    return schema


def test_header_shows_the_order_and_the_actions_the_user_may_take(
    marketing_client, viewer_client, operator_client
):
    ada, bob = CustomerFactory(name="Ada Lovelace"), CustomerFactory(name="Bob Referrer")
    order = make_order(source_id="SHOP-9", customer=ada, referrer=bob, status=OrderStatus.PAID)

    html = page(marketing_client, order)
    assert order.pk in html and 'data-copy="' + order.pk + '"' in html
    assert "SHOP-9" in html and 'badge-paid">Paid<' in html
    assert f'href="/customers/{ada.pk}/">Ada Lovelace' in html
    assert f'href="/customers/{bob.pk}/">Bob Referrer' in html
    assert "Change status" in html and f'href="/orders/{order.pk}/edit/"' in html
    assert "Open in admin" not in html

    viewer_html = page(viewer_client, order)
    assert "Change status" not in viewer_html and "/edit/" not in viewer_html
    assert "Open in admin" in page(operator_client, order)


def test_dashboard_tab_shows_transaction_data_and_the_cart(marketing_client):
    product, sku = ProductFactory(name="Mug", source_id="P-MUG"), SKUFactory(sku="Mug red")
    order = make_order(
        items=[
            ItemData(quantity=2, price=1250, product=product, discount_amount=250,
                     metadata={"engraving": "Hi"}),
            ItemData(quantity=1, price=4000, sku=sku),
        ],
        discount_amount=500,
    )  # fmt: skip
    html = page(marketing_client, order)
    for text in ("$65.00", "$2.50", "$7.50", "$57.50", "Mug", "P-MUG", "Mug red", sku.pk, "$22.50"):
        assert text in html
    # An item's metadata reads as pairs, not JSON
    assert "<div><dt>engraving</dt><dd>Hi</dd></div>" in html and "&quot;engraving" not in html

    total_only = make_order(items=0, amount=900)
    assert "total amount only" in page(marketing_client, total_only)


def test_metadata_tab_shows_typed_values_and_unknown_properties(marketing_client, schema):
    order = make_order(
        metadata={"delivery": "2026-03-01", "gift": True, "tags": ["vip", "b2b"], "note": "x"}
    )
    html = page(marketing_client, order, "metadata")
    assert "01 Mar 2026" in html and ">yes<" in html
    assert "<li>vip</li><li>b2b</li>" in html
    unknown = r'note</td>\s*<td data-label="Type"><span class="badge"[^>]*>unknown</span>'
    assert re.search(unknown, html)


def test_metadata_is_edited_in_place_and_checked_against_the_schema(marketing_client, schema):
    order = make_order(metadata={"score": 1})
    url = f"/orders/{order.pk}/metadata/"

    marketing_client.post(url, {"key": "score", "value": "7", "version": order.version})
    order.refresh_from_db()
    assert order.metadata == {"score": 7}
    assert order.events.latest("id").changes == {"metadata.score": [1, 7]}

    response = marketing_client.post(
        url, {"key": "score", "value": "lots", "version": order.version}, follow=True
    )
    assert "score: must be a number (actual value is &#x27;lots&#x27;)" in response.content.decode()
    order.refresh_from_db()
    assert order.metadata == {"score": 7}

    marketing_client.post(url, {"key": "score", "remove": "on", "value": "", "version": 2})
    order.refresh_from_db()
    assert order.metadata == {}


def test_a_removed_metadata_value_can_be_undone_until_the_order_changes(marketing_client, schema):
    order = make_order(metadata={"score": 5, "channel": "web"})
    url = f"/orders/{order.pk}/metadata/"

    # When a value is removed, the tab offers to put it back
    response = marketing_client.post(
        url, {"key": "channel", "remove": "on", "value": "", "version": order.version}, follow=True
    )
    html = response.content.decode()
    assert "Metadata channel removed." in html
    assert 'id="metadata-undo"' in html
    assert 'Removed <span class="mono">channel</span> (web)' in html

    # Then Undo restores it as an order change of its own
    response = marketing_client.post(url, {"undo": "on"}, follow=True)
    order.refresh_from_db()
    assert order.metadata == {"score": 5, "channel": "web"}
    assert order.events.latest("id").changes == {"metadata.channel": [None, "web"]}
    assert 'id="metadata-undo"' not in response.content.decode()

    # and a removal followed by another change can no longer be undone
    marketing_client.post(url, {"key": "channel", "remove": "on", "value": "", "version": 3})
    services.change_order_status(order.pk, "PAID", actor=Actor.system())
    assert 'id="metadata-undo"' not in page(marketing_client, order, "metadata")
    response = marketing_client.post(url, {"undo": "on"}, follow=True)
    assert "nothing to undo" in response.content.decode()
    order.refresh_from_db()
    assert "channel" not in order.metadata


def test_activity_tab_lists_every_change_newest_first_with_who_and_what(marketing_client):
    user = UserFactory(username="carol")
    ada = CustomerFactory(name="Ada")
    order = make_order(items=0, amount=5000, actor=Actor.for_user(user))
    services.change_order_status(order, "PAID", actor=Actor.api_key("shop"))
    services.update_order(order, actor=Actor.importer(), amount=6000)
    services.update_order(order, actor=Actor.system(), metadata={"channel": "web"})
    services.update_order(order, actor=Actor.system(), customer=ada)

    html = page(marketing_client, order, "activity")
    titles = re.findall(r"<strong>([^<]+)</strong> <span class=\"muted\">by ([^·]+)·", html)
    assert [t for t, _ in titles] == [
        "Customer changed", "Metadata changed", "Items changed", "Status changed", "Created",
    ]  # fmt: skip
    assert [who.strip() for _, who in titles][-2:] == ["API key shop", "carol"]
    assert re.search(
        r'Status: <span class="before">Created</span> → <span class="after">Paid', html
    )
    assert re.search(
        r'Amount: <span class="before">\$50.00</span> → <span class="after">\$60.00', html
    )
    assert 'Metadata channel: <span class="before">—</span> → <span class="after">web' in html
    assert 'Customer: <span class="before">—</span> → <span class="after">Ada' in html


def test_long_histories_paginate(marketing_client):
    order = make_order(items=0, amount=100)
    for amount in range(101, 161):
        services.update_order(order, actor=Actor.system(), amount=amount)
    first = page(marketing_client, order, "activity")
    assert "Page 1 of 2" in first and "Older ›" in first
    second = marketing_client.get(f"/orders/{order.pk}/?tab=activity&page=2").content.decode()
    assert "Created" in second


def test_activity_polls_itself_while_open(marketing_client):
    order = make_order()
    html = page(marketing_client, order, "activity")
    assert f'hx-get="/orders/{order.pk}/activity/" hx-trigger="every 3s"' in html
    services.change_order_status(order, "FULFILLED", actor=Actor.system("elsewhere"))
    polled = marketing_client.get(f"/orders/{order.pk}/activity/").content.decode()
    assert "elsewhere" in polled and "Fulfilled" in polled


def test_paid_to_canceled_asks_for_confirmation_and_the_summary_follows(marketing_client):
    customer = CustomerFactory()
    order = make_order(items=0, amount=4000, customer=customer)
    url = f"/orders/{order.pk}/status/"

    def summary() -> tuple[int, int]:
        customer.refresh_from_db()
        return customer.orders_total_count, customer.orders_total_amount

    assert summary() == (0, 0)
    marketing_client.post(url, {"status": "PAID", "version": 1})
    assert summary() == (1, 4000)
    asked = marketing_client.post(url, {"status": "CANCELED", "version": 2})
    assert "Cancel the order" in asked.content.decode()
    assert Order.objects.get(pk=order.pk).status == "PAID"
    marketing_client.post(url, {"status": "CANCELED", "version": 2, "confirm": "on"})
    assert Order.objects.get(pk=order.pk).status == "CANCELED" and summary() == (0, 0)
    marketing_client.post(url, {"status": "FULFILLED", "version": 3})
    assert summary() == (1, 4000)
    marketing_client.post(url, {"status": "CREATED", "version": 4})
    assert summary() == (0, 0)


def test_fulfilled_to_canceled_is_a_rollback_too(marketing_client):
    order = make_order(items=0, amount=4000, status=OrderStatus.FULFILLED)

    asked = marketing_client.post(
        f"/orders/{order.pk}/status/", {"status": "CANCELED", "version": order.version}
    )

    html = asked.content.decode()
    assert "is <strong>Fulfilled</strong>" in html and "Keep it Fulfilled" in html
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLED


def test_a_stale_status_change_is_refused_with_what_changed(marketing_client):
    order = make_order()
    services.update_order(order, actor=Actor.system("Dave"), source_id="DAVE-1")
    response = marketing_client.post(
        f"/orders/{order.pk}/status/", {"status": "PAID", "version": 1}, follow=True
    )
    html = response.content.decode()
    assert "was changed by Dave since you opened it; nothing was saved" in html
    assert "Source ID: — → DAVE-1" in html
    assert Order.objects.get(pk=order.pk).status == "CREATED"


def edit_data(order: Order, **overrides) -> dict[str, str]:
    items = list(order.items.order_by("position"))
    data = {
        "version": str(order.version),
        "source_id": order.source_id or "",
        "status": order.status,
        "customer": order.customer_id or "",
        "referrer": order.referrer_id or "",
        "amount": "" if items else f"{order.amount / 100:.2f}",
        "discount_amount": f"{order.discount_amount / 100:.2f}",
        "items-TOTAL_FORMS": str(len(items) + 1),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "500",
    }
    for index, item in enumerate(items):
        data.update(
            {
                f"items-{index}-reference": item.product_id,
                f"items-{index}-quantity": str(item.quantity),
                f"items-{index}-price": f"{item.price / 100:.2f}",
                f"items-{index}-discount_amount": "",
            }
        )
    # The blank row the page offers for a new item, as a browser sends it untouched.
    data[f"items-{len(items)}-quantity"] = "1"
    data.update(overrides)
    return data


def test_edit_changes_the_cart_and_the_server_recomputes_totals(marketing_client):
    order = make_order(items=2)  # 1 × 10.00 + 2 × 20.00
    extra = ProductFactory(source_id="NEW-1")
    url = f"/orders/{order.pk}/edit/"
    data = edit_data(
        order,
        **{
            "items-0-quantity": "3",
            "items-1-DELETE": "on",
            "items-2-reference": "NEW-1",
            "items-2-quantity": "1",
            "items-2-price": "5.25",
            "amount": "",
            "source_id": "EDITED",
        },
    )

    calculated = marketing_client.post(url, {**data, "calculate": "1"})
    assert "$35.25" in calculated.content.decode()  # 3 × 10.00 + 5.25, not saved yet
    assert Order.objects.get(pk=order.pk).amount == 5000

    response = marketing_client.post(url, data)
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.amount, order.items_count, order.source_id) == (3525, 4, "EDITED")
    assert [i.product_id for i in order.items.order_by("position")][1] == extra.pk
    event = order.events.latest("id")
    assert event.type == OrderEvent.Type.UPDATED
    assert event.changes["amount"] == [5000, 3525] and event.changes["source_id"] == [
        None,
        "EDITED",
    ]


def test_edit_shows_field_errors_and_saves_nothing(marketing_client):
    order = make_order(items=1)
    url = f"/orders/{order.pk}/edit/"
    bad = edit_data(
        order,
        **{"items-0-quantity": "0", "items-0-price": "1.005", "customer": "nobody@example.com",
           "metadata-unknown_key": "x", "metadata-unknown_kind": "json",
           "metadata-unknown_value": "{nope"},
    )  # fmt: skip
    html = marketing_client.post(url, bad).content.decode()
    assert "Ensure this value is greater than or equal to 1" in html
    assert "2 decimal places" in html
    assert "Not valid JSON" in html
    assert "No customer has the id, source ID, email or name" in html
    unknown = marketing_client.post(url, edit_data(order, **{"items-0-reference": "nope"}))
    assert "No product or SKU has the id, source ID or name" in unknown.content.decode()
    assert order.events.count() == 1


def test_saving_without_changes_records_nothing(marketing_client):
    order = make_order(items=2, metadata={})
    response = marketing_client.post(f"/orders/{order.pk}/edit/", edit_data(order))
    assert response.status_code == 302
    assert order.events.count() == 1
    assert Order.objects.get(pk=order.pk).version == 1


def test_a_stale_edit_is_refused_and_shows_what_changed(marketing_client):
    order = make_order(items=0, amount=1000)
    data = edit_data(order, source_id="MINE")
    services.change_order_status(order, "PAID", actor=Actor.system("Eve"))
    html = marketing_client.post(f"/orders/{order.pk}/edit/", data).content.decode()
    assert "was changed by Eve since you opened it" in html
    assert "Status Created → Paid" in html
    order.refresh_from_db()
    assert order.source_id is None and order.status == "PAID"


def test_admin_edits_appear_in_the_activity(operator_client, marketing_client):
    order = make_order(items=0, amount=1000)
    operator_client.post(
        "/admin/orders/order/",
        {"action": "mark_paid", "_selected_action": [order.pk]},
    )
    html = page(marketing_client, order, "activity")
    assert "Status changed" in html and "operator (admin)" in html


def test_permissions(viewer_client, outsider_client, client):
    order = make_order()
    for path, data in [
        ("status/", {"status": "PAID", "version": 1}),
        ("metadata/", {"key": "a", "value": "1", "version": 1}),
        ("edit/", edit_data(order)),
    ]:
        assert viewer_client.post(f"/orders/{order.pk}/{path}", data).status_code == 403
    assert viewer_client.get(f"/orders/{order.pk}/edit/").status_code == 403
    assert outsider_client.get(f"/orders/{order.pk}/").status_code == 403
    assert outsider_client.get(f"/orders/{order.pk}/activity/").status_code == 403
    assert client.get(f"/orders/{order.pk}/").status_code == 302
    missing = viewer_client.get("/orders/ord_doesnotexist000000000000/")
    assert missing.status_code == 404 and "not found" in missing.content.decode().lower()
    assert Order.objects.get(pk=order.pk).version == 1


def test_the_page_runs_a_constant_number_of_queries(marketing_client):
    def queries(order: Order, tab: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            page(marketing_client, order, tab)
        return len(captured)

    small = make_order(items=1)
    big = make_order(
        items=[ItemData(quantity=1, price=100, product=ProductFactory()) for _ in range(100)]
    )
    for amount in range(500):
        services.update_order(big, actor=Actor.system(), metadata={"n": amount})
    assert big.events.count() == 501
    for tab in ("dashboard", "metadata", "activity"):
        assert queries(small, tab) == queries(big, tab), tab


@pytest.mark.django_db(transaction=True)
def test_concurrent_status_changes_are_serialized_without_lost_updates():
    # Given one order and 20 requests changing its status at the same time
    order = make_order(items=0, amount=1000)
    statuses = ["PAID", "CANCELED", "FULFILLED", "CREATED"]
    barrier = threading.Barrier(20)
    results: list[tuple[str, int]] = []
    lock = threading.Lock()

    def change(index: int) -> None:
        try:
            barrier.wait()
            saved = services.change_order_status(
                order.pk, statuses[index % 4], actor=Actor.system(f"thread {index}")
            )
            with lock:
                results.append((saved.status, saved.version))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=change, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every change was applied one after the other: versions without gaps or repeats,
    # one event per committed change, and the final status is the last committed one
    order.refresh_from_db()
    events = list(order.events.exclude(type="created").order_by("version"))
    committed = sorted({version for _, version in results if version > 1})
    assert len(results) == 20
    assert [e.version for e in events] == committed == list(range(2, order.version + 1))
    assert order.status == events[-1].changes["status"][1]
    for before, after in zip(events, events[1:], strict=False):
        assert after.changes["status"][0] == before.changes["status"][1]


# --- values beyond what the columns hold ----------------------------------------------------


def edit_errors(response) -> dict[str, list[str]]:
    """The Edit page's messages: ``amount``, ``items-1-quantity`` ... → their texts."""
    assert response.status_code == 200
    found = {name: list(errors) for name, errors in response.context["form"].errors.items()}
    for form in response.context["formset"].forms:
        found.update({f"{form.prefix}-{name}": list(e) for name, e in form.errors.items()})
    return found


def test_edit_saves_the_largest_values_the_columns_hold(marketing_client):
    # Given an order with one line
    order = make_order(items=1)

    # When its quantity is set to the largest integer, at a price of one cent
    data = edit_data(order, **{"items-0-quantity": "2147483647", "items-0-price": "0.01"})
    response = marketing_client.post(f"/orders/{order.pk}/edit/", data)

    # Then it is saved
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.items_count, order.amount) == (2**31 - 1, 2**31 - 1)

    # And a total-only order takes the largest amount a bigint holds
    total_only = make_order(items=0, amount=1000)
    data = edit_data(total_only, amount="92233720368547758.07")
    assert marketing_client.post(f"/orders/{total_only.pk}/edit/", data).status_code == 302
    assert Order.objects.get(pk=total_only.pk).total_amount == 2**63 - 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"items-0-quantity": "99999999999999999999"}, "items-0-quantity", "at most 2,147,483,647"),
        ({"items-0-quantity": "1e400"}, "items-0-quantity", "Enter a whole number"),
        (
            {"items-0-price": "99999999999999999999"},
            "items-0-price",
            "Must be at most $92,233,720,368,547,758.07",
        ),
        ({"items-0-price": "NaN"}, "items-0-price", "finite"),
        ({"items-0-discount_amount": "1e999999"}, "items-0-discount_amount", "Must be at most"),
        ({"discount_amount": "Infinity"}, "discount_amount", "finite"),
        # Derived: price × quantity, named on the line's quantity
        (
            {"items-0-quantity": "2147483647", "items-0-price": "50000000.00"},
            "items-0-quantity",
            "must be at most 1,844,674,407 at a price of $50,000,000.00",
        ),
    ],
)
@pytest.mark.parametrize("calculate", [False, True], ids=["save", "calculate"])
def test_edit_beyond_the_columns_is_a_field_error_and_saves_nothing(
    marketing_client, overrides, field, message, calculate
):
    # Given an order with one line
    order = make_order(items=1)
    data = edit_data(order, **overrides)
    if calculate:
        data["calculate"] = "1"

    # When Edit gets a value its column cannot hold, on Calculate or on Save
    response = marketing_client.post(f"/orders/{order.pk}/edit/", data)

    # Then the page shows the message on that field, and nothing changed
    errors = edit_errors(response)
    assert any(message in text for text in errors.get(field, [])), errors
    assert response.context["totals"] is None  # Calculate shows no total
    assert Order.objects.get(pk=order.pk).version == 1
    assert order.events.count() == 1


def test_edit_names_the_line_the_totals_refuse_when_rows_before_it_were_removed(
    marketing_client,
):
    # Given an order with two lines
    order = make_order(items=2)

    # When the first line is removed and the second's quantity makes its amount overflow
    data = edit_data(
        order,
        **{"items-0-DELETE": "on", "items-1-quantity": "2000000000", "items-1-price": "1e8"},
    )
    response = marketing_client.post(f"/orders/{order.pk}/edit/", data)

    # Then the message is on the second row, the one typed into
    errors = edit_errors(response)
    assert any("at a price of $100,000,000.00" in text for text in errors["items-1-quantity"])
    assert "items-0-quantity" not in errors
    assert Order.objects.get(pk=order.pk).version == 1


@pytest.mark.parametrize("typed", ["1e400", "-Infinity", "NaN", "1" + "0" * 5000])
def test_metadata_numbers_json_cannot_store_are_never_a_500(marketing_client, schema, typed):
    # Given an order
    order = make_order(metadata={"score": 1})
    url = f"/orders/{order.pk}/metadata/"

    # When a number too large to store is typed in place into a number property
    refused = marketing_client.post(
        url, {"key": "score", "value": typed, "version": order.version}, follow=True
    )
    # Then the tab comes back with the property's message beside what was typed
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "score: must be a number" in html
    assert re.search(rf'<input[^>]*value="{typed}"[^>]*aria-label="Value of score"', html)
    assert Order.objects.get(pk=order.pk).metadata == {"score": 1}

    # And into an unknown property it is kept as the text typed
    marketing_client.post(url, {"key": "note", "value": typed, "version": order.version})
    assert Order.objects.get(pk=order.pk).metadata == {"score": 1, "note": typed}


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ("1e400", "Not valid JSON: 1e400 is too large a number to store."),
        ("[NaN]", "Not valid JSON: NaN is not a number that can be stored."),
        ("1" + "0" * 5000, "a whole number of 5,001 digits is too long to store"),
    ],
)
def test_edit_refuses_metadata_json_cannot_store(marketing_client, metadata, message):
    # Given an order, when an unknown property's JSON holds a number jsonb cannot store
    order = make_order(items=1)
    row = {"metadata-unknown_key": "x", "metadata-unknown_kind": "json"}
    response = marketing_client.post(
        f"/orders/{order.pk}/edit/", edit_data(order, **row, **{"metadata-unknown_value": metadata})
    )
    # Then its row says so, keeping the text typed, and nothing was saved
    rows = response.context["metadata_form"].unknown_rows()
    assert rows[0]["value"] == metadata
    assert any(message in text for text in rows[0]["errors"]), rows
    assert Order.objects.get(pk=order.pk).version == 1


# --- The header follows the order's changes (htmx out-of-band swaps) -------------------------


def test_the_activity_poll_brings_a_header_older_than_the_order_up_to_date(marketing_client):
    # Given an order shown at version 1, then changed elsewhere
    order = make_order(items=0, amount=4000)
    services.change_order_status(order, OrderStatus.FULFILLED, actor=Actor.system("Dave"))
    order.refresh_from_db()

    # When the Activity tab polls, saying it was shown for version 1
    polled = marketing_client.get(
        f"/orders/{order.pk}/activity/", {"shown_version": "1"}
    ).content.decode()

    # Then the response swaps in the current status, Updated time and Change status form
    assert re.search(r'<span id="order-status" hx-swap-oob="true">.*Fulfilled', polled)
    assert '<dd id="order-updated" hx-swap-oob="true">' in polled
    form = re.search(r'<form [^>]*id="status-form" hx-swap-oob="true">.*?</form>', polled, re.S)
    assert f'name="version" value="{order.version}"' in form[0]
    assert '<option value="FULFILLED" selected>' in form[0]
    # and the next poll says it was shown for the new version
    assert f'"shown_version": "{order.version}"' in polled


def test_the_activity_poll_leaves_a_current_header_alone(marketing_client):
    order = make_order(items=0, amount=4000)

    polled = marketing_client.get(
        f"/orders/{order.pk}/activity/", {"shown_version": str(order.version)}
    ).content.decode()

    assert "hx-swap-oob" not in polled


def test_a_viewer_gets_the_header_without_a_change_status_form(viewer_client):
    order = make_order(items=0, amount=4000)

    polled = viewer_client.get(
        f"/orders/{order.pk}/activity/", {"shown_version": "0"}
    ).content.decode()

    assert '<span id="order-status" hx-swap-oob="true">' in polled
    assert "status-form" not in polled


def test_a_tab_loaded_by_htmx_brings_the_current_header(marketing_client):
    order = make_order(items=0, amount=4000)

    tab = marketing_client.get(
        f"/orders/{order.pk}/?tab=metadata",
        headers={"HX-Request": "true", "HX-Target": "tab-panel"},
    ).content.decode()

    assert '<span id="order-status" hx-swap-oob="true">' in tab
    assert '<form method="post"' in tab and 'id="status-form" hx-swap-oob="true"' in tab
