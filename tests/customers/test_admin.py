"""The operators' admin for customers: pages, read-only purchase summary, import and export."""

import csv
import io
from typing import Any

import pytest
from django.contrib.admin.utils import quote
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from orders.models import OrderStatus
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db

EXPORT_COLUMNS = [
    "id",
    "source_id",
    "name",
    "email",
    "phone",
    "description",
    "address_line_1",
    "address_line_2",
    "city",
    "state",
    "postal_code",
    "country",
    "metadata",
]
IMPORT_HEADER = "source_id,name,email,city,metadata\n"


def customer_url(view: str, *args: Any) -> str:
    # Ids hold "_", which the admin escapes in its URLs.
    return reverse(f"admin:customers_customer_{view}", args=[quote(arg) for arg in args])


def upload(client: Client, content: str) -> Any:
    """Step one of an import: the dry run and its preview (format 0 is CSV)."""
    import_file = SimpleUploadedFile("customers.csv", content.encode(), content_type="text/csv")
    return client.post(
        customer_url("import"), {"format": "0", "resource": "0", "import_file": import_file}
    )


def confirm(client: Client, preview: Any) -> Any:
    return client.post(customer_url("process_import"), preview.context["confirm_form"].initial)


@pytest.fixture
def customer() -> Customer:
    """A customer with one paid order, so the purchase summary has something in it."""
    customer = CustomerFactory(source_id="cust-1", name="Ada Lovelace")
    make_order(customer=customer, amount=4200, items=0, status=OrderStatus.PAID)
    customer.refresh_from_db()
    return customer


# --- Every page loads ---------------------------------------------------------------------


def test_changelist_loads(operator_client, customer):
    response = operator_client.get(customer_url("changelist"))

    assert response.status_code == 200
    assert "Ada Lovelace" in response.content.decode()


@pytest.mark.parametrize("view", ["change", "delete"])
def test_change_and_delete_pages_load(operator_client, customer, view):
    assert operator_client.get(customer_url(view, customer.pk)).status_code == 200


@pytest.mark.parametrize("view", ["add", "import", "export"])
def test_add_import_and_export_pages_load(operator_client, view):
    assert operator_client.get(customer_url(view)).status_code == 200


