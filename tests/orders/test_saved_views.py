"""Saved views of the orders list: saved, listed, opened, renamed, shared and deleted on the
server, by their owner only; the team sees shared ones; nobody learns of others' private ones."""

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from orders.models import Order, OrderEvent, SavedView
from orders.saved_views import (
    canonical_query,
    delete_view,
    rename_view,
    save_view,
    saved_views_for,
    set_view_shared,
    update_view_query,
)
from orders.views.saved_views import saved_views_context
from tests.factories import make_order

pytestmark = pytest.mark.django_db

PAID_BY_AMOUNT = "sort=-amount&status=PAID"
CREATE_URL = "/orders/views/"
SOURCE_IN = "filters[source_id][conditions][$in]"


def messages_of(response: HttpResponse) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def action_url(view: SavedView, action: str) -> str:
    return f"/orders/views/{view.pk}/{action}/"


def post_create(client: Client, *, follow: bool = False, **fields: Any) -> HttpResponse:
    """Post the "Save view" form as the orders list's filter panel sends it."""
    data = {"query": PAID_BY_AMOUNT, "next": "/orders/"} | fields
    return client.post(CREATE_URL, data, follow=follow)


# --- canonical_query -------------------------------------------------------------------------


def test_canonical_query_drops_page_and_blank_values() -> None:
    # Given a list URL on page 3 with filter fields left empty
    query = "status=PAID&page=3&q=&created_after=&customer=%20&sort=-amount&source_id_match=is"

    # When it is put in canonical form
    canonical = canonical_query(query)

    # Then only the filters that filter remain, and the view would open at its first page
    assert canonical == "sort=-amount&status=PAID"
    # ... and the default sort is no filter either
    assert canonical_query("sort=-created_at&status=PAID") == "status=PAID"


def test_canonical_query_keeps_repeated_values_in_their_order() -> None:
    # Given several statuses and metadata conditions
    query = "status=PAID&meta=score:gt:5&status=CANCELED&meta=coupon:set:"

    # When it is put in canonical form
    canonical = canonical_query(query)

    # Then every value is kept, in the order given, and conditions stay readable
    assert canonical == "meta=score:gt:5&meta=coupon:set:&status=PAID&status=CANCELED"
    assert QueryDict(canonical).getlist("status") == ["PAID", "CANCELED"]


def test_canonical_query_is_the_same_for_the_same_filters_in_any_order() -> None:
    # Given the same filters written in two orders, one as a QueryDict with a page
    first = "?sort=amount&q=Ada Lovelace&status=PAID"
    second = QueryDict("status=PAID&page=2&q=Ada+Lovelace&sort=amount")

    # When both are put in canonical form
    # Then they give one string, with the free text encoded
    expected = "q=Ada+Lovelace&sort=amount&status=PAID"
    assert canonical_query(first) == canonical_query(second) == expected
    assert canonical_query("") == canonical_query("page=4") == ""


def test_canonical_query_keeps_conditions_blank_values_and_their_index_order():
    # Given eleven values of one condition, a valueless one and the default junction
    values = "&".join(f"{SOURCE_IN}[{i}]=s{i}" for i in range(11))
    query = f"{values}&filters[customer_id][conditions][$has_value][0]=&filters[junction]=and"

    # When it is put in canonical form
    canonical = QueryDict(canonical_query(query))

    # Then the values keep their order (index 10 after 9), the blank one stays, "and" goes
    assert [canonical[f"{SOURCE_IN}[{i}]"] for i in range(11)] == [f"s{i}" for i in range(11)]
    names = [name for name in canonical if name.startswith(SOURCE_IN)]
    assert names == [f"{SOURCE_IN}[{i}]" for i in range(11)]
    assert canonical.getlist("filters[customer_id][conditions][$has_value][0]") == [""]
    assert "filters[junction]" not in canonical
    assert QueryDict(canonical_query(f"{values}&filters[junction]=or"))["filters[junction]"] == "or"


