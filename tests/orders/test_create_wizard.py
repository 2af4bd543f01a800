"""Campaign hub › Orders › Create order: the six-step wizard, posted step by step as a browser
without JavaScript would (the formtools management field names the step being posted)."""

import html
import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import Client

from catalog.models import Product
from core.money import format_money
from customers.models import Customer
from metadata.models import MetadataProperty, MetadataSchema
from orders import services
from orders.models import Order, OrderEvent, WizardDraft
from tests.factories import CustomerFactory, ProductFactory, SKUFactory, make_order

pytestmark = pytest.mark.django_db

URL = "/orders/create/"
STEP_FIELD = "order_create_view-current_step"


# --- helpers ---------------------------------------------------------------------------------


def post(client: Client, step: str, data: dict[str, Any] | None = None, **headers: str):
    return client.post(URL, {STEP_FIELD: step, **(data or {})}, **headers)


def items(*rows: dict[str, str], amount: str = "") -> dict[str, Any]:
    data: dict[str, Any] = {
        "items-rows-TOTAL_FORMS": str(len(rows)),
        "items-rows-INITIAL_FORMS": "0",
        "items-amount": amount,
    }
    for index, row in enumerate(rows):
        data.update({f"items-rows-{index}-{name}": value for name, value in row.items()})
    return data


def party(step: str, **fields: str) -> dict[str, str]:
    return {f"{step}-{name}": value for name, value in fields.items()}


def current_step(response) -> str:
    return response.context["wizard"]["steps"].current


def errors_of(response) -> list[str]:
    """Every message shown on the page's fields and at the top of the step."""
    page = response.content.decode()
    return [
        html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
        for text in re.findall(r'class="field-error"[^>]*>(.*?)</p>', page, re.S)
        + re.findall(r'class="alert alert-error"[^>]*>\s*<p>(.*?)</p>', page, re.S)
    ]


def start(client: Client):
    response = client.get(URL)
    assert response.status_code == 200
    return response


def to_summary(
    client: Client,
    *,
    details: dict[str, str] | None = None,
    cart: dict[str, Any] | None = None,
    customer: dict[str, str] | None = None,
    referrer: dict[str, str] | None = None,
    metadata: dict[str, Any] | None = None,
):
    """Post every step up to the Summary, checking each moves on; the Summary response."""
    start(client)
    steps = [
        ("details", details or {"details-status": "CREATED"}),
        ("items", cart or items(amount="10.00")),
        ("customer", customer or {}),
        ("referrer", referrer or {}),
        ("metadata", metadata or {}),
    ]
    response = None
    for step, data in steps:
        response = post(client, step, data)
        assert response.status_code == 200, step
        assert current_step(response) != step, (step, errors_of(response))
    assert current_step(response) == "summary"
    return response


def creation_key(response) -> str:
    return re.search(r'name="summary-creation_key" value="([^"]+)"', response.content.decode())[1]


def save(client: Client, summary) -> Any:
    return post(client, "summary", {"summary-creation_key": creation_key(summary)})


# --- permissions -----------------------------------------------------------------------------


def test_marketing_user_opens_the_wizard_at_details(marketing_client: Client) -> None:
    # Given a member of Marketing
    # When they open Create order
    response = start(marketing_client)

    # Then the Details step shows, with the step bar
    assert current_step(response) == "details"
    html = response.content.decode()
    assert 'aria-current="step"' in html
    for label in ("Details", "Items", "Customer", "Referrer", "Metadata", "Summary"):
        assert label in html


@pytest.mark.parametrize("who", ["viewer_client", "outsider_client"])
def test_users_without_add_order_are_refused(request: pytest.FixtureRequest, who: str) -> None:
    # Given a view-only user or an outsider
    client = request.getfixturevalue(who)
    # When they open or post to the wizard
    # Then they are refused
    assert client.get(URL).status_code == 403
    assert post(client, "details", {"details-status": "PAID"}).status_code == 403


