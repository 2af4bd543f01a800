"""Forms of the order pages. They validate and clean input into domain values ("12.50" →
1250, a customer reference → a Customer); saving is the order service's job."""

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict

from catalog.models import SKU, Product
from core.money import MoneyField
from customers.models import Customer
from metadata.conditions import KEY_RULE
from metadata.forms import UNKNOWN_KINDS, read_unknown, typed_field_for, typed_value
from metadata.validation import PropertyInfo

from .models import MAX_ITEMS, OrderItem, OrderStatus
from .services import ItemData
from .totals import MAX_QUANTITY

# The column's limit in words a person reads, for every quantity input.
QUANTITY_TOO_LARGE = f"Enter a whole number of at most {MAX_QUANTITY:,}."


@dataclass(frozen=True)
class Picked:
    """What a ``PickedInput`` holds: the text shown or typed, and the id of the record picked
    from the suggestions (blank when the text was typed by hand)."""

    text: str = ""
    id: str = ""

    def stands_for(self, record_id: str, label: str) -> bool:
        """Whether the text still shows the picked record (the person has not typed over it)."""
        return bool(self.id) and self.id == record_id and self.text in (record_id, label)


class PickedInput(forms.MultiWidget):
    """A text input showing a record's name, and a hidden input (``<name>_id``) carrying its
    id: people read names, while the id keeps two customers of one name apart."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"": forms.TextInput(), "id": forms.HiddenInput()}, attrs)

    def decompress(self, value: Any) -> list[str]:
        return [value.text, value.id] if isinstance(value, Picked) else [value or "", ""]

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_0" if id_ else id_

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        # The input's name is for the text a person reads, not for the hidden id beside it.
        context["widget"]["subwidgets"][1]["attrs"].pop("aria-label", None)
        return context


class PickedField(forms.Field):
    """Cleans a ``PickedInput`` into a ``Picked`` (blank text → ``None``).

    ``label_of`` turns an initial record into what the input shows: its name, with its id.
    """

    widget = PickedInput

    def __init__(self, **kwargs: Any) -> None:
        attrs = kwargs.pop("attrs", None)
        kwargs.setdefault("widget", PickedInput(attrs))
        super().__init__(**kwargs)

    def label_of(self, value: Any) -> Picked:
        return Picked(str(value), "")

    def prepare_value(self, value: Any) -> Picked:
        if isinstance(value, Picked):
            return value
        if isinstance(value, list | tuple):
            text, picked_id = ([*value, "", ""])[:2]
            return Picked((text or "").strip(), (picked_id or "").strip())
        if value is None or value == "":
            return Picked()
        return self.label_of(value)

    def to_python(self, value: Any) -> Picked | None:
        picked = self.prepare_value(value)
        return picked if picked.text else None

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.prepare_value(initial).text != self.prepare_value(data).text


def find_customer(reference: str, *, picked: Picked | None = None) -> Customer:
    """A customer by id, source ID, email or name (or as picked from the suggestions);
    ``ValidationError`` when there is none, or several."""
    text = reference.strip()
    if picked and picked.id:
        customer = Customer.objects.filter(pk=picked.id).first()
        if customer and picked.stands_for(customer.pk, str(customer)):
            return customer
    match = Customer.objects.filter(Q(pk=text) | Q(source_id=text) | Q(email__iexact=text))
    customers = list(match[:2]) or list(Customer.objects.filter(name__iexact=text)[:2])
    if not customers:
        raise ValidationError(f"No customer has the id, source ID, email or name '{text}'.")
    if len(customers) > 1:
        raise ValidationError(
            f"Several customers match '{text}'; pick one from the suggestions or type its id."
        )
    return customers[0]


class CustomerReference(PickedField):
    """A customer shown by name (id as secondary text), found by what was picked or typed:
    id, source ID, email or name → the ``Customer`` (blank → none)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def label_of(self, value: Any) -> Picked:
        if isinstance(value, Customer):
            return Picked(str(value), value.pk)
        customer = Customer.objects.filter(pk=str(value)).first()
        return Picked(str(customer), customer.pk) if customer else Picked(str(value))

    def clean(self, value: Any) -> Customer | None:
        picked = super().clean(value)
        return find_customer(picked.text, picked=picked) if picked else None


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
    customer = CustomerReference(help_text="Name, email, id or source ID; blank for none.")
    referrer = CustomerReference(help_text="Name, email, id or source ID; blank for none.")
    amount = MoneyField(label="Total order amount", help_text="Only for an order without items.")
    discount_amount = MoneyField(label="Order discount")


