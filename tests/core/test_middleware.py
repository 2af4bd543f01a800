import re

import pytest


@pytest.mark.django_db
def test_responses_say_how_long_the_application_took(marketing_client):
    response = marketing_client.get("/orders/")
    assert re.fullmatch(r"app;dur=\d+\.\d", response["Server-Timing"])
