"""The filter panel's Conditions fieldset: the builder row folded into the reference's
``filters[...]`` parameters, the conditions in force with their removal links, the junction,
and saved views and exports that keep them."""

import html
import re
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from exports.models import Export
from exports.services import export_queryset
from metadata.models import MetadataProperty, MetadataSchema
from orders import grammar
from orders.condition_rows import CONDITION_OPTIONS
from orders.models import SavedView
from tests.factories import CustomerFactory, make_order
from tests.orders.test_order_list import rows

pytestmark = pytest.mark.django_db

SOURCE_IN = "filters[source_id][conditions][$in]"
AMOUNT_MORE = "filters[amount][conditions][$more_than]"


def folded(client: Client, query: str) -> QueryDict:
    """The query of the URL the list sends a plain form with a builder row on to."""
    response = client.get(f"/orders/?{query}")
    assert response.status_code == 302, response.status_code
    return QueryDict(urlsplit(response["Location"]).query)


def row(field: str, op: str, value: str = "", key: str = "") -> str:
    """The builder row as the plain form sends it (every part, blank or not)."""
    parts = {"cond_field": field, "cond_op": op, "cond_value": value, "cond_key": key}
    query = QueryDict(mutable=True)
    query.update(parts)
    return query.urlencode()


def lines(page: str) -> list[str]:
    """The Conditions fieldset's lines, as their words."""
    listed = page.split('id="cond-list"', 1)[1].split("</ul>", 1)[0]
    return [html.unescape(text) for text in re.findall(r"<span>([^<]*)</span>", listed)]


def removal(page: str, label: str) -> str:
    match = re.search(rf'href="([^"]+)"[^>]*aria-label="Remove condition {re.escape(label)}"', page)
    assert match, f"no removal link for {label}"
    return html.unescape(match.group(1))


def shop_orders() -> dict[str, str]:
    """Orders from shops a, b and c of 50.00, 150.00 and 250.00: their ids by name."""
    return {
        "a-50": make_order(items=0, source_id="a", amount=5000).pk,
        "b-150": make_order(items=0, source_id="b", amount=15000).pk,
        "c-250": make_order(items=0, source_id="c", amount=25000).pk,
    }


# --- folding the builder row ------------------------------------------------------------------


def test_a_comma_separated_list_becomes_one_value_per_index(marketing_client):
    # When "Source ID is one of a, b ,, c" is added beside a search
    query = folded(marketing_client, row("source_id", "$in", " a, b ,,c ") + "&q=x")

    # Then each value has its index, the builder's parts are gone, the search stays
    assert [query.get(f"{SOURCE_IN}[{i}]") for i in range(3)] == ["a", "b", "c"]
    assert not any(name.startswith("cond_") for name in query)
    assert query["q"] == "x"


def test_a_condition_added_again_takes_the_next_index(marketing_client):
    # Given a list already filtered on source IDs a and b (the second without an index's
    # neighbour: indexes 0 and 3)
    present = f"{SOURCE_IN}[0]=a&{SOURCE_IN}[3]=b"

    # When c and d are added to the same condition
    query = folded(marketing_client, f"{present}&{row('source_id', '$in', 'c,d')}")

    # Then they follow the last index, and nothing given before moves
    assert {name: query.getlist(name) for name in query if name.startswith(SOURCE_IN)} == {
        f"{SOURCE_IN}[0]": ["a"],
        f"{SOURCE_IN}[3]": ["b"],
        f"{SOURCE_IN}[4]": ["c"],
        f"{SOURCE_IN}[5]": ["d"],
    }


def test_a_valueless_condition_needs_no_value_and_filters(marketing_client):
    # Given an order with a customer and one without
    with_customer = make_order(items=0, customer=CustomerFactory())
    make_order(items=0)

    # When "Customer ID has a value" is added, with a stray value typed
    query = folded(marketing_client, row("customer_id", "$has_value", "ignored"))

    # Then it is one blank parameter, which the list's URL keeps and applies
    assert query.getlist("filters[customer_id][conditions][$has_value][0]") == [""]
    page = marketing_client.get(f"/orders/?{query.urlencode()}").text
    assert rows(page) == [with_customer.pk]
    assert lines(page) == ["Customer ID has a value"]


