"""factory-boy factories. Orders are built through ``orders.services`` (see ``make_order``)."""

from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.roles import MARKETING_GROUP
from customers.models import Customer
from orders.actors import Actor
from orders.models import SKU, Order, Product
from orders.services import ItemData, create_order


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("secret-pass-123")

    @factory.post_generation
    def groups(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))


class MarketingUserFactory(UserFactory):
    groups = factory.PostGeneration(
        lambda user, create, extracted, **kw: (
            create and user.groups.add(Group.objects.get(name=MARKETING_GROUP))
        )
    )


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    source_id = factory.Sequence(lambda n: f"cust-src-{n}")
    name = factory.Faker("name")
    email = factory.Faker("email")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    source_id = factory.Sequence(lambda n: f"prod-src-{n}")
    name = factory.Faker("word")
    price = 1000


class SKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SKU

    product = factory.SubFactory(ProductFactory)
    source_id = factory.Sequence(lambda n: f"sku-src-{n}")
    sku = factory.Faker("word")
    price = 1500


def make_order(*, items: int = 2, actor: Actor | None = None, **fields: Any) -> Order:
    """An order made the only way orders are made: through the service."""
    if "items" not in fields and "amount" not in fields and items:
        fields["items"] = [
            ItemData(quantity=index + 1, price=1000 * (index + 1), product=ProductFactory())
            for index in range(items)
        ]
    elif "amount" not in fields and "items" not in fields:
        fields["amount"] = 5000
    return create_order(actor=actor or Actor.system("tests"), **fields)
