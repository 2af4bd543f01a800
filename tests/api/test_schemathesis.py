"""A bounded property-based run of every v1 operation against ``/v1/openapi.json``.

Schemathesis generates requests from the API's own OpenAPI document (valid and, where the
schema allows, edge-case values) and sends them in-process through the Django WSGI app with
a valid key. No response may be a 5xx. Bounded and deterministic: at most ``MAX_EXAMPLES``
examples per operation, derandomized, so the run takes well under two minutes.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

MAX_EXAMPLES = 30

schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def keep_test_connection():
    """Requests through the WSGI app would close the database connection when they end
    (holding the test's transaction); Django's test client prevents that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_gives_a_server_error(case, api_key, keep_test_connection):
    headers = {"X-App-Id": api_key.app_id, "X-App-Token": api_key.token}
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400 and response.headers.get("Content-Type", "").startswith(
        "application/json"
    ):
        body = response.json()
        assert body["code"] == response.status_code and body["request_id"].startswith("v-"), body


def test_the_run_covers_every_operation_of_the_document(client):
    """Every operation in /v1/openapi.json is one of the parametrized cases above."""
    document = client.get("/v1/openapi.json").json()
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    generated = {
        (operation.ok().method.upper(), operation.ok().path)
        for operation in schema.get_all_operations()
    }
    assert documented == generated
    assert {("POST", "/v1/orders"), ("GET", "/v1/orders"), ("GET", "/v1/orders/{order_id}"),
            ("PUT", "/v1/orders/{order_id}")} <= documented  # fmt: skip