class MetadataValueForm(VersionedForm):
    """One property set or removed in place on the order's Metadata tab.

    A schema property's value is read as its type from its typed input (a Text property
    takes ``12`` as "12"); a key the schema does not define is read as the ``kind`` chosen
    beside it (text unless said otherwise). An empty value unsets the property.
    """

    key = forms.CharField(required=False)
    kind = forms.ChoiceField(choices=UNKNOWN_KINDS, required=False)
    remove = forms.BooleanField(required=False)

    def __init__(self, *args: Any, properties: dict[str, PropertyInfo], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        key = (self.data.get("key") or "").strip() if self.is_bound else ""
        self.prop = properties.get(key)
        if self.prop:
            self.fields["value"] = typed_field_for(self.prop, toggle=True)
        else:
            self.fields["value"] = forms.CharField(required=False, strip=False)

    def clean_key(self) -> str:
        # Other keys no filter could name are refused by the validator, naming the limit.
        key = self.cleaned_data["key"].strip()
        if not key:
            raise ValidationError(f"Give the property a name. {KEY_RULE}")
        return key

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean() returns
        if "key" not in cleaned or cleaned.get("remove") or "value" not in cleaned:
            return cleaned
        raw = cleaned["value"]
        kind = cleaned.get("kind") or "text"
        if self.prop:
            cleaned["metadata_value"] = typed_value(self.prop, raw)
        elif kind == "boolean":
            cleaned["metadata_value"] = read_unknown(str(raw or ""), kind)
        elif not raw.strip():
            cleaned["metadata_value"] = None
        else:
            try:
                cleaned["metadata_value"] = read_unknown(raw, kind)
            except ValidationError as error:
                self.add_error("value", error)
        return cleaned


def catalogue_label(product: Product, sku: SKU | None = None) -> str:
    """How a product or SKU is shown: its name (``Blue mug · Tee M`` for a SKU)."""
    return f"{product.name} · {sku.sku}" if sku else product.name


def find_catalogue_item(
    reference: str, *, picked: Picked | None = None
) -> tuple[Product | None, SKU | None]:
    """A SKU or product as picked from the suggestions, or by id, source ID or name (SKUs
    first: they are the more specific)."""
    text = reference.strip()
    if picked and picked.id:
        found = _catalogue_by_id(picked.id)
        if found and picked.stands_for(picked.id, catalogue_label(*found)):
            return found
    found = _catalogue_by_id(text)
    if found:
        return found
    product_name, _, sku_name = text.rpartition(" · ")
    skus = list(
        SKU.objects.select_related("product").filter(
            product__name__iexact=product_name, sku__iexact=sku_name
        )[:2]
    )
    if len(skus) == 1:
        return skus[0].product, skus[0]
    products = list(Product.objects.filter(name__iexact=text)[:2])
    if len(products) == 1:
        return products[0], None
    if skus or products:
        raise ValidationError(
            f"Several products are named '{text}'; pick one from the suggestions or type its id."
        )
    raise ValidationError(f"No product or SKU has the id, source ID or name '{text}'.")


def item_reference(item: OrderItem) -> Picked:
    """An order item's product or SKU as its Product or SKU input shows it."""
    if not item.product_id:
        return Picked(item.source_id)
    return Picked(catalogue_label(item.product, item.sku), item.sku_id or item.product_id)  # type: ignore[arg-type]  # product_id is set


def _catalogue_by_id(text: str) -> tuple[Product, SKU | None] | None:
    sku = SKU.objects.select_related("product").filter(Q(pk=text) | Q(source_id=text)).first()
    if sku:
        return sku.product, sku
    product = Product.objects.filter(Q(pk=text) | Q(source_id=text)).first()
    return (product, None) if product else None


class CatalogueReference(PickedField):
    """A product or SKU shown by name (id as secondary text); the form resolves it."""

    def label_of(self, value: Any) -> Picked:
        found = _catalogue_by_id(str(value))
        return Picked(catalogue_label(*found), str(value)) if found else Picked(str(value))


class ItemForm(forms.Form):
    """One cart line: a catalogue product or SKU, quantity, price and item discount."""

    reference = CatalogueReference(
        label="Product or SKU", help_text="Name, id or source ID of a product or SKU."
    )
    quantity = forms.IntegerField(
        label="Quantity",
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        error_messages={"max_value": QUANTITY_TOO_LARGE},
    )
    price = MoneyField(label="Price", required=True)
    discount_amount = MoneyField(label="Discount")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A cart row has no visible labels of its own: each input names its column and row.
        row = self.prefix.rpartition("-")[2] if self.prefix else ""
        if row.isdigit():
            for field in self.fields.values():
                if field.label and not field.widget.is_hidden:
                    field.widget.attrs["aria-label"] = f"{field.label} of item {int(row) + 1}"

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean() returns
        picked = cleaned.get("reference")
        if picked:
            try:
                cleaned["product"], cleaned["sku"] = find_catalogue_item(picked.text, picked=picked)
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


def with_empty_row(data: QueryDict, prefix: str) -> QueryDict:
    """The posted cart with one blank row more, unless a row is blank already (or the cart
    is full): Calculate offers a row for the next item, as Save's next page would."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS") or 0)
    except ValueError:
        return data  # the formset's management form reports it
    typed = ("reference", "reference_id", "price", "discount_amount")
    if total >= MAX_ITEMS or any(
        not any((data.get(f"{prefix}-{row}-{name}") or "").strip() for name in typed)
        for row in range(total)
    ):
        return data
    data = data.copy()
    data[f"{prefix}-{total}-quantity"] = "1"
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    return data


class BaseItemFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields and index is not None:
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Remove item {index + 1}"

    def item_forms(self) -> list[ItemForm]:
        """The rows that make the cart, in its order: ``items.N`` in a service's error is
        ``item_forms()[N - 1]`` (untouched and deleted rows are not items)."""
        return [
            form
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form)  # type: ignore[attr-defined]  # BaseFormSet's own
        ]

    def items(self) -> list[ItemData]:
        return [form.item_data() for form in self.item_forms()]


ItemFormSet = cast(
    type[BaseItemFormSet],
    forms.formset_factory(
        ItemForm,
        formset=BaseItemFormSet,
        extra=1,
        can_delete=True,
        max_num=MAX_ITEMS,
        validate_max=True,
        absolute_max=MAX_ITEMS + 1,
    ),
)