# --- saving and opening ----------------------------------------------------------------------


def test_saving_a_view_stores_it_and_opens_it(marketing_client: Client, marketing_user) -> None:
    # Given the orders list showing paid orders by amount, on page 2
    # When the user saves it under a name, shared with the team
    response = post_create(
        marketing_client,
        name="  Big paid orders  ",
        query="status=PAID&page=2&sort=-amount&q=",
        shared="on",
    )

    # Then the view is stored for them, named without the padding, in canonical form
    view = SavedView.objects.get()
    assert (view.owner, view.name, view.query, view.shared) == (
        marketing_user,
        "Big paid orders",
        PAID_BY_AMOUNT,
        True,
    )
    # And they land on the list showing that view, with a message saying so
    assert response.status_code == 302
    assert response.url == f"/orders/?{PAID_BY_AMOUNT}"
    assert messages_of(response) == ["Saved the view 'Big paid orders'."]


def test_a_view_is_private_unless_shared(marketing_client: Client) -> None:
    # Given a view saved without ticking "Share with team"
    post_create(marketing_client, name="Mine")

    # Then it is the owner's alone
    assert SavedView.objects.get().shared is False


def test_opening_a_view_shows_the_list_with_its_filters(
    marketing_client: Client, marketing_user
) -> None:
    # Given a saved view
    view = save_view(owner=marketing_user, name="Paid", query=PAID_BY_AMOUNT)

    # When the user follows its link from the saved views page
    page = marketing_client.get("/orders/views/")
    assert f'href="/orders/?{PAID_BY_AMOUNT.replace("&", "&amp;")}"' in page.text
    response = marketing_client.get(view.get_absolute_url())

    # Then the orders list opens with the view's filters in its URL
    assert response.status_code == 200
    assert response.wsgi_request.GET.getlist("status") == ["PAID"]
    assert response.wsgi_request.GET["sort"] == "-amount"


def test_a_view_of_all_orders_opens_the_plain_list(marketing_user) -> None:
    # Given a view saved with no filters at all
    view = save_view(owner=marketing_user, name="Everything", query="page=7")

    # Then it opens the list itself
    assert view.query == ""
    assert view.get_absolute_url() == "/orders/"


def test_a_viewer_may_save_views_and_saving_changes_no_order(
    viewer_client: Client, viewer_user
) -> None:
    # Given an order, and a user who may only look at orders
    order = make_order(status="PAID")
    events = OrderEvent.objects.count()

    # When they save a view
    response = post_create(viewer_client, name="Paid ones")

    # Then the view is theirs, and no order (nor its activity log) changed
    assert response.status_code == 302
    assert SavedView.objects.get().owner == viewer_user
    fresh = Order.objects.get(pk=order.pk)
    assert (fresh.status, fresh.updated_at) == (order.status, order.updated_at)
    assert Order.objects.count() == 1
    assert OrderEvent.objects.count() == events


# --- listing ---------------------------------------------------------------------------------


@pytest.fixture
def views(marketing_user, viewer_user) -> dict[str, SavedView]:
    """The marketer's private and shared views, and the viewer's."""
    return {
        "mine": save_view(owner=marketing_user, name="Mine", query="status=PAID"),
        "mine_shared": save_view(
            owner=marketing_user, name="Team paid", query="status=PAID&sort=amount", shared=True
        ),
        "theirs_shared": save_view(
            owner=viewer_user, name="Viewer's canceled", query="status=CANCELED", shared=True
        ),
        "theirs_private": save_view(owner=viewer_user, name="Viewer's secret", query="q=x"),
    }


def test_listing_shows_own_views_and_others_shared_ones(views, marketing_user, viewer_user):
    # Given views of two users, some shared
    # When each asks for the views they may open
    marketer_sees = set(saved_views_for(marketing_user).values_list("name", flat=True))
    viewer_sees = set(saved_views_for(viewer_user).values_list("name", flat=True))

    # Then each sees their own and the other's shared ones, never the other's private ones
    assert marketer_sees == {"Mine", "Team paid", "Viewer's canceled"}
    assert viewer_sees == {"Viewer's canceled", "Viewer's secret", "Team paid"}


