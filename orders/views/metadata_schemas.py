"""Project settings › Metadata schemas."""

from django.db.models import Prefetch, QuerySet

from core.views import DashboardView

from ..models import MetadataProperty, MetadataSchema


class MetadataSchemaListView(DashboardView):
    """Project settings › Metadata schemas, read-only."""

    permission_required = "orders.view_metadataschema"
    template_name = "orders/metadataschema_list.html"
    nav = "settings"
    section = "Project settings"
    title = "Metadata schemas"

    def get_schemas(self) -> QuerySet[MetadataSchema]:
        properties = MetadataProperty.objects.order_by("deleted", "name")
        return MetadataSchema.objects.prefetch_related(Prefetch("properties", properties))

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        return super().get_context_data(schemas=self.get_schemas(), **kwargs)
