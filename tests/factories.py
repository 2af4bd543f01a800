"""factory-boy factories. Orders are built through ``orders.services`` (see ``make_order``)."""

from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from catalog.models import SKU, Product
from core.roles import ensure_marketing_group
from customers.models import Customer
from orders.actors import Actor
from orders.models import Order
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
    @factory.post_generation
    def groups(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if create:
            self.groups.add(ensure_marketing_group(Group, Permission))


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


def make_order(
    *, items: int | list[ItemData] = 2, actor: Actor | None = None, **fields: Any
) -> Order:
    """An order made the only way orders are made: through the service.

    ``items`` is a cart (a list of ``ItemData``) or a number of generated lines
    (line n: quantity n, price n × 10.00). Given an ``amount`` and no cart, or ``items=0``,
    the order is a total-only order (of 50.00 unless ``amount`` says otherwise).
    """
    if isinstance(items, int) and "amount" in fields:
        items = []
    elif isinstance(items, int):
        items = [
            ItemData(quantity=index + 1, price=1000 * (index + 1), product=ProductFactory())
            for index in range(items)
        ]
    if not items and "amount" not in fields:
        fields["amount"] = 5000
    return create_order(actor=actor or Actor.system("tests"), items=items, **fields)