def test_anonymous_user_goes_to_the_login_page(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_lookups_need_the_view_permissions(
    marketing_client: Client, outsider_client: Client, client: Client
) -> None:
    # Given a product and a customer
    ProductFactory(name="Blue mug", source_id="mug-1", price=1250)
    CustomerFactory(name="Ada Lovelace", email="ada@example.com")

    # When Marketing searches, the matches come back as suggestions
    products = marketing_client.get(
        "/orders/catalogue/search/", {"q": "mug", "row": "items-rows-0"}
    )
    people = marketing_client.get("/customers/search/", {"q": "ada", "field": "customer-existing"})
    assert "Blue mug" in products.content.decode()
    assert "12.50" in products.content.decode()  # the price a pick fills in
    assert "Ada Lovelace" in people.content.decode()

    # Then an outsider is refused and an anonymous user sent to log in
    assert outsider_client.get("/orders/catalogue/search/", {"q": "mug"}).status_code == 403
    assert outsider_client.get("/customers/search/", {"q": "ada"}).status_code == 403
    assert client.get("/customers/search/", {"q": "ada"}).status_code == 302


def test_lookups_are_bounded(marketing_client: Client) -> None:
    for index in range(15):
        ProductFactory(name=f"Mug {index}")
    html = marketing_client.get("/orders/catalogue/search/", {"q": "mug"}).content.decode()
    assert html.count('class="suggestion"') == 10


# --- step validation -------------------------------------------------------------------------


def test_details_source_id_already_used_links_to_that_order(marketing_client: Client) -> None:
    # Given an order with source ID "web-1"
    order = make_order(source_id="web-1")
    start(marketing_client)

    # When the new order is given the same source ID
    response = post(marketing_client, "details", {"details-source_id": "web-1"})

    # Then the step stays, says so and links to that order
    assert current_step(response) == "details"
    assert f"Source ID 'web-1' is already used by order {order.pk}." in errors_of(response)
    assert f'href="/orders/{order.pk}/"' in response.content.decode()


@pytest.mark.parametrize(
    ("cart", "message"),
    [
        (items(), "Add an item, or enter a Total order amount."),
        (
            items({"reference": "P", "quantity": "1", "price": "1.00"}, amount="5.00"),
            "Leave the Total order amount empty when the order has items",
        ),
        (items({"reference": "P", "quantity": "0", "price": "1.00"}), "1 or more"),
        (items({"reference": "P", "quantity": "1", "price": "-1.00"}), "Enter zero or more"),
        (items({"reference": "nope", "quantity": "1"}), "No product or SKU has the id"),
        (
            items({"reference": "P", "new_name": "Mug", "quantity": "1", "price": "1"}),
            "Pick a catalogue product or name a new one, not both.",
        ),
    ],
)
def test_items_step_messages(marketing_client: Client, cart: dict, message: str) -> None:
    # Given a catalogue product with source ID "P"
    ProductFactory(source_id="P", price=100)
    start(marketing_client)
    post(marketing_client, "details", {"details-status": "CREATED"})

    # When the Items step gets empty or contradictory input
    response = post(marketing_client, "items", cart)

    # Then it stays on Items with a message on the field
    assert current_step(response) == "items"
    assert any(message in text for text in errors_of(response)), errors_of(response)


def test_items_step_refuses_501_items(marketing_client: Client) -> None:
    ProductFactory(source_id="P", price=100)
    start(marketing_client)
    post(marketing_client, "details", {})
    rows = [{"reference": "P", "quantity": "1", "price": "1.00"}] * 501

    response = post(marketing_client, "items", items(*rows))

    assert current_step(response) == "items"
    assert any("at most 500 items; this one has 501" in text for text in errors_of(response))


def test_calculate_shows_line_amounts_and_total_without_leaving_items(
    marketing_client: Client,
) -> None:
    # Given a product and a SKU in the catalogue
    ProductFactory(source_id="mug", price=1250)
    SKUFactory(source_id="tee-m", price=2000)
    start(marketing_client)
    post(marketing_client, "details", {})
    cart = items(
        {"reference": "mug", "quantity": "2", "price": ""},  # price from the catalogue
        {"reference": "tee-m", "quantity": "3", "price": "19.50"},
    )

    # When Calculate is pressed through htmx
    response = post(
        marketing_client, "items", {**cart, "wizard_action": "calculate"}, HTTP_HX_REQUEST="true"
    )

    # Then only the step's body comes back, with each line's amount and the total
    html = response.content.decode()
    assert current_step(response) == "items"
    assert "<html" not in html and 'id="step-body"' in html
    assert "$25.00" in html and "$58.50" in html
    assert re.search(r'id="total-amount">\$83.50<', html)


def test_add_and_remove_item_rows_keep_what_was_typed(marketing_client: Client) -> None:
    start(marketing_client)
    post(marketing_client, "details", {})
    cart = items({"reference": "first"}, {"reference": "second"}, {"reference": "third"})

    added = post(marketing_client, "items", {**cart, "wizard_action": "add_item"})
    assert added.context["form"].rows.total_form_count() == 4
    assert errors_of(added) == []  # no messages while still typing

    removed = post(marketing_client, "items", {**cart, "wizard_action": "remove_item:1"})
    html = removed.content.decode()
    assert 'value="first"' in html and 'value="third"' in html and 'value="second"' not in html


def test_customer_step_messages(marketing_client: Client) -> None:
    # Given an existing customer with source ID "c-1"
    ada = CustomerFactory(name="Ada", source_id="c-1")
    start(marketing_client)
    post(marketing_client, "details", {})
    post(marketing_client, "items", items(amount="1.00"))

    # When choosing and creating at once
    both = post(marketing_client, "customer", party("customer", existing=ada.pk, name="Bob"))
    assert "Choose an existing customer or create a new one, not both." in errors_of(both)

    # When the new customer's email is not an email
    bad = post(marketing_client, "customer", party("customer", name="Bob", email="bob@"))
    assert "Enter a valid email address." in errors_of(bad)

    # When the new customer's email is longer than the column holds
    long = post(marketing_client, "customer", party("customer", email=f"{'b' * 250}@example.com"))
    assert "Ensure this value has at most 254 characters (it has 262)." in errors_of(long)

    # When the new customer's source ID is Ada's, she is offered for reuse
    taken = post(marketing_client, "customer", party("customer", name="Bob", source_id="c-1"))
    assert "Customer Ada already has this source ID — use them?" in errors_of(taken)
    assert f'name="customer-use_existing" value="{ada.pk}"' in taken.content.decode()

    # And "Use them" chooses her, moving on
    used = post(
        marketing_client,
        "customer",
        party("customer", name="Bob", source_id="c-1", use_existing=ada.pk),
    )
    assert current_step(used) == "referrer"
    assert Customer.objects.count() == 1


def test_a_new_customer_with_a_known_email_is_offered_the_existing_one(
    marketing_client: Client,
) -> None:
    # Given a customer with an email
    ada = CustomerFactory(name="Ada", email="ada@example.com")
    start(marketing_client)
    post(marketing_client, "details", {})
    post(marketing_client, "items", items(amount="1.00"))

    # When a new customer is typed with that email (in other case)
    typed = party("customer", name="Ada L", email="ADA@example.com")
    offered = post(marketing_client, "customer", typed)

    # Then the step stays, says who has it and offers her, or a duplicate on purpose
    assert current_step(offered) == "customer"
    assert (
        "Customer Ada already has this email — use them, or create a new customer with it anyway?"
        in errors_of(offered)
    )
    page = offered.content.decode()
    assert f'name="customer-use_existing" value="{ada.pk}"' in page
    assert 'name="customer-same_email_ok"' in page

    # And "Use them" chooses her; ticking "anyway" creates a second one on Save
    used = post(marketing_client, "customer", {**typed, "customer-use_existing": ada.pk})
    assert current_step(used) == "referrer"
    back = post(marketing_client, "referrer", {"wizard_goto_step": "customer"})
    assert re.search(r'name="customer-existing" id="[^"]+" value="Ada"', back.content.decode())
    anyway = to_summary(marketing_client, customer={**typed, "customer-same_email_ok": "on"})
    assert "Ada L" in anyway.content.decode()
    save(marketing_client, anyway)
    assert Customer.objects.filter(email__iexact="ada@example.com").count() == 2


def test_metadata_step_names_the_property_in_every_message(marketing_client: Client) -> None:
    # Given an order schema with a required number and a date
    schema = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="score", type="number", optional=False)
    MetadataProperty.objects.create(schema=schema, name="ship_on", type="date")
    start(marketing_client)
    post(marketing_client, "details", {})
    post(marketing_client, "items", items(amount="1.00"))
    post(marketing_client, "customer", {})
    post(marketing_client, "referrer", {})

    # When the required one is missing / not a number, and the date is not a date
    missing = post(marketing_client, "metadata", {"metadata-prop__ship_on": "soon"})
    wrong = post(marketing_client, "metadata", {"metadata-prop__score": "many"})

    # Then each message names its property
    assert "score: is required" in errors_of(missing)
    assert any(text.startswith("ship_on: must be a date") for text in errors_of(missing))
    assert any(text.startswith("score: must be a number") for text in errors_of(wrong))


