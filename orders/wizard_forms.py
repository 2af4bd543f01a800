"""Forms of the Create order wizard's steps (the Metadata step is in ``wizard_metadata``).

They only validate and clean input into domain values (``orders.order_entry``'s ``Line``,
``NewCustomer`` ...); ``orders.order_entry.save_new_order`` writes, on Save. The cart reuses
the order Edit page's ``ItemForm`` and ``BaseItemFormSet`` so a line means the same on both.
"""

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from catalog.models import Product
from core.money import MoneyField, format_money
from customers.models import Customer

from .forms import (
    QUANTITY_TOO_LARGE,
    BaseItemFormSet,
    CatalogueReference,
    CustomerReference,
    ItemForm,
    find_customer,
)
from .models import MAX_ITEMS, Order, OrderStatus
from .order_entry import Line, NewCustomer, NewProduct
from .totals import MAX_QUANTITY, ItemInput, OrderTotals, compute_totals


class DetailsForm(forms.Form):
    """Step 1: the order's source ID and status."""

    source_id = forms.CharField(
        label="Source ID",
        required=False,
        max_length=255,
        help_text="Your internal reference for the order (optional, unique).",
    )
    status = forms.ChoiceField(
        choices=OrderStatus.choices, initial=OrderStatus.CREATED, required=False
    )

    # The order that already uses the typed source ID, for the page to link to.
    taken_by: str | None = None

    def clean_source_id(self) -> str | None:
        source_id = (self.cleaned_data.get("source_id") or "").strip() or None
        if source_id:
            owner = Order.objects.filter(source_id=source_id).values_list("pk", flat=True).first()
            if owner:
                self.taken_by = owner
                raise ValidationError(f"Source ID '{source_id}' is already used by order {owner}.")
        return source_id

    def clean_status(self) -> str:
        return self.cleaned_data.get("status") or OrderStatus.CREATED


class WizardItemForm(ItemForm):
    """One cart line: a catalogue product / SKU (id or source ID) or a new product by name.

    A blank price takes the catalogue's (the type-ahead fills it in as you pick).
    """

    reference = CatalogueReference(
        label="Product or SKU",
        required=False,
        help_text="Search by name, or type the id or source ID.",
        attrs={"autocomplete": "off"},
    )
    new_name = forms.CharField(label="or a new product named", required=False, max_length=255)
    new_source_id = forms.CharField(label="New product's source ID", required=False, max_length=255)
    quantity = forms.IntegerField(
        initial=1,
        min_value=1,
        max_value=MAX_QUANTITY,
        error_messages={
            "min_value": "Enter a whole number of 1 or more.",
            "max_value": QUANTITY_TOO_LARGE,
            "invalid": "Enter a whole number of 1 or more.",
            "required": "Enter the quantity (1 or more).",
        },
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_QUANTITY, "step": 1}),
    )
    price = MoneyField(label="Price")
    # The wizard records carts as sold; discounts come from campaigns.
    discount_amount = None  # type: ignore[assignment]  # removes ItemForm's field (Django's way)

    # Set by ItemsStepForm after Calculate: the server-computed line amount.
    line_amount: int | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        reference = cleaned.get("reference")
        new_name = (cleaned.get("new_name") or "").strip()
        new_source_id = (cleaned.get("new_source_id") or "").strip() or None
        if reference and new_name:
            self.add_error("new_name", "Pick a catalogue product or name a new one, not both.")
        elif not reference and not new_name:
            self.add_error("reference", "Pick a product or SKU, or name a new product.")
        if new_name and new_source_id:
            taken = Product.objects.filter(source_id=new_source_id).first()
            if taken:
                self.add_error(
                    "new_source_id",
                    f"Product {taken.name} ({taken.pk}) already has this source ID; "
                    "pick it as Product or SKU instead.",
                )
        cleaned["new_product"] = NewProduct(new_name, new_source_id) if new_name else None
        if cleaned.get("price") is None and "price" not in self.errors:
            catalogue_price = self._catalogue_price(cleaned)
            if catalogue_price is None:
                self.add_error("price", "Enter the price (e.g. 12.50).")
            else:
                cleaned["price"] = catalogue_price
        return cleaned

    @staticmethod
    def _catalogue_price(cleaned: dict[str, Any]) -> int | None:
        sku, product = cleaned.get("sku"), cleaned.get("product")
        if sku is not None and sku.price is not None:
            return sku.price
        return product.price if product is not None else None

    def line(self) -> Line:
        data = self.cleaned_data
        return Line(
            quantity=data["quantity"],
            price=data["price"],
            product=None if data.get("new_product") else data.get("product"),
            sku=None if data.get("new_product") else data.get("sku"),
            new_product=data.get("new_product"),
        )


class WizardItemFormSetBase(BaseItemFormSet):
    def filled_forms(self) -> list[WizardItemForm]:
        """The rows with something typed in (an untouched empty row is not an item)."""
        return [form for form in self.forms if form.has_changed()]

    def lines(self) -> list[Line]:
        return [form.line() for form in self.filled_forms()]

    def clean(self) -> None:
        super().clean()
        count = len(self.filled_forms())
        if count > MAX_ITEMS:
            raise ValidationError(
                f"An order holds at most {MAX_ITEMS} items; this one has {count}. "
                "Remove some, or enter a Total order amount only."
            )


WizardItemFormSet = cast(
    type[WizardItemFormSetBase],
    forms.formset_factory(
        WizardItemForm,
        formset=WizardItemFormSetBase,
        extra=1,
        # One row past the limit is kept so the message can say what is wrong.
        max_num=MAX_ITEMS + 1,
        absolute_max=MAX_ITEMS + 1,
    ),
)


