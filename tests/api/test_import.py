"""v1 orders import through an async action: ``POST /v1/orders/import``, then
``GET /v1/async-actions/{id}`` for its status and result."""

import pytest

import imports.loading
from imports.loading import ImportResult, Problem
from imports.models import AsyncAction
from imports.tasks import import_orders
from orders.models import Order, OrderEvent
from tests.api.contract import assert_error, assert_response, validate
from tests.api.contract_quirks import IMPORT_RESULT

pytestmark = pytest.mark.django_db


def start(api_client, payload) -> str:
    response = api_client.post_json("/v1/orders/import", payload)
    body = assert_response(response, "orders.json", "post", "/v1/orders/import")
    return body["async_action_id"]


def check_action(response) -> dict:
    """The reference's async action, its ``result`` checked against ORDERS.IMPORT's."""
    body = response.json()
    assert response.status_code == 200, body
    validate(body, "async-actions.json", "AsyncActionGetResponseBody")
    assert_response_without_result = {k: v for k, v in body.items() if k != "result"}
    validate(assert_response_without_result, "async-actions.json", "AsyncActionBase")
    if "result" in body:
        validate(body["result"], "async-actions.json", IMPORT_RESULT)
    return body


def test_the_import_is_enqueued_as_an_async_action(
    api_client, api_key, django_capture_on_commit_callbacks
):
    # When the shop sends two orders
    with django_capture_on_commit_callbacks() as callbacks:
        action_id = start(api_client, [{"source_id": "a", "amount": 100}, {"amount": 200}])

    # Then an ORDERS.IMPORT action waits for a worker, its job enqueued after the commit
    action = AsyncAction.objects.get(pk=action_id)
    assert action_id.startswith("aa_") and len(action_id) == 27
    assert action.type == "ORDERS.IMPORT" and action.status == "ENQUEUED"
    assert action.api_key == api_key and action.actor_label == "API key shop"
    assert len(action.payload) == 2 and len(callbacks) == 1
    # And reading it shows ENQUEUED without a result yet
    response = api_client.get(f"/v1/async-actions/{action_id}")
    body = assert_response(
        response, "async-actions.json", "get", "/v1/async-actions/{asyncActionId}"
    )
    assert body["status"] == "ENQUEUED" and body["progress"] == 0 and "result" not in body
    assert body["object"] == "async_action" and body["type"] == "ORDERS.IMPORT"
    assert body["request_id"].startswith("v-")
    assert body["created_at"].endswith("Z") and len(body["created_at"]) == 24


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        ({"source_id": "a"}, "valid list"),
        ([], "at least 1"),
        ([{"source_id": "a"}, 7], "[1]"),
        ([{"amount": 1}] * 2001, "at most 2000"),
    ],
)
def test_a_payload_that_is_not_1_to_2000_orders_is_a_400(api_client, payload, named):
    response = api_client.post_json("/v1/orders/import", payload)

    body = assert_error(response, 400, "invalid_payload")
    assert named in body["details"]
    assert not AsyncAction.objects.exists()


def test_the_result_counts_done_and_failed_orders(api_client, monkeypatch):
    # Given an importer that imports two orders and rejects two (one without a source_id)
    seen = {}

    def fake_import(payloads, *, on_error, actor_label):
        seen.update(count=len(payloads), on_error=on_error, actor_label=actor_label)
        return ImportResult(
            read=4,
            created=1,
            updated=1,
            problems=[
                Problem("", 3, "bad-1", "status must be one of CREATED, PAID"),
                Problem("", 3, "bad-1", "amount must be a whole number"),
                Problem("", 4, "", "give the order's items or its total amount"),
            ],
        )

    monkeypatch.setattr(imports.loading, "import_payloads", fake_import)
    action_id = start(api_client, [{"amount": 1}] * 4)

    # When the worker runs the action
    import_orders.apply(args=[action_id])

    # Then it is DONE with the reference's counts and one reason per failed order
    body = check_action(api_client.get(f"/v1/async-actions/{action_id}"))
    assert seen == {"count": 4, "on_error": "skip", "actor_label": "API key shop"}
    assert body["status"] == "DONE" and body["progress"] == 100
    assert body["processing_time"] >= 0
    assert body["result"] == {
        "message": "2 order(s) imported successfully, 2 failed.",
        "done_count": 2,
        "failed_count": 2,
        "failed": [
            {
                "source_id": "bad-1",
                "reason": "status must be one of CREATED, PAID; amount must be a whole number",
            },
            {"reason": "Order [3]: give the order's items or its total amount"},
        ],
    }


def test_an_import_that_cannot_run_is_failed_and_says_so(api_client, monkeypatch):
    def broken_import(payloads, **options):
        raise RuntimeError("database went away")

    monkeypatch.setattr(imports.loading, "import_payloads", broken_import)
    action_id = start(api_client, [{"amount": 1}])

    import_orders.apply(args=[action_id])

    body = check_action(api_client.get(f"/v1/async-actions/{action_id}"))
    assert body["status"] == "FAILED"
    assert body["result"]["message"] == (
        "The orders could not be imported because of an internal error."
    )
    assert body["result"]["failed_count"] == 1 and body["result"]["done_count"] == 0