def test_adding_to_the_schema_needs_the_permission(marketing_client: Client) -> None:
    # Given a Marketing user (no schema permission) on the Metadata step
    to_summary(marketing_client)
    post(marketing_client, "summary", {"wizard_goto_step": "metadata"})

    # Then "Add to schema" is not offered, and posting it anyway is refused with a reason
    response = post(
        marketing_client,
        "metadata",
        {
            "wizard_action": "add_property",
            "metadata-add_name": "gift",
            "metadata-add_type": "string",
        },
    )
    assert 'value="add_property"' not in response.content.decode()  # no "Add to schema" button
    assert any("You may not add properties" in text for text in errors_of(response))
    assert not MetadataProperty.objects.filter(name="gift").exists()


def test_back_keeps_input_and_cancel_discards(marketing_client: Client) -> None:
    start(marketing_client)
    post(marketing_client, "details", {"details-source_id": "kept-1"})
    # When going Back from Items after typing a total
    back = post(marketing_client, "items", {**items(amount="7.00"), "wizard_goto_step": "details"})
    assert 'value="kept-1"' in back.content.decode()
    forward = post(marketing_client, "details", {"details-source_id": "kept-1"})
    assert 'value="7.00"' in forward.content.decode()

    # When Cancel is pressed, the wizard is discarded and the list shows
    cancelled = post(marketing_client, "items", {"wizard_cancel": "1"})
    assert cancelled.status_code == 302 and cancelled["Location"] == "/orders/"
    assert not WizardDraft.objects.exists()
    assert Order.objects.count() == 0