def test_users_who_may_not_view_orders_see_no_views(views, outsider) -> None:
    assert not saved_views_for(outsider).exists()


def test_the_saved_views_page_lists_own_and_shared_views(views, marketing_client: Client):
    # When the marketer opens the saved views page
    response = marketing_client.get("/orders/views/")

    # Then their views have actions, the viewer's shared one shows its owner, and the
    # viewer's private one is nowhere
    assert response.status_code == 200
    own = response.text.split('id="own-views"')[1].split('id="shared-views"')[0]
    shared = response.text.split('id="shared-views"')[1]
    assert "Mine" in own and "Team paid" in own
    assert action_url(views["mine"], "rename") in own
    assert action_url(views["mine"], "delete") in own
    assert "Viewer&#x27;s canceled" in shared and "viewer" in shared
    assert action_url(views["theirs_shared"], "rename") not in response.text
    assert "secret" not in response.text


def test_the_saved_views_page_says_what_to_do_when_empty(marketing_client: Client) -> None:
    response = marketing_client.get("/orders/views/")

    assert "You have no saved views yet" in response.text
    assert "Nobody has shared a view yet." in response.text


# --- renaming, sharing, deleting -------------------------------------------------------------


def test_the_owner_renames_a_view(views, marketing_client: Client) -> None:
    # When the owner renames their view
    response = marketing_client.post(
        action_url(views["mine"], "rename"), {"name": " Paid only ", "next": "/orders/views/"}
    )

    # Then it has the new name, and they are back where they were
    assert response.url == "/orders/views/"
    views["mine"].refresh_from_db()
    assert views["mine"].name == "Paid only"
    assert messages_of(response) == ["Renamed the view 'Mine' to 'Paid only'."]


def test_renaming_to_a_name_already_used_is_refused(views, marketing_client: Client) -> None:
    # When the owner renames a view to the name of another of theirs
    response = marketing_client.post(action_url(views["mine"], "rename"), {"name": "Team paid"})

    # Then nothing changes, and the message says why
    assert response.status_code == 302
    views["mine"].refresh_from_db()
    assert views["mine"].name == "Mine"
    assert messages_of(response) == ["You already have a view named 'Team paid'."]


def test_the_owner_shares_a_view_and_takes_it_back(views, marketing_client: Client) -> None:
    view = views["mine"]

    # When the owner shares it
    response = marketing_client.post(action_url(view, "share"), {"shared": "on"})
    view.refresh_from_db()
    # Then the team sees it
    assert view.shared is True
    assert messages_of(response) == ["The view 'Mine' is now shared with the team."]

    # When they stop sharing it
    response = marketing_client.post(action_url(view, "share"), {"shared": "off"})
    view.refresh_from_db()
    # Then it is theirs alone again
    assert view.shared is False
    # (The first message is still stored: the test client does not show pages.)
    assert messages_of(response)[-1] == "The view 'Mine' is now visible only to you."


def test_deleting_a_view_asks_first_then_deletes(views, marketing_client: Client) -> None:
    # When the owner presses Delete on a view
    url = action_url(views["mine"], "delete")
    response = marketing_client.post(url, {"next": "/orders/views/"})

    # Then a page asks, saying what the view shows, and the view is still there
    assert response.status_code == 200
    assert "Delete the saved view <strong>Mine</strong>" in response.text
    assert "It shows: Status is Paid." in response.text
    assert 'name="confirm" value="on"' in response.text
    assert 'href="/orders/views/">Keep it</a>' in response.text
    assert SavedView.objects.filter(pk=views["mine"].pk).exists()

    # When they confirm
    response = marketing_client.post(url, {"confirm": "on", "next": "/orders/views/"})

    # Then it is gone, and they are back where they were
    assert response.url == "/orders/views/"
    assert not SavedView.objects.filter(pk=views["mine"].pk).exists()
    assert messages_of(response) == ["Deleted the view 'Mine'."]