def test_a_finished_action_is_not_run_again(api_client, monkeypatch):
    calls = []
    monkeypatch.setattr(
        imports.loading,
        "import_payloads",
        lambda payloads, **options: calls.append(1) or ImportResult(read=1, created=1),
    )
    action_id = start(api_client, [{"amount": 1}])

    import_orders.apply(args=[action_id])
    import_orders.apply(args=[action_id])  # a re-delivered message

    assert calls == [1]
    assert AsyncAction.objects.get(pk=action_id).result["done_count"] == 1


def test_orders_are_imported_end_to_end_with_the_keys_name_in_activity(api_client):
    # Given two valid orders and one the importer refuses
    payload = [
        {
            "source_id": "imp-1",
            "status": "PAID",
            "customer": {"source_id": "bob@example.com", "name": "Bob"},
            "items": [{"source_id": "vase", "quantity": 2, "price": 1500}],
        },
        {"source_id": "imp-2", "status": "CREATED", "amount": 7000},
        {"source_id": "imp-3", "status": "LOST", "amount": 100},
    ]
    action_id = start(api_client, payload)

    # When the Celery task runs the action
    import_orders.apply(args=[action_id])

    # Then two orders exist, the third is reported by its source_id
    body = check_action(api_client.get(f"/v1/async-actions/{action_id}"))
    assert body["status"] == "DONE"
    assert body["result"]["done_count"] == 2 and body["result"]["failed_count"] == 1
    assert body["result"]["failed"][0]["source_id"] == "imp-3"
    assert "status" in body["result"]["failed"][0]["reason"]
    first = Order.objects.get(source_id="imp-1")
    assert first.amount == 3000 and first.status == "PAID"
    assert first.customer.source_id == "bob@example.com"
    assert Order.objects.get(source_id="imp-2").amount == 7000
    assert not Order.objects.filter(source_id="imp-3").exists()
    # And Activity shows the key's name
    assert OrderEvent.objects.filter(order=first, actor_label="API key shop").exists()
    # And the customer's summary counts the paid order
    summary = api_client.get("/v1/customers/bob@example.com").json()["summary"]["orders"]
    assert summary["total_count"] == 1 and summary["total_amount"] == 3000


def test_an_unknown_action_is_a_404_naming_it(api_client):
    response = api_client.get("/v1/async-actions/aa_000000000000000000000000")

    body = assert_error(response, 404, "not_found", "async-actions.json")
    assert body["resource_type"] == "async_action"
    assert body["resource_id"] == "aa_000000000000000000000000"


def test_the_list_shows_the_newest_actions_without_results(api_client, monkeypatch):
    monkeypatch.setattr(
        imports.loading,
        "import_payloads",
        lambda payloads, **options: ImportResult(read=1, created=1),
    )
    older = start(api_client, [{"amount": 1}])
    import_orders.apply(args=[older])
    newer = start(api_client, [{"amount": 2}])

    response = api_client.get("/v1/async-actions?limit=1")
    everything = api_client.get("/v1/async-actions").json()

    body = assert_response(response, "async-actions.json", "get", "/v1/async-actions")
    assert [action["id"] for action in body["async_actions"]] == [newer]
    assert [action["id"] for action in everything["async_actions"]] == [newer, older]
    assert all("result" not in action for action in everything["async_actions"])
    bad = api_client.get("/v1/async-actions?limit=101")
    assert_error(bad, 400, "invalid_query_params", "async-actions.json")


def test_operators_see_actions_read_only_in_the_admin(api_client, operator_client):
    action_id = start(api_client, [{"source_id": "a", "amount": 1}])

    listing = operator_client.get("/admin/imports/asyncaction/")
    page = operator_client.get(f"/admin/imports/asyncaction/{action_id}/change/")
    add = operator_client.get("/admin/imports/asyncaction/add/")

    assert listing.status_code == 200 and action_id in listing.content.decode()
    assert page.status_code == 200 and "API key shop" in page.content.decode()
    assert add.status_code == 403


@pytest.mark.parametrize(
    ("end_date", "status"),
    [("2849-08-21T05:17:11-18:59", 200), ("9999-12-31T23:00:00-18:59", 400), ("2016-11-16", 200)],
)
def test_end_date_with_any_offset_is_answered_never_a_500(api_client, end_date, status):
    response = api_client.get("/v1/async-actions", {"end_date": end_date})

    assert response.status_code == status, response.content
    if status == 400:
        assert "end_date" in assert_error(response, 400, "invalid_query_params")["details"]
    # The database is still usable afterwards (a refused value would abort the transaction)
    assert api_client.get("/v1/async-actions").status_code == 200