def test_the_draft_is_kept_per_user_until_saved_or_discarded(
    marketing_client: Client, marketing_user, viewer_client: Client
) -> None:
    # Given a wizard left at the Customer step (only opened, it is no draft yet)
    start(marketing_client)
    assert 'id="resume-draft"' not in marketing_client.get("/orders/").content.decode()
    post(marketing_client, "details", {"details-source_id": "draft-1"})
    post(marketing_client, "items", items(amount="12,50"))
    assert 'id="resume-draft"' in marketing_client.get("/orders/").content.decode()

    # When the user signs out, signs in again and opens the wizard
    marketing_client.logout()
    marketing_client.force_login(marketing_user)
    resumed = marketing_client.get(URL)

    # Then it resumes at Customer with what was entered, and says so
    assert current_step(resumed) == "customer"
    assert "You are continuing the order you started earlier" in resumed.content.decode()
    back = post(marketing_client, "customer", {"wizard_goto_step": "items"})
    assert 'value="12,50"' in back.content.decode()
    # ... nobody else sees it
    assert 'id="resume-draft"' not in viewer_client.get("/orders/").content.decode()

    # And Cancel discards it: the list offers no draft, the wizard starts afresh
    post(marketing_client, "items", {"wizard_cancel": "1"})
    assert 'id="resume-draft"' not in marketing_client.get("/orders/").content.decode()
    assert current_step(marketing_client.get(URL)) == "details"


