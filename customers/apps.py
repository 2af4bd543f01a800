from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"

    def ready(self) -> None:
        from metadata.models import MetadataSchema
        from metadata.services import register_holder

        from .models import Customer

        register_holder(MetadataSchema.RelatedObject.CUSTOMER, Customer)
