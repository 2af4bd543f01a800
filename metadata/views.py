"""Project settings › Metadata schemas: the properties of each object's schema, and the
forms that add, change and (soft) delete them. Writes go through ``metadata.services``."""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.views import DashboardView

from .models import MetadataProperty, MetadataSchema
from .schema_forms import MetadataPropertyForm
from .services import (
    TypeChangeNeedsConfirmation,
    delete_property,
    restore_property,
    save_property,
    schema_for,
    set_allow_defined_only,
)

LIST_URL = "settings:metadata-schemas"


class MetadataSchemaListView(DashboardView):
    """One section per object (Order, Customer, Order item), stored or not yet."""

    permission_required = "metadata.view_metadataschema"
    template_name = "metadata/metadataschema_list.html"
    nav = "settings"
    title = "Metadata schemas"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        stored = {
            schema.related_object: schema
            for schema in MetadataSchema.objects.prefetch_related("properties")
        }
        sections = []
        for value, label in MetadataSchema.RelatedObject.choices:
            schema = stored.get(value)
            properties = (
                sorted(schema.properties.all(), key=lambda p: (p.deleted, p.name)) if schema else []
            )
            sections.append(
                {"object": value, "label": label, "schema": schema, "props": properties}
            )
        return super().get_context_data(sections=sections, **kwargs)


class MetadataPropertyFormView(DashboardView):
    """Add a property to an object's schema, or change one (with the type-change warning)."""

    template_name = "metadata/metadataproperty_form.html"
    nav = "settings"

    def get_permission_required(self) -> tuple[str, ...]:
        if "pk" in self.kwargs:
            return ("metadata.view_metadataschema", "metadata.change_metadataproperty")
        return (
            "metadata.view_metadataschema",
            "metadata.change_metadataschema",
            "metadata.add_metadataproperty",
        )

    def get_target(self) -> tuple[str, MetadataProperty | None]:
        if "pk" in self.kwargs:
            prop = get_object_or_404(
                MetadataProperty.objects.select_related("schema"), pk=self.kwargs["pk"]
            )
            return prop.schema.related_object, prop
        related_object = self.kwargs["related_object"]
        if related_object not in MetadataSchema.RelatedObject.values:
            raise Http404("no such object")
        return related_object, None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        related_object, prop = self.get_target()
        return self._render(MetadataPropertyForm(instance=prop), related_object, prop)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        related_object, prop = self.get_target()
        # The form gets its own copy: validating a ModelForm writes the input onto its
        # instance, and ``prop`` must stay as stored for the service to compare against.
        copy = MetadataProperty.objects.get(pk=prop.pk) if prop else None
        form = MetadataPropertyForm(request.POST, instance=copy)
        warning = None
        if form.is_valid():
            try:
                saved = save_property(
                    schema_for(related_object),
                    form.property_fields(),
                    prop=prop,
                    confirmed=form.cleaned_data["confirm_type_change"],
                )
            except TypeChangeNeedsConfirmation as needs:
                warning = needs
                data = cast(QueryDict, form.data).copy()  # bound to the request's POST
                data["confirm_type_change"] = "True"
                form.data = data
            except ValidationError as error:
                for field, problems in error.update_error_dict({}).items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, f"Property {saved.name} saved.")
                return HttpResponseRedirect(reverse(LIST_URL))
        return self._render(form, related_object, prop, warning=warning, status=400)

    def _render(
        self,
        form: MetadataPropertyForm,
        related_object: str,
        prop: MetadataProperty | None,
        *,
        warning: TypeChangeNeedsConfirmation | None = None,
        status: int = 200,
    ) -> HttpResponse:
        label = MetadataSchema.RelatedObject(related_object).label
        noun = label.lower()
        article = "an" if noun[0] in "aeiou" else "a"
        title = f"Edit {prop.name}" if prop else f"Add {article} {noun} property"
        context = self.get_context_data(
            form=form, prop=prop, object_label=label, warning=warning, title=title
        )
        return self.render_to_response(context, status=status)


@login_required
@permission_required(
    ("metadata.view_metadataschema", "metadata.delete_metadataproperty"), raise_exception=True
)
@require_POST
def property_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Soft-delete a property (``?restore=1`` restores it)."""
    prop = get_object_or_404(MetadataProperty, pk=pk)
    if request.POST.get("restore"):
        restore_property(prop)
        messages.success(request, f"Property {prop.name} restored.")
    else:
        delete_property(prop)
        messages.success(request, f"Property {prop.name} deleted; stored values stay readable.")
    return HttpResponseRedirect(reverse(LIST_URL))


@login_required
@permission_required(
    ("metadata.view_metadataschema", "metadata.change_metadataschema"), raise_exception=True
)
@require_POST
def toggle_defined_only(request: HttpRequest, related_object: str) -> HttpResponse:
    """Turn "allow defined properties only" on or off for an object's schema."""
    if related_object not in MetadataSchema.RelatedObject.values:
        raise Http404("no such object")
    schema = set_allow_defined_only(related_object, request.POST.get("value") == "on")
    state = "only defined properties" if schema.allow_defined_only else "unknown properties too"
    messages.success(request, f"{schema} now accepts {state}.")
    return HttpResponseRedirect(reverse(LIST_URL))