def test_a_saved_draft_is_gone(marketing_client: Client) -> None:
    summary = to_summary(marketing_client)
    save(marketing_client, summary)
    assert Order.objects.count() == 1 and not WizardDraft.objects.exists()
    assert current_step(marketing_client.get(URL)) == "details"


def test_a_step_with_errors_lists_them_first_for_focus_and_screen_readers(
    marketing_client: Client,
) -> None:
    start(marketing_client)
    post(marketing_client, "details", {})

    response = post(
        marketing_client, "items", items({"new_name": "Mug", "quantity": "0", "price": "1.2.3"})
    )

    page = response.content.decode()
    summary = re.search(r'<div class="error-summary[^"]*" id="step-errors" role="alert" '
                        r'tabindex="-1">(.*?)</div>', page, re.S)  # fmt: skip
    assert summary, page
    assert "2 things to fix on this step:" in summary[1]
    assert 'href="#id_items-rows-0-quantity">Quantity of item 1: ' in summary[1]
    assert 'href="#id_items-rows-0-price">Price of item 1: Enter an amount' in summary[1]
    # in-step actions that are still being typed show none
    added = post(marketing_client, "items", {**items(), "wizard_action": "add_item"})
    assert 'id="step-errors"' not in added.content.decode()


# --- saving ----------------------------------------------------------------------------------


def test_saves_an_order_from_items_with_new_product_and_customer(
    marketing_client: Client, marketing_user
) -> None:
    # Given a catalogue SKU and a referrer
    sku = SKUFactory(source_id="tee-m", price=2000)
    referrer = CustomerFactory(name="Rita")
    summary = to_summary(
        marketing_client,
        details={"details-source_id": "shop-9", "details-status": "PAID"},
        cart=items(
            {"reference": "tee-m", "quantity": "2", "price": "20.00"},
            {"new_name": "Gift wrap", "new_source_id": "wrap", "quantity": "1", "price": "3.50"},
        ),
        customer=party("customer", name="Nina", email="nina@example.com", source_id="n-1"),
        referrer=party("referrer", existing=referrer.pk),
        metadata={"metadata-unknown_key": "channel", "metadata-unknown_value": "phone"},
    )
    # The Summary shows the computed total and everything entered
    html = summary.content.decode()
    assert "$43.50" in html and "Gift wrap" in html and "Nina" in html and "Rita" in html

    # When saved
    response = save(marketing_client, summary)

    # Then the order exists with its items, new product, new customer, referrer and metadata
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    assert (order.source_id, order.status, order.amount) == ("shop-9", "PAID", 4350)
    assert [item.sku_id for item in order.items.order_by("position")] == [sku.pk, None]
    assert Product.objects.get(source_id="wrap").name == "Gift wrap"
    assert order.customer.email == "nina@example.com" and order.referrer == referrer
    assert order.metadata == {"channel": "phone"}
    # With the "created" event by the user, and the order in the customer's profile
    event = order.events.get()
    assert (event.type, event.actor_user) == (OrderEvent.Type.CREATED, marketing_user)
    detail = marketing_client.get(response["Location"]).content.decode()
    assert f"Order {order.pk} created." in detail
    page = marketing_client.get(f"/customers/{order.customer_id}/").content.decode()
    assert order.pk in page


def test_saves_a_total_only_order(marketing_client: Client) -> None:
    summary = to_summary(marketing_client, cart=items(amount="120.00"))
    save(marketing_client, summary)
    order = Order.objects.get()
    assert (order.amount, order.total_amount, order.items_count) == (12000, 12000, 0)