def test_an_amount_is_typed_as_the_panel_reads_amounts(marketing_client):
    # Given orders of 50.00, 150.00 and 250.00
    ids = shop_orders()

    # When "Amount more than 100" (dollars, as the Amounts fieldset reads them) is added
    query = folded(marketing_client, row("amount", "$more_than", "100"))

    # Then the URL holds the grammar's minor units, and the list the two larger orders
    assert query.getlist(f"{AMOUNT_MORE}[0]") == ["10000"]
    page = marketing_client.get(f"/orders/?{query.urlencode()}").text
    assert sorted(rows(page)) == sorted([ids["b-150"], ids["c-250"]])
    assert lines(page) == ["Amount > $100.00"]


def test_a_metadata_key_the_schema_lacks_is_typed(marketing_client):
    # Given an order from the web channel, with no schema defining "channel"
    web = make_order(items=0, metadata={"channel": "web"})
    make_order(items=0, metadata={"channel": "store"})

    # When "Another key…" channel is web is added
    query = folded(marketing_client, row("metadata.*", "$is", "web", key="channel"))

    # Then it is a condition of metadata.channel
    assert query.getlist("filters[metadata.channel][conditions][$is][0]") == ["web"]
    page = marketing_client.get(f"/orders/?{query.urlencode()}").text
    assert rows(page) == [web.pk]
    assert lines(page) == ["channel is web"]


def test_a_row_without_a_field_adds_nothing(marketing_client):
    # When the form is sent with the builder left as it was
    query = folded(marketing_client, row("", "$is", "") + "&status=PAID")

    # Then the URL has just the other filters
    assert query.urlencode() == "status=PAID"


def test_a_condition_that_does_not_fit_its_field_says_so_on_the_fieldset(marketing_client):
    # Given orders of 50.00 and 150.00
    ids = shop_orders()

    # When "Amount contains 12" is sent (as a page without the script can)
    query = folded(marketing_client, row("amount", "$contains", "12"))
    page = marketing_client.get(f"/orders/?{query.urlencode()}").text

    # Then the fieldset gives the grammar's message, names the condition as written so it can
    # be removed, and the list still shows every order
    error = page.split('id="error-conditions"', 1)[1].split("</div>", 1)[0]
    assert "The filter amount $contains is not supported: amount is an amount in minor " in error
    assert "$more_than" in error  # the conditions amount takes
    assert 'role="alert"' in error
    assert lines(page) == ["amount $contains 12"]
    assert "filters" not in urlsplit(removal(page, "amount $contains 12")).query
    assert sorted(rows(page)) == sorted(ids.values())


def test_with_htmx_the_row_is_folded_into_the_pushed_url_and_cleared(marketing_client):
    # Given shops a, b and c
    ids = shop_orders()

    # When the builder's Add is pressed (htmx sends the form to #results)
    response = marketing_client.get(
        f"/orders/?{row('source_id', '$in', 'a,b')}",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )

    # Then the results are a's and b's, the address is the folded one, the list of conditions
    # and a fresh builder row come out of band
    page = response.text
    assert sorted(rows(page)) == sorted([ids["a-50"], ids["b-150"]])
    pushed = QueryDict(urlsplit(response["HX-Push-Url"]).query)
    assert pushed.getlist(f"{SOURCE_IN}[0]") + pushed.getlist(f"{SOURCE_IN}[1]") == ["a", "b"]
    assert '<ul class="meta-list" id="cond-list" hx-swap-oob="true">' in page
    assert '<div class="cond-row" id="cond-row" hx-swap-oob="true">' in page
    assert lines(page) == ["Source ID is one of a, b"]


# --- the conditions in force -----------------------------------------------------------------


