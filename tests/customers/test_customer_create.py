"""Create customer: an empty form creates no one."""

import pytest
from django.test import Client

from customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_an_empty_form_creates_no_customer_and_says_what_to_give(marketing_client: Client):
    response = marketing_client.post("/customers/create/", {"name": " ", "phone": "123"})

    assert response.status_code == 400
    assert "Give at least a name or an email to find the customer by." in response.content.decode()
    assert not Customer.objects.exists()


def test_a_customer_known_only_by_source_id_can_still_be_edited(marketing_client: Client):
    imported = CustomerFactory(name="", email="", source_id="crm-7")

    response = marketing_client.post(
        f"/customers/{imported.pk}/edit/", {"source_id": "crm-7", "phone": "555"}
    )

    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.phone == "555"