def test_the_owner_updates_a_view_with_the_current_filters(views, marketing_client: Client):
    # Given the owner's view of paid orders, and the list now showing other filters
    view = views["mine"]
    shown = "amount_min=100&page=2&status=CANCELED&sort=-amount"

    # When they update the view with them
    response = marketing_client.post(
        action_url(view, "update"), {"query": shown, "next": f"/orders/?{shown}"}
    )

    # Then the view shows those filters (from its first page), and they stay where they were
    view.refresh_from_db()
    assert view.query == "amount_min=100&sort=-amount&status=CANCELED"
    assert view.name == "Mine"
    assert response.url == f"/orders/?{shown}"
    assert messages_of(response) == [
        "The view 'Mine' now shows: Status is Canceled, Amount from $100.00; "
        "sorted by Amount, high to low."
    ]


def test_only_the_owner_may_update_a_view(views, viewer_user) -> None:
    with pytest.raises(PermissionDenied):
        update_view_query(views["mine_shared"], user=viewer_user, query="status=CANCELED")
    views["mine_shared"].refresh_from_db()
    assert views["mine_shared"].query == "sort=amount&status=PAID"


def test_the_saved_views_page_reads_filters_as_sentences(views, marketing_client: Client):
    response = marketing_client.get("/orders/views/")

    cells = re.findall(r'<td class="saved-view-sentence-cell"[^>]*>([^<]*)</td>', response.text)
    assert cells == [
        "Status is Paid",
        "Status is Paid; sorted by Amount, low to high",
        "Status is Canceled",
    ]


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("rename", {"name": "Hijacked"}),
        ("share", {"shared": "off"}),
        ("update", {"query": "status=CANCELED"}),
        ("delete", {}),
        ("delete", {"confirm": "on"}),
    ],
)
def test_others_cannot_change_a_shared_view(views, viewer_client: Client, action, data) -> None:
    # Given the marketer's shared view, which the viewer may open
    view = views["mine_shared"]

    # When the viewer tries to change it
    response = viewer_client.post(action_url(view, action), data)

    # Then they are refused, and the view is as it was
    assert response.status_code == 403
    fresh = SavedView.objects.get(pk=view.pk)
    assert (fresh.name, fresh.shared) == ("Team paid", True)


@pytest.mark.parametrize(
    ("action", "data"),
    [("rename", {"name": "Hijacked"}), ("share", {"shared": "on"}), ("delete", {})],
)
def test_others_cannot_even_find_a_private_view(views, viewer_client: Client, action, data):
    # Given the marketer's private view
    view = views["mine"]

    # When the viewer tries to change it
    response = viewer_client.post(action_url(view, action), data)

    # Then it is as if it did not exist, and it is unchanged
    assert response.status_code == 404
    fresh = SavedView.objects.get(pk=view.pk)
    assert (fresh.name, fresh.shared) == ("Mine", False)


def test_the_services_refuse_anyone_but_the_owner(views, viewer_user) -> None:
    view = views["mine_shared"]

    with pytest.raises(PermissionDenied):
        rename_view(view, user=viewer_user, name="Hijacked")
    with pytest.raises(PermissionDenied):
        set_view_shared(view, user=viewer_user, shared=False)
    with pytest.raises(PermissionDenied):
        delete_view(view, user=viewer_user)
    assert SavedView.objects.filter(pk=view.pk, name="Team paid", shared=True).exists()


# --- names -----------------------------------------------------------------------------------


