"""Forms of the order pages. They validate and clean input into domain values ("12.50" →
1250, a customer reference → a Customer); saving is the order service's job."""

import json
import math
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from core.money import MoneyField
from customers.models import Customer

from .models import MAX_ITEMS, SKU, OrderStatus, Product
from .services import ItemData
from .totals import MAX_QUANTITY

# The column's limit in words a person reads, for every quantity input.
QUANTITY_TOO_LARGE = f"Enter a whole number of at most {MAX_QUANTITY:,}."


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"{text} is too large a number to store")
    return number


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # longer than Python reads (sys.get_int_max_str_digits())
        raise ValueError(f"a whole number of {len(text):,} digits is too long to store") from None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number that can be stored")


def load_json(text: str) -> Any:
    """``json.loads`` refusing what a JSON column cannot store: Python reads ``NaN``,
    ``Infinity`` and ``1e400`` (as infinity), PostgreSQL refuses them; an integer too long
    for Python to read is refused too. Raises ``ValueError`` (``json.JSONDecodeError`` for
    text that is not JSON)."""
    return json.loads(text, parse_float=_finite, parse_int=_whole, parse_constant=_no_constant)


# The orders list's filters and the segment form name the shared money field so.
MoneyInput = MoneyField


def find_customer(reference: str) -> Customer:
    """A customer by id, source ID or email; ``ValidationError`` when there is none."""
    text = reference.strip()
    match = Customer.objects.filter(Q(pk=text) | Q(source_id=text) | Q(email__iexact=text))
    customers = list(match[:2])
    if not customers:
        raise ValidationError(f"No customer has the id, source ID or email '{text}'.")
    if len(customers) > 1:
        raise ValidationError(f"Several customers match '{text}'; use the customer's id.")
    return customers[0]


class CustomerReference(forms.CharField):
    """A customer named by id, source ID or email → the ``Customer`` (blank → none)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Customer):
            return value.pk
        return value

    def clean(self, value: Any) -> Customer | None:
        text = super().clean(value)
        return find_customer(text) if text else None


class VersionedForm(forms.Form):
    """Carries the order version the form was shown for (see ``update_order``)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class StatusForm(VersionedForm):
    status = forms.ChoiceField(choices=OrderStatus.choices)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class OrderEditForm(VersionedForm):
    """The order's own fields; the cart is the ``ItemFormSet`` beside it."""

    source_id = forms.CharField(label="Source ID", required=False, max_length=255)
    status = forms.ChoiceField(choices=OrderStatus.choices)
    customer = CustomerReference(help_text="Id, source ID or email; blank for none.")
    referrer = CustomerReference(help_text="Id, source ID or email; blank for none.")
    amount = MoneyField(label="Total order amount", help_text="Only for an order without items.")
    discount_amount = MoneyField(label="Order discount")
    metadata = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "mono"}),
        help_text='A JSON object, e.g. {"payment_method": "Visa"}.',
    )

    def clean_metadata(self) -> dict[str, Any]:
        text = (self.cleaned_data.get("metadata") or "").strip()
        if not text:
            return {}
        try:
            value = load_json(text)
        except json.JSONDecodeError as error:
            raise ValidationError(f"Not valid JSON: {error.msg} (line {error.lineno}).") from None
        except ValueError as error:
            raise ValidationError(f"Not valid metadata: {error}.") from None
        if not isinstance(value, dict):
            raise ValidationError("Metadata must be a JSON object of key/value pairs.")
        return value


def find_catalogue_item(reference: str) -> tuple[Product | None, SKU | None]:
    """A SKU or product by id or source ID (SKUs first: they are the more specific)."""
    text = reference.strip()
    sku = SKU.objects.select_related("product").filter(Q(pk=text) | Q(source_id=text)).first()
    if sku:
        return sku.product, sku
    product = Product.objects.filter(Q(pk=text) | Q(source_id=text)).first()
    if product:
        return product, None
    raise ValidationError(f"No product or SKU has the id or source ID '{text}'.")


class ItemForm(forms.Form):
    """One cart line: a catalogue product or SKU, quantity, price and item discount."""

    reference = forms.CharField(
        label="Product or SKU", help_text="Id or source ID of a product or SKU."
    )
    quantity = forms.IntegerField(
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        error_messages={"max_value": QUANTITY_TOO_LARGE},
    )
    price = MoneyField(label="Price", required=True)
    discount_amount = MoneyField(label="Discount")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        reference = cleaned.get("reference")
        if reference:
            try:
                cleaned["product"], cleaned["sku"] = find_catalogue_item(reference)
            except ValidationError as error:
                self.add_error("reference", error)
        return cleaned

    def item_data(self) -> ItemData:
        data = self.cleaned_data
        sku = data.get("sku")
        return ItemData(
            quantity=data["quantity"],
            price=data["price"],
            discount_amount=data.get("discount_amount") or 0,
            product=data.get("product"),
            sku=sku,
            source_id=(sku.source_id if sku else data["product"].source_id) or "",
        )


class BaseItemFormSet(forms.BaseFormSet):
    def item_forms(self) -> list[ItemForm]:
        """The rows that make the cart, in its order: ``items.N`` in a service's error is
        ``item_forms()[N - 1]`` (untouched and deleted rows are not items)."""
        return [
            form for form in self.forms if form.has_changed() and not self._should_delete_form(form)
        ]

    def items(self) -> list[ItemData]:
        return [form.item_data() for form in self.item_forms()]


ItemFormSet = forms.formset_factory(
    ItemForm,
    formset=BaseItemFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_ITEMS,
    validate_max=True,
    absolute_max=MAX_ITEMS + 1,
)


class MetadataValueForm(VersionedForm):
    """One metadata property edited in place: its key and value as typed.

    The value is read as JSON when it parses (numbers, true/false, lists, objects) into
    something storable, else as text ("1e400" stays text); the schema validator then decides
    whether it fits the property.
    """

    key = forms.CharField(max_length=100)
    value = forms.CharField(required=False)
    remove = forms.BooleanField(required=False)

    def clean_value(self) -> Any:
        text = self.cleaned_data.get("value", "")
        try:
            return load_json(text)
        except (ValueError, TypeError):
            return text