def test_bulk_delete_asks_for_confirmation_first(operator_client):
    customer = CustomerFactory(name="Nobody Yet")  # no orders, so nothing protects it

    response = operator_client.post(
        customer_url("changelist"),
        {"action": "delete_selected", "_selected_action": [customer.pk]},
    )

    assert response.status_code == 200
    assert "Are you sure you want to delete the selected customer?" in response.content.decode()
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_marketing_user_is_sent_to_the_admin_login(marketing_client):
    response = marketing_client.get(customer_url("changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# --- The purchase summary is the order service's ---------------------------------------------


def test_purchase_summary_is_shown_but_not_editable(operator_client, customer):
    # When the operator opens the customer
    response = operator_client.get(customer_url("change", customer.pk))

    # Then the summary is on the page, outside the form
    form = response.context["adminform"].form
    assert "orders_total_amount" not in form.fields
    assert "orders_total_count" not in form.fields
    page = response.content.decode()
    assert "4200" in page
    assert "All orders of this customer" in page


def test_editing_a_profile_leaves_the_summary_alone(operator_client, customer):
    # When the operator renames the customer and tries to post a summary value too
    response = operator_client.post(
        customer_url("change", customer.pk),
        {"source_id": "cust-1", "name": "Ada King", "metadata": "{}", "orders_total_amount": "1"},
    )

    # Then the name changed and the summary did not
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "Ada King"
    assert (customer.orders_total_count, customer.orders_total_amount) == (1, 4200)


def test_the_orders_link_lists_the_customers_orders(operator_client, customer):
    # Given another customer's order
    make_order(customer=CustomerFactory(), amount=100, items=0)

    # When the operator follows the customer's orders link
    response = operator_client.get(
        reverse("admin:orders_order_changelist"), {"customer": customer.pk}
    )

    # Then only this customer's order is listed
    assert [order.customer_id for order in response.context["cl"].result_list] == [customer.pk]


def test_filter_by_paid_orders(operator_client, customer):
    CustomerFactory(name="Never Bought")

    response = operator_client.get(customer_url("changelist"), {"has_paid_orders": "yes"})

    assert list(response.context["cl"].result_list) == [customer]


# --- Import and export ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_row", "field", "message"),
    [
        ("c-2,Bob,not-an-email,Paris,", "email", "Enter a valid email address"),
        ('c-2,Bob,bob@example.com,Paris,"{oops"', "metadata", "is not valid JSON"),
        ("c-2,Bob,bob@example.com,Paris,[1]", "metadata", "must be a JSON object"),
    ],
)
def test_import_dry_run_reports_a_bad_row_and_writes_nothing(
    operator_client, bad_row, field, message
):
    # Given a file with a good row and a bad one
    content = IMPORT_HEADER + "c-1,Ann,ann@example.com,Oslo,\n" + bad_row + "\n"

    # When the operator uploads it
    response = upload(operator_client, content)

    # Then the preview names the bad row's problem and nothing is saved
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [2]
    assert message in " ".join(result.invalid_rows[0].field_specific_errors[field])
    assert "confirm_form" not in response.context
    assert not Customer.objects.exists()


def test_import_upserts_by_source_id(operator_client, customer):
    # Given a file that renames an existing customer and adds two without source IDs
    content = (
        IMPORT_HEADER
        + 'cust-1,Ada Byron,ada@example.com,London,"{""tier"": ""gold""}"\n'
        + ",Anonymous One,one@example.com,,\n"
        + ",Anonymous Two,two@example.com,,\n"
    )

    # When the operator previews and confirms it
    preview = upload(operator_client, content)
    response = confirm(operator_client, preview)

    # Then the existing customer is updated, not duplicated, and the others are new
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["Import finished: 2 new, 1 updated, 0 deleted and 0 skipped customers."]
    customer.refresh_from_db()
    assert (customer.name, customer.city, customer.metadata) == (
        "Ada Byron",
        "London",
        {"tier": "gold"},
    )
    assert customer.orders_total_amount == 4200  # the summary is not the file's business
    assert Customer.objects.filter(source_id__isnull=True).count() == 2


def test_export_writes_the_agreed_columns(operator_client, customer):
    # When the operator exports customers as CSV with every column
    fields = {f"customerresource_{name}": "on" for name in EXPORT_COLUMNS}
    response = operator_client.post(
        customer_url("export"), {"format": "0", "resource": "0", **fields}
    )

    # Then the file has the profile columns and the customer
    lines = response.content.decode().splitlines()
    assert lines[0].split(",") == EXPORT_COLUMNS
    assert lines[1].startswith(f"{customer.pk},cust-1,Ada Lovelace,")


def test_an_exported_file_imports_back_without_changes(operator_client, customer):
    CustomerFactory(source_id=None, metadata={"a": 1})
    fields = {f"customerresource_{name}": "on" for name in EXPORT_COLUMNS}
    exported = operator_client.post(
        customer_url("export"), {"format": "0", "resource": "0", **fields}
    )

    preview = upload(operator_client, exported.content.decode())

    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert (result.totals["skip"], result.totals["new"]) == (2, 0)


# --- Spreadsheet formulas in exported cells ---------------------------------------------------

FORMULAS = {
    "name": '=HYPERLINK("http://evil.example","click")',
    "email": "@SUM(1+1)@example.com",
    "phone": "+cmd|' /C calc'!A0",
    "description": "-2+3",
    "city": "\tTabbed",
    "state": "\rReturned",
}


@pytest.mark.parametrize("file_format", ["0", "1"])  # CSV and TSV
def test_the_export_neutralizes_formulas_in_every_text_cell(operator_client, file_format):
    # Given a customer whose text fields start like spreadsheet formulas
    customer = CustomerFactory(source_id="'=already-quoted", **FORMULAS)
    fields = {f"customerresource_{name}": "on" for name in EXPORT_COLUMNS}

    # When the operator exports customers from the admin (the action's form posts here)
    response = operator_client.post(
        customer_url("export"),
        {"format": file_format, "resource": "0", "export_items": [customer.pk], **fields},
    )

    # Then each such cell starts with a quote, as in the Exports page's files
    dialect = "excel-tab" if file_format == "1" else "excel"
    rows = list(csv.DictReader(io.StringIO(response.content.decode()), dialect=dialect))
    assert len(rows) == 1
    for name, value in FORMULAS.items():
        assert rows[0][name] == f"'{value}", name
    assert rows[0]["source_id"] == "''=already-quoted"
    assert rows[0]["id"] == customer.pk


def test_an_export_with_formulas_imports_back_without_changes(operator_client):
    # Given an exported customer whose text fields start like formulas (the importer strips
    # blanks around cells, so leading tabs are left out here)
    CustomerFactory(
        source_id="-src",
        name=FORMULAS["name"],
        email="=cmd@example.com",
        phone=FORMULAS["phone"],
        description="@SUM(A1:A9)",
    )
    fields = {f"customerresource_{name}": "on" for name in EXPORT_COLUMNS}
    exported = operator_client.post(
        customer_url("export"), {"format": "0", "resource": "0", **fields}
    )
    assert "'=HYPERLINK" in exported.content.decode()

    # When the same file is imported, the quotes come off again: nothing has changed
    preview = upload(operator_client, exported.content.decode())
    result = preview.context["result"]
    assert not result.has_errors(), [e.error for e in result.base_errors]
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    assert (result.totals["skip"], result.totals["new"]) == (1, 0)
