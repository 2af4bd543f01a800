"""Campaign hub › Orders › Create order: a six-step wizard.

A formtools ``SessionWizardView`` whose storage is the user's ``WizardDraft``: what was typed
is kept per user until Save or Cancel, and opening the wizard again resumes it. Steps are
plain forms (it works without JavaScript); htmx only swaps the step's body for the in-step
actions (add or remove an item, Calculate, add a metadata property) and fetches the
type-ahead suggestions (``orders.views.lookups``).

In-step actions are POSTs with ``wizard_action``; they re-render the current step from the
posted data and never move on. Back / Edit post ``wizard_goto_step`` and keep what was typed
on the step being left. Save runs ``orders.order_entry.save_new_order``: one transaction, and
the wizard's idempotency key makes a second Save return the first one's order.
"""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from formtools.wizard.views import SessionWizardView

from core.auth import signed_in
from core.views import DashboardView
from metadata.validation import describe_properties

from ..actors import Actor
from ..models import MAX_ITEMS, Order
from ..order_entry import (
    NewProperty,
    OrderDraft,
    check_new_property,
    may_add_to_schema,
    new_creation_key,
    save_new_order,
    schema_after_save,
)
from ..wizard_forms import DetailsForm, ItemsStepForm, PartyForm, SummaryForm
from ..wizard_metadata import MetadataStepForm
from .order_create_summary import summary_context

STEPS = [
    ("details", "Details", DetailsForm),
    ("items", "Items", ItemsStepForm),
    ("customer", "Customer", PartyForm),
    ("referrer", "Referrer", PartyForm),
    ("metadata", "Metadata", MetadataStepForm),
    ("summary", "Summary", SummaryForm),
]
STEP_LABELS = {name: label for name, label, _ in STEPS}


def _add_row(data: QueryDict, prefix: str) -> QueryDict:
    total = int(data.get(f"{prefix}-TOTAL_FORMS") or 0)
    if total > MAX_ITEMS:
        return data
    # A bound row shows its data, not the form's initial values: start it at quantity 1.
    data[f"{prefix}-{total}-quantity"] = "1"
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    return data


def _remove_row(data: QueryDict, prefix: str, index: int) -> QueryDict:
    """The formset's data without row ``index``: the rows after it move up one place."""
    total = int(data.get(f"{prefix}-TOTAL_FORMS") or 0)
    if not 0 <= index < total:
        return data
    rows = []
    for row in range(total):
        head = f"{prefix}-{row}-"
        rows.append({key[len(head) :]: data.getlist(key) for key in data if key.startswith(head)})
        for key in [key for key in data if key.startswith(head)]:
            del data[key]
    del rows[index]
    for row, fields in enumerate(rows):
        for name, values in fields.items():
            data.setlist(f"{prefix}-{row}-{name}", values)
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    return data


def error_summary(form: forms.BaseForm) -> list[dict[str, object]]:
    """Every message of a step, each with the input it is about (``id``, blank when it is
    about the whole step) and that input's name: the list atop the step that takes focus."""
    entries: list[dict[str, object]] = []

    def add(bound: forms.BaseForm, suffix: str = "") -> None:
        for name, problems in bound.errors.items():
            field = bound[name] if name in bound.fields else None
            for message in problems:
                entries.append(
                    {
                        "id": field.id_for_label if field else "",
                        "label": f"{field.label}{suffix}" if field else "",
                        "message": message,
                    }
                )

    add(form)
    rows = getattr(form, "rows", None)
    if rows is not None:
        entries += [{"id": "items", "label": "", "message": m} for m in rows.non_form_errors()]
        for number, row in enumerate(rows.forms, start=1):
            add(row, f" of item {number}")
    return entries