def test_operator_adds_a_property_to_the_schema_on_save(operator_client: Client) -> None:
    # Given an operator on the Metadata step
    to_summary(operator_client)
    post(operator_client, "summary", {"wizard_goto_step": "metadata"})

    # When they add "vip" (yes/no) to the schema, it is offered at once as a typed input
    added = post(
        operator_client,
        "metadata",
        {
            "wizard_action": "add_property",
            "metadata-add_name": "vip",
            "metadata-add_type": "boolean",
        },
    )
    assert 'name="metadata-prop__vip"' in added.content.decode()
    assert not MetadataProperty.objects.filter(name="vip").exists()  # not yet

    # And a value that is not yes/no is refused naming it
    post(operator_client, "metadata", {"metadata-prop__vip": "true"})
    summary = post(operator_client, "summary", {"wizard_goto_step": "summary"})
    save(operator_client, summary)

    # Then the schema has it and the order holds a boolean
    assert MetadataProperty.objects.get(name="vip").type == "boolean"
    assert Order.objects.get().metadata == {"vip": True}


def test_a_failure_on_the_last_write_leaves_nothing_behind(
    operator_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a wizard that creates a product, a customer and a schema property
    to_summary(
        operator_client,
        cart=items({"new_name": "Mug", "new_source_id": "m-1", "quantity": "1", "price": "5"}),
        customer=party("customer", name="Nina", source_id="n-1"),
    )
    post(operator_client, "summary", {"wizard_goto_step": "metadata"})
    post(
        operator_client,
        "metadata",
        {
            "wizard_action": "add_property",
            "metadata-add_name": "vip",
            "metadata-add_type": "string",
        },
    )
    summary = post(operator_client, "metadata", {"metadata-prop__vip": "yes"})
    written = {}

    def failing_create_order(**kwargs: Any) -> Order:
        # Everything before the order was written in this transaction ...
        written["product"] = Product.objects.filter(source_id="m-1").exists()
        written["customer"] = Customer.objects.filter(source_id="n-1").exists()
        written["property"] = MetadataProperty.objects.filter(name="vip").exists()
        raise ValidationError("The database went away.")

    monkeypatch.setattr(services, "create_order", failing_create_order)

    # When Save fails on the last write
    response = save(operator_client, summary)

    # Then the Summary says why, and none of the earlier writes remains
    assert written == {"product": True, "customer": True, "property": True}
    assert "The database went away." in errors_of(response)
    assert not Product.objects.exists()
    assert not Customer.objects.exists()
    assert not MetadataProperty.objects.exists()
    assert not Order.objects.exists()

    # And once the failure is gone, the same wizard saves (nothing was lost)
    monkeypatch.undo()
    save(operator_client, summary)
    assert Order.objects.count() == 1 and Product.objects.count() == 1


def test_saving_twice_creates_one_order(marketing_client: Client) -> None:
    # Given a wizard at its Summary
    summary = to_summary(marketing_client, customer=party("customer", name="Nina"))

    # When Save is posted twice (a double click) and the Summary reloaded (posted again)
    first = save(marketing_client, summary)
    second = save(marketing_client, summary)
    third = save(marketing_client, summary)

    # Then there is one order (and one new customer), and every answer leads to it
    order = Order.objects.get()
    assert Customer.objects.count() == 1
    assert {first["Location"], second["Location"], third["Location"]} == {f"/orders/{order.pk}/"}
    assert order.creation_key == creation_key(summary)


def test_the_service_returns_the_order_of_a_used_key(marketing_user) -> None:
    from orders.actors import Actor
    from orders.order_entry import OrderDraft, save_new_order

    draft = OrderDraft(amount=500)
    actor = Actor.for_user(marketing_user)
    first, created = save_new_order(draft, actor=actor, creation_key="k" * 43)
    again, created_again = save_new_order(draft, actor=actor, creation_key="k" * 43)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and Order.objects.count() == 1


def test_customers_cannot_be_created_without_the_permission(marketing_user) -> None:
    # Given a Marketing user who lost customers.add_customer
    marketing_user.groups.first().permissions.remove(
        Permission.objects.get(codename="add_customer")
    )
    client = Client()
    client.force_login(marketing_user)
    start(client)
    post(client, "details", {})
    post(client, "items", items(amount="1.00"))

    # When they try to create a customer inline
    response = post(client, "customer", party("customer", name="Nina"))

    # Then it is refused
    assert "You may not create customers; choose an existing one." in errors_of(response)


# --- values beyond what the columns hold ----------------------------------------------------

LARGEST_PRICE = "92233720368547758.07"  # 2^63 − 1 minor units: what a bigint column holds
LARGEST_QUANTITY = "2147483647"  # 2^31 − 1: what an integer column holds


@pytest.mark.parametrize(
    ("row", "amount", "units"),
    [
        ({"quantity": "1", "price": LARGEST_PRICE}, 2**63 - 1, 1),
        ({"quantity": LARGEST_QUANTITY, "price": "0.01"}, 2**31 - 1, 2**31 - 1),
    ],
)
def test_the_largest_values_the_columns_hold_are_saved(
    marketing_client: Client, row: dict[str, str], amount: int, units: int
) -> None:
    # Given a cart line at the largest price, or at the largest quantity
    summary = to_summary(marketing_client, cart=items({"new_name": "Yacht", **row}))
    assert format_money(amount) in summary.content.decode()

    # When saved
    response = save(marketing_client, summary)

    # Then the order holds them exactly
    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.pk}/"
    assert (order.amount, order.total_amount, order.items_count) == (amount, amount, units)


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"quantity": "99999999999999999999"}, "quantity", "at most 2,147,483,647"),
        ({"quantity": "2147483648"}, "quantity", "at most 2,147,483,647"),
        ({"quantity": "1e400"}, "quantity", "whole number"),
        ({"price": "92233720368547758.08"}, "price", "at most $92,233,720,368,547,758.07"),
        ({"price": "99999999999999999999"}, "price", "at most $92,233,720,368,547,758.07"),
        ({"price": "1e400"}, "price", "at most $92,233,720,368,547,758.07"),
        ({"price": "1e999999"}, "price", "at most $92,233,720,368,547,758.07"),
        ({"price": "NaN"}, "price", "finite"),
        ({"price": "Infinity"}, "price", "finite"),
    ],
)
def test_items_beyond_the_columns_are_field_errors(
    marketing_client: Client, row: dict[str, str], field: str, message: str
) -> None:
    # Given the Items step
    start(marketing_client)
    post(marketing_client, "details", {})

    # When a quantity or price beyond what its column holds is posted
    cart = items({"new_name": "Mug", "quantity": "1", "price": "5.00", **row})
    response = post(marketing_client, "items", cart)

    # Then the step stays, with the message on that input of the row
    assert response.status_code == 200
    assert current_step(response) == "items"
    row_form = response.context["form"].rows.forms[0]
    assert any(message in text for text in row_form.errors[field]), row_form.errors
    assert any(message in text for text in errors_of(response))


