"""The orders list page: what a user sees, htmx fragments, pages and counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import lists
from orders import selectors
from orders.models import Order, OrderStatus
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db


def rows(html: str) -> list[str]:
    """The order ids in the table, in order."""
    body = html.split('id="orders"', 1)[1]
    return re.findall(r'<a class="mono" href="/orders/(ord_[A-Za-z0-9]{24})/"', body)


def test_the_table_shows_the_orders_view_columns(marketing_client):
    ada = CustomerFactory(name="Ada Lovelace")
    order = make_order(customer=ada, amount=7700, discount_amount=700, status=OrderStatus.PAID)
    make_order(amount=100)

    html = marketing_client.get("/orders/").content.decode()

    assert "2 orders" in html
    assert order.pk in rows(html)
    assert 'badge badge-paid">Paid<' in html
    assert "Ada Lovelace" in html and "$77.00" in html and "$70.00" in html
    assert "—" in html  # the order without a customer
    assert order.created_at.strftime("%Y-%m-%d %H:%M UTC") in html


def test_filters_show_as_chips_that_remove_just_themselves(marketing_client):
    make_order(status=OrderStatus.PAID, metadata={"payment_method": "Visa"})
    response = marketing_client.get(
        "/orders/?status=PAID&status=CANCELED&meta=payment_method:eq:Visa&amount_min=10"
    )
    html = response.content.decode()
    assert "Status is Paid" in html and "Status is Canceled" in html
    assert "payment_method is Visa" in html and "Amount from $10.00" in html
    # removing "Status is Paid" keeps every other filter
    removal = re.search(r'href="([^"]+)"[^>]*aria-label="Remove filter Status is Paid"', html)
    assert removal
    url = removal.group(1).replace("&amp;", "&")
    assert "status=PAID" not in url
    assert "status=CANCELED" in url and "amount_min=10" in url and "meta=payment_method" in url
    assert 'href="/orders/"' in html  # Clear all


def test_htmx_gets_only_the_fragment_and_the_canonical_url(marketing_client):
    make_order(status=OrderStatus.PAID)
    response = marketing_client.get(
        "/orders/?status=PAID&meta_key=payment_method&meta_op=eq&meta_value=Visa&page=1",
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="orders-page"')
    assert "<html" not in html
    assert response["HX-Push-Url"] == "/orders/?meta=payment_method:eq:Visa&status=PAID"


def test_plain_form_metadata_rows_are_folded_into_the_url(marketing_client):
    response = marketing_client.get(
        "/orders/?meta_key=score&meta_op=gt&meta_value=5&meta_key=&meta_op=eq&meta_value=&q=x"
    )
    assert response.status_code == 302
    assert response["Location"] == "/orders/?meta=score:gt:5&q=x"


def test_invalid_input_keeps_the_page_working(marketing_client):
    paid = make_order(status=OrderStatus.PAID)
    make_order(status=OrderStatus.CREATED)
    response = marketing_client.get(
        "/orders/?status=PAID&created_after=2024-13-45&amount_min=1x&page=zero&per_page=7"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a date like 2026-05-31" in html
    assert "Enter an amount such as 12.50" in html
    assert "Page &#x27;zero&#x27; is not a page number" in html
    assert "&#x27;7&#x27; is not one" in html
    assert rows(html) == [paid.pk]


def test_pages_sizes_and_the_end(marketing_client):
    orders = [make_order(items=0) for _ in range(25)]
    newest_first = [o.pk for o in reversed(orders)]

    first = marketing_client.get("/orders/?per_page=20").content.decode()
    second = marketing_client.get("/orders/?per_page=20&page=2").content.decode()
    past = marketing_client.get("/orders/?per_page=20&page=9").content.decode()

    assert rows(first) == newest_first[:20] and rows(second) == newest_first[20:]
    assert "Page 1 of 2" in first and 'rel="prev"' not in first
    assert 'rel="next" href="/orders/?per_page=20&amp;page=2"' in first
    assert 'rel="prev" href="/orders/?per_page=20"' in second
    assert "21–25 of 25 orders" in second and 'rel="next"' not in second
    assert "This page is past the last order" in past


def test_sorting_by_amount_both_ways_from_the_column_header(marketing_client):
    small, big = make_order(amount=100), make_order(amount=900)
    html = marketing_client.get("/orders/?sort=amount").content.decode()
    assert rows(html) == [small.pk, big.pk]
    assert 'href="/orders/?sort=-amount"' in html  # clicking again reverses
    assert rows(marketing_client.get("/orders/?sort=-amount").content.decode()) == [
        big.pk,
        small.pk,
    ]


def test_empty_states_say_what_to_do(marketing_client):
    assert "No orders yet." in marketing_client.get("/orders/").content.decode()
    make_order()
    html = marketing_client.get("/orders/?status=CANCELED").content.decode()
    assert "No orders match these filters" in html and "clear filters" in html


def test_counts_are_exact_when_cheap_estimated_or_bounded_otherwise(marketing_client, monkeypatch):
    for index in range(25):
        make_order(items=0, source_id=f"SHOP-{index}")
    # Exact: cheap to count (and the last page says the total by itself)
    assert "25 orders" in marketing_client.get("/orders/?per_page=20").content.decode()
    assert "25 orders" in marketing_client.get("/orders/?per_page=20&page=2").content.decode()

    # Past the exact limit: the planner's estimate ...
    monkeypatch.setattr(lists, "EXACT_COUNT_LIMIT", 2)
    monkeypatch.setattr(lists, "planner_row_estimate", lambda qs: 1_234_567)
    html = marketing_client.get("/orders/?per_page=20").content.decode()
    assert "about 1.2 million orders" in html

    # ... but not for a text search, whose estimates are guesses: a bound instead
    html = marketing_client.get("/orders/?per_page=20&q=shop").content.decode()
    assert "2+ orders" in html and "about" not in html.split('id="order-count"')[1][:80]

    # ... and a bound when there is no estimate
    monkeypatch.setattr(lists, "planner_row_estimate", lambda qs: None)
    assert "2+ orders" in marketing_client.get("/orders/?per_page=20").content.decode()


def test_a_count_over_its_time_budget_falls_back_to_a_bound(marketing_client, monkeypatch):
    for _ in range(25):
        make_order(items=0)
    monkeypatch.setattr(lists, "bounded_count", lambda queryset: None)
    monkeypatch.setattr(lists, "planner_row_estimate", lambda qs: None)
    html = marketing_client.get("/orders/?per_page=20").content.decode()
    assert "21+ orders" in html  # at least the 20 shown and the next one


def test_the_count_is_cancelled_when_it_overruns_its_budget(monkeypatch):
    # Given a count that takes longer than the budget (pg_sleep in the counted query)
    from django.db.models import BooleanField, Func

    for _ in range(3):
        make_order(items=0)
    monkeypatch.setattr(lists, "COUNT_TIME_BUDGET_MS", 50)
    slow = Order.objects.annotate(
        slept=Func(
            function="pg_sleep", template="pg_sleep(0.2) IS NOT NULL", output_field=BooleanField()
        )
    ).filter(slept=True)

    # Then the count gives up (None) and the connection is still usable
    assert lists.bounded_count(slow) is None
    assert lists.bounded_count(Order.objects.all()) == 3


@pytest.mark.django_db
def test_a_count_inside_a_transaction_leaves_its_statement_timeout_as_it_found_it():
    """SET LOCAL outlives a released savepoint: without restoring it, every statement after
    a list page's count in the same transaction would run under the count's 50 ms budget."""
    make_order(items=0)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '12s'")
        assert lists.bounded_count(Order.objects.all()) == 1
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "12s"


def test_paging_never_counts_every_row(marketing_client):
    for _ in range(3):
        make_order(items=0)
    with CaptureQueriesContext(connection) as queries:
        marketing_client.get("/orders/?page=2&per_page=20&status=CREATED")
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the page shows a count"
    orders_counts = [sql for sql in counts if "orders_order" in sql]
    assert orders_counts and all("LIMIT" in sql.upper() for sql in orders_counts)


def test_queries_stay_constant_from_10_to_100_rows(marketing_client):
    def queries_for(per_page: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = marketing_client.get(f"/orders/?per_page={per_page}&meta=channel:set:")
        assert response.status_code == 200
        return len(queries)

    customer = CustomerFactory()
    for _ in range(10):
        make_order(items=0, customer=customer, metadata={"channel": "web"})
    ten = queries_for(20)
    for _ in range(90):
        make_order(items=0, customer=CustomerFactory(), metadata={"channel": "web"})
    hundred = queries_for(100)
    assert len(rows(marketing_client.get("/orders/?per_page=100").content.decode())) == 100
    assert ten == hundred


def test_quick_ranges_link_to_created_after(marketing_client):
    html = marketing_client.get("/orders/?status=PAID").content.decode()
    assert re.search(r'href="/orders/\?created_after=\d{4}-\d{2}-\d{2}&amp;status=PAID"', html)
    for label in ("Today", "Last 7 days", "Last 30 days", "This month"):
        assert f">{label}</a>" in html


def test_permissions(viewer_client, outsider_client, client):
    assert viewer_client.get("/orders/?status=PAID").status_code == 200
    assert outsider_client.get("/orders/?status=PAID").status_code == 403
    response = client.get("/orders/?status=PAID")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_segment_filter_shows_as_a_chip(marketing_client, marketing_user):
    from customers.models import Segment

    big = CustomerFactory(name="Big Spender")
    make_order(items=0, amount=90000, customer=big, status=OrderStatus.PAID)
    make_order(items=0, amount=100, customer=CustomerFactory(), status=OrderStatus.PAID)
    segment = Segment.objects.create(
        name="High spenders", owner=marketing_user, conditions={"min_total_spent": 50000}
    )
    html = marketing_client.get(f"/orders/?segment={segment.pk}").content.decode()
    assert "Customer in segment High spenders" in html
    assert "1 order" in html and "Big Spender" in html


def test_a_search_counts_exactly_when_cheap_and_under_the_smaller_budget(
    marketing_client, monkeypatch
):
    # Given 25 orders of one customer found by a search, shown 20 a page
    ada = CustomerFactory(name="Ada Lovelace", email="ada@engine.example")
    for _ in range(25):
        make_order(items=0, customer=ada)
    make_order(items=0)
    budgets = []
    counted = lists.bounded_count

    def spy(queryset, budget_ms=None):
        # Records the budget the page asks for, and counts without one: on a loaded machine
        # even 26 rows can take longer than the search's budget (what the end of this test
        # shows), and the exact total is what this part is about.
        budgets.append(budget_ms)
        return counted(queryset, budget_ms=60_000)

    monkeypatch.setattr(lists, "bounded_count", spy)

    # Then on a small table the count is exact, counted under the search's smaller budget
    html = marketing_client.get("/orders/?per_page=20&q=lovelace").content.decode()
    assert "1–20 of 25 orders" in html
    assert budgets == [lists.SEARCH_COUNT_TIME_BUDGET_MS]
    assert lists.SEARCH_COUNT_TIME_BUDGET_MS < lists.COUNT_TIME_BUDGET_MS
    # ... while other filters without an estimate keep the usual budget
    budgets.clear()
    marketing_client.get(f"/orders/?per_page=20&customer={ada.pk}")
    assert budgets == [None]

    # ... and when that count overruns its budget, the page says what it knows: a bound
    monkeypatch.setattr(lists, "bounded_count", lambda queryset, budget_ms=None: None)
    html = marketing_client.get("/orders/?per_page=20&q=lovelace").content.decode()
    assert "21+ orders" in html


def test_a_search_on_a_large_table_shows_the_bound_without_counting(marketing_client, monkeypatch):
    # Given a search with more than a page of matches, on a table PostgreSQL says is large
    ada = CustomerFactory(name="Ada Lovelace", email="ada@engine.example")
    for _ in range(25):
        make_order(items=0, customer=ada)
    monkeypatch.setattr(lists, "table_row_estimate", lambda model, using: 1_000_000)

    with CaptureQueriesContext(connection) as queries:
        html = marketing_client.get("/orders/?per_page=20&q=lovelace").content.decode()

    # Then no count runs (it would be cancelled), and the bound is shown at once
    assert "21+ orders" in html
    assert not [q for q in queries if "COUNT(" in q["sql"].upper() and "orders_order" in q["sql"]]
    # ... while the same search on a smaller table is counted
    monkeypatch.setattr(lists, "table_row_estimate", lambda model, using: 50_000)
    html = marketing_client.get("/orders/?per_page=20&q=lovelace").content.decode()
    assert "1–20 of 25 orders" in html


def test_rows_show_the_customer_as_its_name_email_or_ids_escaped(marketing_client):
    named = CustomerFactory(name="<b>Bold</b> & Co", email="bold@example.com")
    emailed = CustomerFactory(name="", email="only@example.com")
    bare = CustomerFactory(name="", email="", source_id="SRC-7")
    orders = [make_order(items=0, customer=c) for c in (named, emailed, bare)]

    html = marketing_client.get("/orders/").content.decode()

    assert set(rows(html)) == {order.pk for order in orders}
    assert f'<a href="/customers/{named.pk}/">&lt;b&gt;Bold&lt;/b&gt; &amp; Co</a>' in html
    assert "<b>Bold</b>" not in html
    assert f'<a href="/customers/{emailed.pk}/">only@example.com</a>' in html
    assert f'<a href="/customers/{bare.pk}/">SRC-7</a>' in html


def test_field_errors_are_shown_next_to_their_filter(marketing_client):
    html = marketing_client.get("/orders/?created_after=2024-13-45&amount_min=1x").content.decode()
    assert re.search(
        r'<div id="error-created_after" class="field-error" role="alert"><p>Enter a date', html
    )
    assert re.search(r'<div id="error-amount_min" class="field-error" role="alert"><p>', html)
    assert '<div id="error-created_before" class="field-error"></div>' in html


def test_near_and_deep_pages_read_the_same_rows(marketing_client, monkeypatch):
    # Near the start a page is read joined to customers straight away; deep pages pick their
    # ids in a sub-select first. Both are one query and give the same rows, customers and
    # totals.
    ada = CustomerFactory(name="Ada Lovelace")
    for index in range(25):
        make_order(items=0, customer=ada if index % 2 else None, amount=100 * index)
    pages = {}
    for name, max_offset in (("one query", 1_000), ("ids first", 0)):
        monkeypatch.setattr(selectors, "SINGLE_QUERY_MAX_OFFSET", max_offset)
        with CaptureQueriesContext(connection) as queries:
            html = marketing_client.get("/orders/?per_page=20&page=2&sort=amount").content
        html = html.decode()
        reads = [q["sql"] for q in queries if 'FROM "orders_order"' in q["sql"]]
        pages[name] = (rows(html), html.count("Ada Lovelace"), "21–25 of 25 orders" in html)
        assert len(reads) == 1
        picks_ids_first = 'IN (SELECT U0."id"' in reads[0].replace('"U0"', "U0")
        assert picks_ids_first == (name == "ids first")
    assert pages["one query"] == pages["ids first"]
    assert len(pages["one query"][0]) == 5 and pages["one query"][2]


def test_metadata_key_suggestions_follow_the_schema_without_a_query_a_page(marketing_client):
    from metadata import conditions as metadata_conditions
    from metadata.models import MetadataProperty, MetadataSchema

    # Given an order schema with one property, and the list opened once
    schema, _ = MetadataSchema.objects.get_or_create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="channel", type="string")
    first = marketing_client.get("/orders/").content.decode()
    assert '<option value="channel">string:' in first

    # When the list is opened again, then the schema is not read again for the suggestions
    with CaptureQueriesContext(connection) as queries:
        marketing_client.get("/orders/")
    assert not [q for q in queries.captured_queries if "orders_metadataproperty" in q["sql"]]

    # When a property is added, then the next page suggests it at once
    MetadataProperty.objects.create(schema=schema, name="score", type="number")
    html = marketing_client.get("/orders/").content.decode()
    assert '<option value="score">number:' in html

    # And a page with a metadata condition parses it against the live schema, whose keys it
    # then suggests (a type changed elsewhere is never read from the remembered keys)
    metadata_conditions._schema_keys[:] = [(float("inf"), [("channel", "number")])]
    html = marketing_client.get("/orders/?meta=channel:contains:web").content.decode()
    assert '<option value="channel">string:' in html
    assert "does not fit" not in html


def test_a_page_number_past_any_list_shows_page_one_with_a_message(marketing_client):
    order = make_order(amount=100)
    response = marketing_client.get("/orders/?page=1000000000000000000")
    html = response.content.decode()
    assert response.status_code == 200
    assert "past the last page" in html and order.pk in html


def test_a_change_in_the_filter_form_gets_the_results_and_the_panels_messages_only(
    marketing_client,
):
    # Given a paid order, and a change in the filter form (htmx, aimed at #results) with a
    # range the wrong way round
    make_order(status=OrderStatus.PAID, amount=15000)
    response = marketing_client.get(
        "/orders/?status=PAID&amount_min=200&amount_max=100",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    html = response.content.decode()

    # Then the answer is the results, plus the panel's message areas out of band; never the
    # form, whose fields the user may be typing in
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="results"')
    assert 'id="order-filters"' not in html and "<input" not in html.split("</section>")[0]
    assert re.search(r'<div id="error-amount_max" class="field-error" hx-swap-oob="true"', html)
    assert "Amount to ($100.00) is less than Amount from ($200.00)" in html
    assert '<div class="quick-ranges" id="quick-ranges" hx-swap-oob="true">' in html
    assert '<ul class="meta-list" id="meta-list" hx-swap-oob="true">' in html
    assert 'id="meta-row"' not in html  # nothing was added: the row keeps what is typed
    assert response["HX-Push-Url"] == "/orders/?amount_max=100&amount_min=200&status=PAID"


def test_htmx_restoring_a_page_missing_from_its_history_gets_the_whole_page(marketing_client):
    response = marketing_client.get(
        "/orders/?status=PAID", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_every_cell_names_its_column_so_narrow_screens_can_show_rows_as_cards(
    marketing_client,
):
    order = make_order(status=OrderStatus.PAID, customer=CustomerFactory(name="Ada"), items=1)
    pages = (("/orders/", "orders"), ("/customers/", "customers"), (f"/orders/{order.pk}/", "cart"))
    for url, table in pages:
        html = marketing_client.get(url).content.decode()
        table_html = html.split(f'<table class="table" id="{table}">')[1].split("</table>")[0]
        headings = [
            re.sub(r"<[^>]+>|[↑↓]", "", heading).strip()
            for heading in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table_html)
        ]
        first_row = table_html.split("<tbody>")[1].split("</tr>")[0]
        assert re.findall(r'<td[^>]* data-label="([^"]+)"', first_row) == headings, url