def test_a_duplicate_name_for_the_same_owner_is_refused(marketing_client: Client, marketing_user):
    # Given a view named "Paid"
    save_view(owner=marketing_user, name="Paid", query="status=PAID")

    # When the same user saves other filters under the same name
    response = post_create(
        marketing_client, name="Paid ", query="status=CANCELED", next="/orders/?status=CANCELED"
    )

    # Then nothing is written, and they are back on their filters with a clear message
    assert SavedView.objects.count() == 1
    assert SavedView.objects.get().query == "status=PAID"
    assert response.status_code == 302
    assert response.url == "/orders/?status=CANCELED"
    assert messages_of(response) == ["You already have a view named 'Paid'."]


def test_the_message_shows_on_the_page_they_return_to(marketing_client, marketing_user):
    save_view(owner=marketing_user, name="Paid", query="status=PAID")

    response = post_create(marketing_client, name="Paid", next="/orders/views/", follow=True)

    assert response.status_code == 200
    assert "You already have a view named &#x27;Paid&#x27;." in response.text


def test_two_owners_may_use_the_same_name(marketing_client, viewer_client) -> None:
    # When two users each save a view called "Paid"
    post_create(marketing_client, name="Paid")
    post_create(viewer_client, name="Paid")

    # Then both are kept
    assert SavedView.objects.filter(name="Paid").count() == 2


def test_a_duplicate_saved_at_the_same_instant_gets_the_same_message(
    marketing_user, monkeypatch
) -> None:
    # Given two requests that both found the name free (the check is skipped to race)
    save_view(owner=marketing_user, name="Paid", query="status=PAID")
    monkeypatch.setattr("orders.saved_views._clean_name", lambda name, **kwargs: name)

    # When the second one writes, the database's constraint refuses it
    with pytest.raises(ValidationError) as error:
        save_view(owner=marketing_user, name="Paid", query="status=CANCELED")

    # Then it reads like the ordinary check
    assert error.value.message_dict == {"name": ["You already have a view named 'Paid'."]}
    assert SavedView.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the view a name."),
        ("   ", "Give the view a name."),
        ("x" * 101, "Keep the view's name to 100 characters or fewer (this one has 101)."),
    ],
)
def test_a_blank_or_too_long_name_is_refused(marketing_client: Client, name, message) -> None:
    # When the user saves a view with a blank or a 101-character name
    response = post_create(marketing_client, name=name)

    # Then nothing is saved and the message says why; never an error page
    assert response.status_code == 302
    assert response.url == "/orders/"
    assert not SavedView.objects.exists()
    assert messages_of(response) == [message]


def test_a_name_of_100_characters_is_fine(marketing_user) -> None:
    assert save_view(owner=marketing_user, name="x" * 100, query="").name == "x" * 100


def test_name_errors_are_keyed_by_field(marketing_user) -> None:
    with pytest.raises(ValidationError) as error:
        save_view(owner=marketing_user, name=" ", query="")

    assert error.value.message_dict == {"name": ["Give the view a name."]}


def test_renaming_to_a_blank_name_is_refused(views, marketing_client: Client) -> None:
    response = marketing_client.post(action_url(views["mine"], "rename"), {"name": ""})

    views["mine"].refresh_from_db()
    assert views["mine"].name == "Mine"
    assert messages_of(response) == ["Give the view a name."]


# --- access ----------------------------------------------------------------------------------


def every_endpoint(view: SavedView) -> list[tuple[str, str]]:
    return [
        ("get", CREATE_URL),
        ("post", CREATE_URL),
        ("post", action_url(view, "rename")),
        ("post", action_url(view, "share")),
        ("post", action_url(view, "delete")),
    ]


def test_anonymous_users_are_sent_to_sign_in(views) -> None:
    client = Client()
    for method, url in every_endpoint(views["mine_shared"]):
        response = getattr(client, method)(url, {"name": "Anon", "query": "", "shared": "off"})
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url
    assert SavedView.objects.count() == 4