def test_every_condition_rides_along_as_hidden_inputs(marketing_client):
    # Given a list with two conditions, one of them valueless
    query = f"{SOURCE_IN}[0]=a&{SOURCE_IN}[1]=b&filters[referrer_id][conditions][$is_unknown][0]="

    # When the page is shown
    page = marketing_client.get(f"/orders/?{query}").text

    # Then the form carries each of their parameters, so any change of the form keeps them
    hidden = re.findall(r'<input type="hidden" name="(filters\[[^"]+)" value="([^"]*)">', page)
    assert sorted(html.unescape(name) for name, _ in hidden) == sorted(
        [f"{SOURCE_IN}[0]", f"{SOURCE_IN}[1]", "filters[referrer_id][conditions][$is_unknown][0]"]
    )
    assert lines(page) == ["Source ID is one of a, b", "Referrer ID has no value"]  # as given


def test_removing_one_condition_keeps_the_others_and_the_junction(marketing_client):
    # Given three conditions joined by "or"
    ids = shop_orders()
    query = (
        f"{SOURCE_IN}[0]=a&{AMOUNT_MORE}[0]=20000"
        "&filters[source_id][conditions][$is][0]=b&filters[junction]=or"
    )
    page = marketing_client.get(f"/orders/?{query}").text
    assert sorted(rows(page)) == sorted(ids.values())

    # When "Source ID is one of a" is removed
    url = removal(page, "Source ID is one of a")

    # Then the other two stay, still joined by "or"
    left = QueryDict(urlsplit(url).query)
    assert SOURCE_IN + "[0]" not in left
    assert left[f"{AMOUNT_MORE}[0]"] == "20000"
    assert left["filters[source_id][conditions][$is][0]"] == "b"
    assert left["filters[junction]"] == "or"
    after = marketing_client.get(url).text
    assert sorted(rows(after)) == sorted([ids["b-150"], ids["c-250"]])


def test_the_junction_joins_the_conditions_all_or_any(marketing_client):
    # Given shops a, b and c of 50, 150 and 250
    ids = shop_orders()
    both = f"{SOURCE_IN}[0]=a&{SOURCE_IN}[1]=b&{AMOUNT_MORE}[0]=10000"

    # When the conditions must all match: shop a or b, and more than 100
    every = marketing_client.get(f"/orders/?{both}").text
    # When any may: shop a or b, or more than 100
    anyone = marketing_client.get(f"/orders/?{both}&filters[junction]=or").text

    # Then "all" is b alone and "any" is all three, and the select says which is in force
    assert rows(every) == [ids["b-150"]]
    assert sorted(rows(anyone)) == sorted(ids.values())
    selected = r'<option value="or" selected>Match any condition</option>'
    assert re.search(selected, anyone) and not re.search(selected, every)
    assert "Any of: Source ID is one of a, b; Amount &gt; $100.00" in anyone  # its chip
    # the select shows with two conditions, and not with one
    assert '<div id="cond-junction">' in every
    one = marketing_client.get(f"/orders/?{AMOUNT_MORE}[0]=10000").text
    assert '<div id="cond-junction" hidden>' in one


def test_the_builder_offers_the_fields_and_the_conditions_by_type(marketing_client):
    # Given a schema with a number and a list of texts
    schema = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="score", type="number")
    MetadataProperty.objects.create(schema=schema, name="tags", type="string", array=True)

    # When the list is shown
    page = marketing_client.get("/orders/").text

    # Then the fields are the order's (by their words), the schema's keys and any other key,
    # each with its type; each condition names the types it fits
    fields = dict(re.findall(r'<option value="([^"]+)" data-type="([^"]+)">', page))
    assert {name: fields[name] for name in ("amount", "source_id", "created_at")} == {
        "amount": "money",
        "source_id": "string",
        "created_at": "date",
    }
    assert fields["metadata.score"] == "number" and fields["metadata.tags"] == "array"
    assert fields["metadata.*"] == "unknown"
    assert '<option value="amount" data-type="money">Amount</option>' in page
    conditions = dict(re.findall(r'<option value="(\$[a-z_]+)" data-types="([^"]+)">', page))
    assert "money" not in conditions["$contains"].split()
    assert "string" in conditions["$contains"].split()
    assert "money" in conditions["$more_than"].split()
    assert "string" not in conditions["$more_than"].split()