def test_the_largest_total_only_amount_is_accepted_and_one_cent_more_is_not(
    marketing_client: Client,
) -> None:
    start(marketing_client)
    post(marketing_client, "details", {})

    refused = post(marketing_client, "items", items(amount="92233720368547758.08"))
    assert current_step(refused) == "items"
    assert "Must be at most $92,233,720,368,547,758.07" in " ".join(
        refused.context["form"].errors["amount"]
    )

    accepted = post(marketing_client, "items", items(amount=LARGEST_PRICE))
    assert current_step(accepted) == "customer"


@pytest.mark.parametrize(
    ("rows", "row_index", "message"),
    [
        # price × quantity beyond a bigint: the line's quantity is named, with its limit
        (
            [{"quantity": "2", "price": "50000000000000000.00"}],
            0,
            "must be at most 1 at a price of $50,000,000,000,000,000.00",
        ),
        (
            [{"quantity": "99999", "price": "5000000000000000.00"}],
            0,
            "must be at most 18 at a price of $5,000,000,000,000,000.00",
        ),
        # the lines' sum beyond a bigint: the line that tips it over is named
        (
            [
                {"quantity": "1", "price": "50000000000000000.00"},
                {"quantity": "1", "price": "50000000000000000.00"},
            ],
            1,
            "makes the order amount exceed $92,233,720,368,547,758.07",
        ),
        # the units beyond the integer items_count
        (
            [{"quantity": "2000000000", "price": "0"}, {"quantity": "200000000", "price": "0"}],
            1,
            "makes the order's units exceed 2,147,483,647",
        ),
    ],
)
def test_totals_beyond_the_columns_name_the_line_and_show_no_total(
    marketing_client: Client, rows: list[dict[str, str]], row_index: int, message: str
) -> None:
    # Given the Items step with lines each within range but whose totals are not
    start(marketing_client)
    post(marketing_client, "details", {})
    cart = items(*({"new_name": f"Thing {n}", **row} for n, row in enumerate(rows)))

    # When Calculate is pressed, and when Next is
    calculated = post(marketing_client, "items", {**cart, "wizard_action": "calculate"})
    moved = post(marketing_client, "items", cart)

    # Then both stay on Items with the message on that line's quantity, and no total shows
    for response in (calculated, moved):
        assert response.status_code == 200
        assert current_step(response) == "items"
        row_form = response.context["form"].rows.forms[row_index]
        assert any(message in text for text in row_form.errors["quantity"]), row_form.errors
        assert 'id="total-amount"' not in response.content.decode()
    assert Order.objects.count() == 0