def test_users_who_may_not_view_orders_are_forbidden(views, outsider_client: Client) -> None:
    for method, url in every_endpoint(views["mine_shared"]):
        data = {"name": "Outsider", "query": "", "shared": "off"}
        response = getattr(outsider_client, method)(url, data)
        assert response.status_code == 403, url
    assert SavedView.objects.count() == 4
    assert SavedView.objects.filter(name="Team paid", shared=True).exists()


def test_the_actions_only_take_posts(views, marketing_client: Client) -> None:
    for action in ("rename", "share", "update", "delete"):
        assert marketing_client.get(action_url(views["mine"], action)).status_code == 405
    assert SavedView.objects.filter(pk=views["mine"].pk).exists()


def test_an_unsafe_next_is_ignored(views, marketing_client: Client) -> None:
    # When an action is posted with a "next" that leaves the site
    response = marketing_client.post(
        action_url(views["mine"], "share"), {"shared": "on", "next": "https://evil.example/"}
    )

    # Then the user stays on the dashboard
    assert response.url == "/orders/"


def test_an_unsafe_next_is_ignored_when_saving_fails(marketing_client: Client) -> None:
    response = post_create(marketing_client, name="", next="https://evil.example/")

    assert response.url == f"/orders/?{PAID_BY_AMOUNT}"


# --- the partial in the orders list's filter panel -------------------------------------------


def render_partial(user, path: str) -> str:
    request = RequestFactory().get(path)
    request.user = user
    return render_to_string(
        "orders/_saved_views.html", saved_views_context(request) | {"user": user}, request
    )


def test_the_partial_lists_views_and_marks_the_one_shown(views, marketing_user) -> None:
    # Given the orders list showing the filters of "Mine", on page 2, written in another order
    html = render_partial(marketing_user, "/orders/?page=2&status=PAID&q=")

    # Then "Mine" is marked as the view shown, and only it
    assert html.count('aria-current="true"') == 1
    mine = views["mine"].pk
    link = f'id="saved-view-{mine}" href="/orders/?status=PAID" aria-current="true">Mine</a>'
    assert link in html
    # And own views can be renamed and deleted; the viewer's shared one shows its owner
    assert action_url(views["mine"], "rename") in html
    assert action_url(views["mine"], "delete") in html
    assert action_url(views["theirs_shared"], "rename") not in html
    assert "shared by viewer" in html
    assert "secret" not in html
    # And "Save view" would save the filters shown and come back to this page
    assert 'name="query" value="status=PAID"' in html
    assert 'name="next" value="/orders/?page=2&amp;status=PAID&amp;q="' in html


def test_the_partial_invites_to_save_when_there_are_no_views(viewer_user) -> None:
    html = render_partial(viewer_user, "/orders/")

    assert "No saved views yet" in html
    assert "Save view" in html


# --- admin -----------------------------------------------------------------------------------


def test_the_admin_lists_saved_views_for_the_operator(views, operator_client: Client) -> None:
    response = operator_client.get("/admin/orders/savedview/", {"q": "viewer"})

    assert response.status_code == 200
    assert "Viewer&#x27;s canceled" in response.text
    assert "Viewer&#x27;s secret" in response.text
    assert "Team paid" not in response.text


def test_a_change_in_the_filter_form_marks_the_saved_view_it_now_shows(
    views, marketing_client: Client
) -> None:
    # When the filter form changes to the filters of "Mine" (htmx, aimed at #results)
    response = marketing_client.get(
        "/orders/?status=PAID&sort=-created_at&source_id_match=is&q=",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )

    # Then the saved views' links come out of band, "Mine" marked as the view shown
    mine, team = views["mine"].pk, views["mine_shared"].pk
    assert (
        f'<a class="saved-view-link" id="saved-view-{mine}" href="/orders/?status=PAID" '
        'aria-current="true" hx-swap-oob="true">Mine</a>'
    ) in response.text
    assert f'id="saved-view-{team}" href="/orders/?sort=amount&amp;status=PAID" hx-swap-oob' in (
        response.text
    )