def test_the_builder_offers_every_condition_some_field_takes():
    offered = {option.value for option in CONDITION_OPTIONS}
    taken = {condition for conditions in grammar.CONDITIONS.values() for condition in conditions}
    assert offered == taken
    for option in CONDITION_OPTIONS:
        fitting = {kind for kind, taken in grammar.CONDITIONS.items() if option.value in taken}
        assert set(option.types.split()) == fitting


# --- saved views and exports -----------------------------------------------------------------


def test_a_saved_view_of_conditions_opens_the_same_orders(marketing_client, marketing_user):
    # Given the list filtered by "Source ID is one of a, b" or "Customer ID has no value"
    ids = shop_orders()
    make_order(items=0, source_id="d", customer=CustomerFactory())
    list_url = folded(
        marketing_client,
        f"filters[junction]=or&{row('source_id', '$in', 'a,b')}",
    ).urlencode()
    list_url = folded(
        marketing_client, f"{list_url}&{row('customer_id', '$is_unknown')}"
    ).urlencode()
    listed = rows(marketing_client.get(f"/orders/?{list_url}").text)
    assert sorted(listed) == sorted(ids.values())  # c has no customer either

    # When it is saved (the panel sends the address bar's query) and opened again
    marketing_client.post("/orders/views/", {"name": "Shops", "query": list_url, "next": "/"})
    view = SavedView.objects.get()
    opened = marketing_client.get(view.get_absolute_url()).text

    # Then the view keeps every condition and the junction, and shows the same orders
    assert QueryDict(view.query).getlist("filters[customer_id][conditions][$is_unknown][0]") == [""]
    assert QueryDict(view.query)["filters[junction]"] == "or"
    assert rows(opened) == listed
    assert lines(opened) == ["Customer ID has no value", "Source ID is one of a, b"]


def test_an_export_from_the_list_stores_the_conditions_and_selects_its_orders(marketing_client):
    # Given the list filtered by "Source ID is one of a, b" and "Customer ID has no value",
    # with a half-typed condition still in the builder
    ids = shop_orders()
    make_order(items=0, source_id="e", customer=CustomerFactory())
    list_query = (
        f"{SOURCE_IN}[0]=a&{SOURCE_IN}[1]=b&{SOURCE_IN}[2]=e"
        "&filters[customer_id][conditions][$is_unknown][0]="
    )
    listed = rows(marketing_client.get(f"/orders/?{list_query}").text)
    assert sorted(listed) == sorted([ids["a-50"], ids["b-150"]])

    # When the Export dialog opens from the list's form (htmx includes the whole form) ...
    dialog = marketing_client.get(
        reverse("exports:new") + f"?{list_query}&{row('amount', '$more_than', '1')}",
        HTTP_HX_REQUEST="true",
    ).text
    sent = html.unescape(re.search(r'name="query" value="([^"]*)"', dialog).group(1))
    assert "Exporting 2 orders matching" in dialog
    assert "cond_" not in sent  # the condition still being typed is not in force

    # ... and the export is started
    marketing_client.post(reverse("exports:new"), {"query": sent, "fields": ["id"]})

    # Then the export stores the conditions and holds exactly the list's orders
    export = Export.objects.get()
    assert export.parameters["filters"] == {
        f"{SOURCE_IN}[0]": ["a"],
        f"{SOURCE_IN}[1]": ["b"],
        f"{SOURCE_IN}[2]": ["e"],
        "filters[customer_id][conditions][$is_unknown][0]": [""],
    }
    assert list(export_queryset(export).values_list("pk", flat=True)) == listed