class OrderCreateView(DashboardView, SessionWizardView):
    """The Create order wizard (``orders.add_order``; anonymous users go to the login page)."""

    permission_required = "orders.add_order"
    template_name = "orders/order_wizard.html"
    # Per user in the database until Save or Cancel, not in the session (orders.wizard_storage).
    storage_name = "orders.wizard_storage.DraftStorage"
    nav = "orders"
    title = "Create order"
    form_list = [(name, form) for name, _, form in STEPS]

    # Set by an in-step action: the step is re-rendered, its errors shown only if wanted.
    quiet = False
    partial = False

    # --- requests -------------------------------------------------------------------------

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The user's draft at the step they left it, or a new wizard: empty, at Details,
        with a fresh idempotency key."""
        step = self.storage.current_step
        if self.storage.has_entries() and step in self.get_form_list():
            self.quiet = True  # what was left half-typed is not scolded on return
            form = self.get_form(
                step=step,
                data=self.storage.get_step_data(step),
                files=self.storage.get_step_files(step),
            )
            return self.render(form, resumed=True)
        self.storage.reset()
        self.storage.current_step = self.steps.first
        self.storage.extra_data = {"creation_key": new_creation_key(), "new_properties": []}
        return self.render(self.get_form())

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        post = self.request.POST
        if "wizard_cancel" in post:
            self.storage.reset()
            messages.info(self.request, "The new order was discarded.")
            return HttpResponseRedirect(reverse("orders:list"))
        saved = self._already_saved(post.get("summary-creation_key", ""))
        if saved is not None:
            # A second Save of a wizard that was saved (double click, reload): no new order.
            messages.info(self.request, f"Order {saved.pk} was already saved.")
            return HttpResponseRedirect(saved.get_absolute_url())
        if not self.storage.current_step:
            # The session ended (or was cleared) under the wizard: start again, say so.
            messages.warning(self.request, "The wizard had expired; please start again.")
            return HttpResponseRedirect(reverse("orders:create"))
        posted_step = post.get(f"{self.prefix}-current_step")
        on_current_step = posted_step == self.steps.current
        goto = post.get("wizard_goto_step")
        if goto in self.get_form_list() and on_current_step and self.steps.current != "summary":
            # Back / Edit keep what was typed on the step being left, valid or not yet.
            self.storage.set_step_data(self.steps.current, post)
        action = post.get("wizard_action", "")
        if action and on_current_step and not goto:
            return self.render_action(action)
        return super().post(*args, **kwargs)

    def _already_saved(self, key: str) -> Order | None:
        return Order.objects.filter(creation_key=key).first() if key else None

    def render_action(self, action: str) -> HttpResponse:
        """Carry out an in-step action and show the same step again."""
        step = self.steps.current
        data = self.request.POST.copy()
        extra: dict[str, Any] = {}
        self.quiet = True
        if step == "items":
            rows = "items-rows"
            if action == "add_item":
                data = _add_row(data, rows)
            elif action.startswith("remove_item:"):
                data = _remove_row(data, rows, int(action.partition(":")[2] or -1))
            elif action == "calculate":
                self.quiet = False
        elif step == "metadata":
            if action == "add_unknown":
                data.appendlist("metadata-unknown_key", "")
                data.appendlist("metadata-unknown_value", "")
            elif action == "add_property":
                data, extra["add_errors"] = self._add_property(data)
            elif action.startswith("remove_property:"):
                name = action.partition(":")[2]
                self._set_new_properties([p for p in self._new_properties() if p.name != name])
        self.partial = bool(self.request.htmx)
        # Kept as typed, like Back does, so the draft resumes with it too.
        self.storage.set_step_data(step, data)
        form = self.get_form(data=data)
        if not self.quiet:
            form.is_valid()
        return self.render(form, action=action, **extra)

    def _add_property(self, data: QueryDict) -> tuple[QueryDict, list[str]]:
        if not may_add_to_schema(self.request.user):
            return data, [
                "You may not add properties to the order metadata schema; "
                "add the value as an unknown property, or ask an operator."
            ]
        prop = NewProperty(
            name=(data.get("metadata-add_name") or "").strip(),
            type=data.get("metadata-add_type") or "string",
            required=bool(data.get("metadata-add_required")),
            array=bool(data.get("metadata-add_array")),
        )
        pending = self._new_properties()
        try:
            check_new_property(prop, pending=pending)
        except ValidationError as error:
            return data, error.messages
        self._set_new_properties([*pending, prop])
        for name in MetadataStepForm.ADD_FIELDS:
            data.pop(f"metadata-{name}", None)
        return data, []

    def _new_properties(self) -> list[NewProperty]:
        return [NewProperty.from_dict(p) for p in self.storage.extra_data.get("new_properties", [])]

    def _set_new_properties(self, properties: list[NewProperty]) -> None:
        extra = dict(self.storage.extra_data)
        extra["new_properties"] = [p.as_dict() for p in properties]
        self.storage.extra_data = extra

    # --- forms ----------------------------------------------------------------------------

    def get_form_kwargs(self, step: str | None = None) -> dict[str, Any]:
        if step in ("customer", "referrer"):
            return {"can_create": self.request.user.has_perm("customers.add_customer")}
        if step == "metadata":
            new_properties = self._new_properties()
            schema = schema_after_save(new_properties)
            return {
                "schema": schema,
                "properties": describe_properties("order", schema=schema),
                "pending": tuple(sorted(p.name for p in new_properties)),
            }
        return {}

    def get_form_initial(self, step: str) -> dict[str, Any]:
        if step == "summary":
            return {"creation_key": self.storage.extra_data.get("creation_key", "")}
        return super().get_form_initial(step)

    def process_step(self, form: Any) -> Any:
        data = super().process_step(form)
        role = self.steps.current
        if role in ("customer", "referrer") and form.cleaned_data.get("use_existing"):
            # "Use them": store the choice as if it had been picked, without the new fields.
            data = data.copy()
            customer = form.cleaned_data["customer"]
            for name in (*PartyForm.NEW_FIELDS, "use_existing", "same_email_ok"):
                data.pop(f"{role}-{name}", None)
            data[f"{role}-existing"], data[f"{role}-existing_id"] = str(customer), customer.pk
        return data

    # --- pages ----------------------------------------------------------------------------

    def get_template_names(self) -> list[str]:
        if self.partial:
            return [f"{self.template_name}#step-body"]
        return [self.template_name]

    def get_context_data(self, form: Any, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]  # WizardView's
        context = super().get_context_data(form=form, **kwargs)
        current = self.steps.current
        names = list(self.get_form_list())
        index = names.index(current)
        context.update(
            step_bar=[
                {
                    "name": name,
                    "label": STEP_LABELS[name],
                    "number": number,
                    "done": number <= index,
                    "current": name == current,
                }
                for number, name in enumerate(names, start=1)
            ],
            step=current,
            step_label=STEP_LABELS[current],
            quiet=self.quiet,
            error_summary=[] if self.quiet or not form.is_bound else error_summary(form),
            may_add_to_schema=may_add_to_schema(self.request.user),
            may_create_customers=self.request.user.has_perm("customers.add_customer"),
        )
        if current == "summary":
            context.update(summary_context(self._draft_or_none(), self._new_properties()))
        return context

    def _cleaned(self, step: str) -> dict[str, Any] | None:
        return self.get_cleaned_data_for_step(step)

    def _draft_or_none(self) -> OrderDraft | None:
        steps = {name: self._cleaned(name) for name in list(self.get_form_list())[:-1]}
        if any(data is None for data in steps.values()):
            return None
        return self.build_draft(cast(dict[str, dict[str, Any]], steps))  # none is None

    def build_draft(self, steps: dict[str, dict[str, Any]]) -> OrderDraft:
        details, items = steps["details"], steps["items"]
        return OrderDraft(
            source_id=details["source_id"],
            status=details["status"],
            lines=items.get("lines") or [],
            amount=items.get("amount"),
            customer=steps["customer"]["customer"],
            new_customer=steps["customer"]["new"],
            referrer=steps["referrer"]["customer"],
            new_referrer=steps["referrer"]["new"],
            metadata=steps["metadata"]["metadata"],
            new_properties=self._new_properties(),
        )

    # --- Save -----------------------------------------------------------------------------

    def render_done(self, form: Any, **kwargs: Any) -> HttpResponse:
        """Re-validate every step, then save; the wizard is cleared only once saved, so a
        failed Save shows the Summary again with the reason and everything still there."""
        final_forms = {}
        for step in self.get_form_list():
            step_form = self.get_form(
                step=step,
                data=self.storage.get_step_data(step),
                files=self.storage.get_step_files(step),
            )
            if not step_form.is_valid():
                return self.render_revalidation_failure(step, step_form, **kwargs)
            final_forms[step] = step_form
        try:
            response = self.done(list(final_forms.values()), form_dict=final_forms, **kwargs)
        except ValidationError as error:
            self.storage.current_step = "summary"
            return self.render(form, save_errors=error.messages)
        self.storage.reset()
        return response

    def done(self, form_list: list[Any], **kwargs: Any) -> HttpResponse:
        forms = kwargs["form_dict"]
        if self._new_properties() and not may_add_to_schema(self.request.user):
            raise ValidationError("You may not add properties to the order metadata schema.")
        draft = self.build_draft({name: form.cleaned_data for name, form in forms.items()})
        key = self.storage.extra_data.get("creation_key") or forms["summary"].cleaned_data.get(
            "creation_key"
        )
        order, created = save_new_order(
            draft,
            actor=Actor.for_user(signed_in(self.request)),
            creation_key=key or new_creation_key(),
        )
        if created:
            messages.success(self.request, f"Order {order.pk} created.")
        else:
            messages.info(self.request, f"Order {order.pk} was already saved.")
        return HttpResponseRedirect(order.get_absolute_url())