def test_a_step_that_became_invalid_is_caught_on_save(marketing_client: Client) -> None:
    # Given a wizard at the Summary
    ProductFactory(source_id="P", price=None)
    summary = to_summary(
        marketing_client, cart=items({"reference": "P", "quantity": "3", "price": "10.00"})
    )
    # ... whose stored Items data was changed under it to an amount beyond the column
    draft = WizardDraft.objects.get()
    draft.data["step_data"]["items"]["items-rows-0-quantity"] = ["2147483647"]
    draft.data["step_data"]["items"]["items-rows-0-price"] = ["50000000000000000"]
    draft.save()

    # When saved
    response = save(marketing_client, summary)

    # Then Save goes back to Items with the message, and writes nothing
    assert response.status_code == 200
    assert current_step(response) == "items"
    assert any("at a price of" in text for text in errors_of(response))
    assert Order.objects.count() == 0


@pytest.mark.parametrize("typed", ["1e400", "1e999999999", "Infinity", "NaN"])
def test_metadata_numbers_json_cannot_store_are_refused_or_kept_as_text(
    marketing_client: Client, typed: str
) -> None:
    # Given an order schema with a number property
    schema = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="score", type="number")

    # When a number too large to store is typed into it, the step names the property
    start(marketing_client)
    for step, data in [("details", {}), ("items", items(amount="1.00")), ("customer", {}),
                       ("referrer", {})]:  # fmt: skip
        post(marketing_client, step, data)
    refused = post(marketing_client, "metadata", {"metadata-prop__score": typed})
    assert current_step(refused) == "metadata"
    assert f"score: must be a number (actual value is '{typed}')" in errors_of(refused)

    # And typed as an unknown property's value, it is kept as the text typed and saved
    unknown = {"metadata-unknown_key": "note", "metadata-unknown_value": typed}
    summary = to_summary(marketing_client, metadata=unknown)
    response = save(marketing_client, summary)
    assert response.status_code == 302
    assert Order.objects.get().metadata == {"note": typed}


@pytest.mark.parametrize("name", ["gift note", "<b>vip</b>", "a__b"])
def test_a_property_name_no_metadata_key_could_have_is_not_added_to_the_schema(
    operator_client: Client, name: str
) -> None:
    # Given an operator on the Metadata step
    to_summary(operator_client)
    post(operator_client, "summary", {"wizard_goto_step": "metadata"})

    # When they add a property whose name has a space, HTML or "__"
    response = post(
        operator_client,
        "metadata",
        {"wizard_action": "add_property", "metadata-add_name": name, "metadata-add_type": "string"},
    )

    # Then it is refused stating the allowed shape, and not offered as an input
    assert "cannot be a property name. Use 1 to 100 letters" in response.content.decode()
    assert f'name="metadata-prop__{name}"' not in response.content.decode()
    summary = post(operator_client, "summary", {"wizard_goto_step": "summary"})
    save(operator_client, summary)
    assert not MetadataProperty.objects.exists()