class ItemsStepForm(forms.Form):
    """Step 2: the cart rows (a formset inside this form), or a Total order amount only."""

    amount = MoneyField(
        label="Total order amount", help_text="Only for an order without items, e.g. 120.00."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = WizardItemFormSet(
            self.data if self.is_bound else None, prefix=f"{self.prefix}-rows"
        )
        self.totals: OrderTotals | None = None

    def is_valid(self) -> bool:
        # clean() validates the rows first, so every message shows at once, then puts the
        # totals' errors on the rows they name: ask the rows again after it.
        form_valid = super().is_valid()
        return form_valid and self.rows.is_valid()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean() returns
        if not self.rows.is_valid() or "amount" in self.errors:
            return cleaned
        lines = self.rows.lines()
        amount = cleaned.get("amount")
        if not lines and amount is None:
            self.add_error("amount", "Add an item, or enter a Total order amount.")
            return cleaned
        if lines and amount is not None:
            self.add_error(
                "amount",
                "Leave the Total order amount empty when the order has items: "
                "their prices make it. Or remove the items.",
            )
            return cleaned
        cleaned["lines"] = lines
        cleaned["totals"] = self.calculate(lines, amount)
        return cleaned

    def calculate(self, lines: list[Line], amount: int | None) -> OrderTotals | None:
        """The server's totals (``orders.totals``), also set on each row as ``line_amount``."""
        try:
            totals = compute_totals(
                [ItemInput(line.quantity, line.price) for line in lines],
                amount=None if lines else amount,
                money=format_money,
            )
        except ValidationError as error:
            self.add_totals_errors(error)
            return None
        for form, computed in zip(self.rows.filled_forms(), totals.items, strict=True):
            form.line_amount = computed.amount
        self.totals = totals
        return totals

    def add_totals_errors(self, error: ValidationError) -> None:
        """Put ``compute_totals``' errors on the inputs they name (``items.2.quantity`` is
        the second filled row's quantity); the rest on the Total order amount."""
        rows = self.rows.filled_forms()
        for field, problems in error.message_dict.items():
            if not field.startswith("items."):
                self.add_error("amount", problems)
                continue
            _, index, name = field.split(".", 2)
            row = rows[int(index) - 1]
            row.add_error(name if name in row.fields else None, problems)


class PartyForm(forms.Form):
    """Steps 3 and 4: an existing customer (referrer), or a new one created on Save."""

    existing = CustomerReference(
        label="Choose customer",
        help_text="Search by name, email, id or source ID.",
        attrs={"autocomplete": "off"},
    )
    name = forms.CharField(required=False, max_length=255)
    email = forms.EmailField(required=False, max_length=254)  # the column's length
    phone = forms.CharField(required=False, max_length=64)
    source_id = forms.CharField(label="Source ID", required=False, max_length=255)
    # Posted by the "Use them" button offered when the new source ID or email is taken.
    use_existing = forms.CharField(required=False, widget=forms.HiddenInput)
    # Offered with the customer who already has the typed email: two people may share one.
    same_email_ok = forms.BooleanField(
        label="Create a new customer with this email anyway", required=False
    )

    NEW_FIELDS = ("name", "email", "phone", "source_id")

    def __init__(self, *args: Any, can_create: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.can_create = can_create
        # The customer who already has the typed source ID, offered for reuse.
        self.reuse: Customer | None = None
        # The customer who already has the typed email, offered for reuse.
        self.same_email: Customer | None = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean() returns
        cleaned["customer"], cleaned["new"] = cleaned.get("existing"), None
        chosen = (cleaned.get("use_existing") or "").strip()
        if chosen:
            try:
                cleaned["customer"] = find_customer(chosen)
            except ValidationError as error:
                self.add_error("existing", error)
            return cleaned
        new_given = any((self.data.get(self.add_prefix(f)) or "").strip() for f in self.NEW_FIELDS)
        if not new_given:
            return cleaned
        if cleaned.get("existing") or self.errors.get("existing"):
            self.add_error(None, "Choose an existing customer or create a new one, not both.")
            return cleaned
        if not self.can_create:
            self.add_error(None, "You may not create customers; choose an existing one.")
            return cleaned
        name = (cleaned.get("name") or "").strip()
        email = (cleaned.get("email") or "").strip()
        source_id = (cleaned.get("source_id") or "").strip() or None
        if not name and not email and "email" not in self.errors:
            self.add_error("name", "Give the new customer a name or an email.")
        if email and not cleaned.get("same_email_ok"):
            self.same_email = Customer.objects.filter(email__iexact=email).order_by("pk").first()
            if self.same_email:
                self.add_error(
                    "email",
                    f"Customer {self.same_email} already has this email — use them, "
                    "or create a new customer with it anyway?",
                )
        if source_id:
            self.reuse = Customer.objects.filter(source_id=source_id).first()
            if self.reuse:
                self.add_error(
                    "source_id",
                    f"Customer {self.reuse} already has this source ID — use them?",
                )
        cleaned["new"] = NewCustomer(
            name=name, email=email, phone=(cleaned.get("phone") or "").strip(), source_id=source_id
        )
        return cleaned


class SummaryForm(forms.Form):
    """Step 6: Save. Carries the wizard's idempotency key, so a repeated Save (a double click,
    a reload) is recognised even after the wizard's storage was cleared."""

    creation_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
