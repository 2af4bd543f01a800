"""Filters at the edges of what a value can hold, on every page and endpoint that reads them:
an answer (200) or a message (400), never a 500."""

import pytest

from tests.factories import make_order

pytestmark = pytest.mark.django_db

DASHBOARD = ("/orders/", "/orders/insights/", "/orders/insights/?part=top&by=channel")
API = ("/v1/orders", "/v1/orders/stats")

# An offset past PostgreSQL's ±15:59 at either end of the calendar; a day or a number of
# days at the end of what the grammar takes; NUL, which PostgreSQL cannot hold in a text.
EXTREMES = [
    "created_after=9999-12-31T23:59:59.999999-23:59",
    "created_before=0001-01-01T00:00:00%2B23:59",
    "filters[created_at][conditions][$after][0]=9999-12-31T23:59:59.999999-23:59",
    "filters[created_at][conditions][$before][0]=0001-01-01T00:00:00%2B23:59",
    "filters[updated_at][conditions][$before][0]=9999-12-31",
    "filters[created_at][conditions][$more_than_future][0]=36500",
    "filters[metadata.when][conditions][$after][0]=9999-12-31T23:59:59-23:59",
    "filters[amount][conditions][$in][0]=99999999999999999999",
    "filters[source_id][conditions][$contains][0]=%00",
    "filters[metadata.k][conditions][$is][0]=a%00",
]


@pytest.mark.parametrize("query", EXTREMES)
def test_extreme_values_answer_or_say_what_is_wrong(query, marketing_client, api_client):
    make_order(items=0, metadata={"when": "2026-05-01", "channel": "web"})
    for path in DASHBOARD:
        separator = "&" if "?" in path else "?"
        response = marketing_client.get(f"{path}{separator}{query}")
        assert response.status_code == 200, (path, query, response.status_code)
    for path in API:
        response = api_client.get(f"{path}?{query}")
        assert response.status_code in (200, 400), (path, query, response.content)
        if response.status_code == 400:
            details = response.json()["details"]
            assert "database refused" not in details.lower(), details
            assert "NUL" in details or "minor units" in details, details
