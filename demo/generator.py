"""Reproducible demo data for ``seed_demo``: a catalogue, customers and orders as table rows.

Everything comes from one ``random.Random(seed)``, ids included, so the same seed and end
date always give byte-identical data. Rows are plain tuples in the column order of the bulk
loads' tables (``imports.writers``; items and events ``with_id``): cheap to build by
the million and ready for PostgreSQL's COPY. Amounts are never computed here:
``orders.totals.compute_totals`` computes them, ids come from ``core.ids`` and each order's
``created`` event from ``orders.events``, exactly as for an order made through the service.

Call the methods in order: ``catalogue()``, then consume ``customers()``, then ``orders()``;
each draws from the same random stream.
"""

import json
import random
from bisect import bisect, bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any, NamedTuple

from core import ids
from orders import events
from orders.models import OrderEvent, OrderItem, OrderStatus
from orders.totals import ItemInput, OrderTotals, compute_totals

from . import vocabulary as vocab

ACTOR_LABEL = "seed_demo"
HISTORY = timedelta(days=730)  # orders are spread over the two years before ``until``

# Plain strings, not enum members: rows go to the database driver as they are.
_PRODUCT = OrderItem.RelatedObject.PRODUCT.value
_SKU = OrderItem.RelatedObject.SKU.value
_CREATED = OrderEvent.Type.CREATED.value
_SYSTEM = OrderEvent.ActorType.SYSTEM.value
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE = 60_000_000  # microseconds
_DAY = 1440 * _MINUTE


@dataclass(frozen=True)
class DemoSpec:
    """What to generate: sizes, the seed, and the end of the two years of history."""

    orders: int
    customers: int
    referrers: int
    seed: int
    until: datetime  # aware, UTC; every order is created before it


class Sellable(NamedTuple):
    """What an order item can point to: a product without variants, or one SKU."""

    related_object: str
    product_id: str
    sku_id: str | None
    source_id: str
    price: int


class OrderRows(NamedTuple):
    order: tuple[Any, ...]
    items: list[tuple[Any, ...]]
    event: tuple[Any, ...]


class _Weighted:
    """Draws from ``values`` with the given weights, using one ``random()`` per draw."""

    def __init__(self, weights: dict[Any, int]) -> None:
        self.values = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def draw(self, rnd: random.Random) -> Any:
        return self.values[bisect(self.cumulative, rnd.random() * self.total)]


def _dt(microseconds: int) -> datetime:
    return _EPOCH + timedelta(microseconds=microseconds)


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


class DemoGenerator:
    """Turns a :class:`DemoSpec` into rows for every demo table, reproducibly."""

    def __init__(self, spec: DemoSpec) -> None:
        self.spec = spec
        self.rnd = random.Random(spec.seed)
        self.until_us = _us(spec.until)
        self.start_us = self.until_us - HISTORY // timedelta(microseconds=1)
        self.sellables: list[Sellable] = []
        # Filled while customers() runs; orders() picks customers that exist by then.
        self.customer_ids: list[str] = []
        self.customer_created_us: list[int] = []
        self.customer_locales: list[str] = []
        self._customers_done = False

        self._status = _Weighted(vocab.STATUS_WEIGHTS)
        self._item_count = _Weighted(vocab.ITEM_COUNT_WEIGHTS)
        self._quantity = _Weighted(vocab.QUANTITY_WEIGHTS)
        self._place = _Weighted(vocab.PLACE_WEIGHTS)
        self._payment = _Weighted(vocab.PAYMENT_METHOD_WEIGHTS)
        self._channel = _Weighted(vocab.CHANNEL_WEIGHTS)
        self._metadata_json: dict[tuple[str, str, str, str | None], str] = {}

    def new_id(self, prefix: str) -> str:
        """A ``core.ids`` id drawn from the seeded stream, so it is the same on every run."""
        return ids.new_id(prefix, self.rnd)

    # --- catalogue ------------------------------------------------------------------------

    def catalogue(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """About 200 products across categories; some come in 2–4 SKUs (sizes, colours...)."""
        rnd = self.rnd
        products: list[tuple[Any, ...]] = []
        skus: list[tuple[Any, ...]] = []
        names: set[str] = set()
        # The catalogue exists a few months before the first order.
        opened_us = self.start_us - 120 * _DAY
        for number in range(1, vocab.PRODUCT_COUNT + 1):
            category = vocab.CATEGORIES[int(rnd.random() * len(vocab.CATEGORIES))]
            name = ""
            while not name or name in names:
                adjective = vocab.ADJECTIVES[int(rnd.random() * len(vocab.ADJECTIVES))]
                noun = category.nouns[int(rnd.random() * len(category.nouns))]
                name = f"{adjective} {noun}"
            names.add(name)
            # Log-uniform between the category's bounds, ending in 99 like shop prices do.
            raw = category.low_price * (category.high_price / category.low_price) ** rnd.random()
            price = int(raw) // 100 * 100 + 99
            product_id = self.new_id(ids.PRODUCT)
            source_id = f"PROD-{number:04d}"
            brand = vocab.BRANDS[int(rnd.random() * len(vocab.BRANDS))]
            created = _dt(opened_us + int(rnd.random() * 30 * _DAY))
            metadata = json.dumps({"category": category.slug, "brand": brand})
            products.append((product_id, source_id, name, price, metadata, created, created))

            if rnd.random() >= vocab.PRODUCTS_WITH_SKUS:
                self.sellables.append(Sellable(_PRODUCT, product_id, None, source_id, price))
                continue
            count = min(2 + int(rnd.random() * 3), len(category.variants))
            chosen = sorted(rnd.sample(range(len(category.variants)), count))
            for variant_number, variant_index in enumerate(chosen, start=1):
                variant = category.variants[variant_index]
                sku_id = self.new_id(ids.SKU)
                sku_source_id = f"SKU-{number:04d}-{variant_number}"
                # Bigger variants cost a little more.
                sku_price = price + variant_index * 200
                sku_metadata = json.dumps({"variant": variant})
                skus.append(
                    (sku_id, product_id, sku_source_id, f"{name} / {variant}", sku_price,
                     sku_metadata, created, created)
                )  # fmt: skip
                self.sellables.append(Sellable(_SKU, product_id, sku_id, sku_source_id, sku_price))
        return products, skus

    # --- customers ------------------------------------------------------------------------

    def customers(self) -> Iterator[tuple[Any, ...]]:
        """Customer rows, oldest first; the first ``spec.referrers`` of them also refer orders.

        Purchase summaries start at zero; the loader computes them once the orders exist.
        """
        rnd = self.rnd
        count = self.spec.customers
        # Customers sign up from three months before the first order until the day before
        # ``until``, so an order can always pick a customer who existed at the time.
        first_us = self.start_us - 90 * _DAY
        span_us = self.until_us - _DAY - first_us
        slot_us = span_us // max(count, 1)
        for index in range(count):
            created_us = first_us + index * span_us // count + int(rnd.random() * slot_us)
            place = self._place.draw(rnd)
            first, first_ascii = vocab.FIRST_NAMES[int(rnd.random() * len(vocab.FIRST_NAMES))]
            last, last_ascii = vocab.LAST_NAMES[int(rnd.random() * len(vocab.LAST_NAMES))]
            domain = vocab.EMAIL_DOMAINS[int(rnd.random() * len(vocab.EMAIL_DOMAINS))]
            # The number keeps e-mails unique without a lookup.
            email = f"{first_ascii}.{last_ascii}{index + 1}@{domain}"
            phone = (
                f"{place.phone_prefix} {100 + int(rnd.random() * 900)} "
                f"{100 + int(rnd.random() * 900)} {100 + int(rnd.random() * 900)}"
            )
            street = place.streets[int(rnd.random() * len(place.streets))]
            house = 1 + int(rnd.random() * 240)
            # English-speaking places write the number first.
            line_1 = f"{house} {street}" if place.locale.startswith("en") else f"{street} {house}"
            line_2 = f"Apt {1 + int(rnd.random() * 60)}" if rnd.random() < 0.2 else ""
            description = ""
            if rnd.random() < 0.05:
                description = vocab.CUSTOMER_DESCRIPTIONS[
                    int(rnd.random() * len(vocab.CUSTOMER_DESCRIPTIONS))
                ]
            metadata = json.dumps(
                {
                    "segment": vocab.CUSTOMER_SEGMENTS[
                        int(rnd.random() * len(vocab.CUSTOMER_SEGMENTS))
                    ],
                    "newsletter": rnd.random() < 0.4,
                }
            )
            updated_us = min(created_us + int(rnd.random() * 30 * _DAY), self.until_us - 1)
            customer_id = self.new_id(ids.CUSTOMER)
            self.customer_ids.append(customer_id)
            self.customer_created_us.append(created_us)
            self.customer_locales.append(place.locale)
            yield (
                customer_id, f"CUST-{index + 1:06d}", f"{first} {last}", email, phone,
                description, line_1, line_2, place.city, place.state, place.postal_code,
                place.country, metadata, _dt(created_us), _dt(updated_us), 0, 0, None, None,
            )  # fmt: skip
        self._customers_done = True

    # --- orders ---------------------------------------------------------------------------

    def orders(self, *, first_item_id: int = 1, first_event_id: int = 1) -> Iterator[OrderRows]:
        """One :class:`OrderRows` per order, oldest first, with explicit item and event ids."""
        if not self._customers_done:
            raise RuntimeError("consume customers() before generating orders")
        count = self.spec.orders
        span_us = self.until_us - self.start_us
        slot_us = span_us // max(count, 1)
        item_id = first_item_id
        for index in range(count):
            # Strictly increasing: every order gets its own slot of the two years.
            created_us = self.start_us + index * span_us // count + int(self.rnd.random() * slot_us)
            rows = self._order(index, created_us, item_id, first_event_id + index)
            item_id += len(rows.items)
            yield rows

    def _order(self, index: int, created_us: int, item_id: int, event_id: int) -> OrderRows:
        rnd = self.rnd
        order_id = self.new_id(ids.ORDER)
        status = self._status.draw(rnd)
        customer_id, referrer_id, locale = self._people(created_us)

        inputs: list[ItemInput] = []
        lines: list[Sellable] = []
        amount: int | None = None
        if rnd.random() < vocab.TOTAL_ONLY or not self.sellables:
            amount = 100 * (5 + int(rnd.random() * 400))
        else:
            sellables = self.sellables
            for _ in range(self._item_count.draw(rnd)):
                # Squaring skews sales towards the first products: a few bestsellers.
                line = sellables[int(len(sellables) * rnd.random() ** 2)]
                quantity = self._quantity.draw(rnd)
                discount = 0
                if rnd.random() < vocab.ITEM_DISCOUNT:
                    percent = vocab.ITEM_DISCOUNT_PERCENTS[
                        int(rnd.random() * len(vocab.ITEM_DISCOUNT_PERCENTS))
                    ]
                    discount = line.price * quantity * percent // 100
                inputs.append(ItemInput(quantity, line.price, discount))
                lines.append(line)
        totals = compute_totals(inputs, amount=amount)

        coupon: str | None = None
        if rnd.random() < vocab.ORDER_DISCOUNT and totals.total_amount:
            which = int(rnd.random() * len(vocab.COUPONS))
            coupon = vocab.COUPONS[which]
            discount_amount = totals.total_amount * vocab.COUPON_PERCENTS[which] // 100
            totals = compute_totals(inputs, amount=amount, discount_amount=discount_amount)

        channel = self._channel.draw(rnd)
        payment = self._payment.draw(rnd)
        if payment == "Cash":
            channel = "store"  # cash is only taken at the till
        if locale is None:
            locale = vocab.LOCALES[int(rnd.random() * len(vocab.LOCALES))]
        metadata = self._order_metadata(payment, channel, locale, coupon)

        created_at = _dt(created_us)
        updated_at = _dt(self._updated_us(status, created_us))
        order = (
            order_id, f"ORD-{index + 1:07d}", status, totals.amount, totals.initial_amount,
            totals.discount_amount, totals.items_discount_amount, totals.total_discount_amount,
            totals.total_amount, totals.items_count, customer_id, referrer_id, metadata,
            created_at, updated_at, 1,
        )  # fmt: skip
        items = [
            (item_id + position, order_id, position, line.related_object, line.product_id,
             line.sku_id, line.source_id, item.quantity, item.price, item.amount,
             item.discount_amount, item.subtotal_amount, "{}")
            for position, (line, item) in enumerate(zip(lines, totals.items, strict=True))
        ]  # fmt: skip
        event = (
            event_id, order_id, _CREATED, _SYSTEM, None, ACTOR_LABEL,
            self._created_changes(status, totals, customer_id, referrer_id), 1, created_at,
        )  # fmt: skip
        return OrderRows(order, items, event)

    def _people(self, created_us: int) -> tuple[str | None, str | None, str | None]:
        """The order's customer and referrer (both among customers who existed by then)."""
        rnd = self.rnd
        existing = bisect_left(self.customer_created_us, created_us)
        customer: int | None = None
        customer_id = referrer_id = locale = None
        if existing and rnd.random() < vocab.WITH_CUSTOMER:
            customer = int(rnd.random() * existing)
            customer_id = self.customer_ids[customer]
            # Most people shop in their own language.
            if rnd.random() < 0.9:
                locale = self.customer_locales[customer]
        referrers = min(self.spec.referrers, existing)
        if referrers and rnd.random() < vocab.WITH_REFERRER:
            picked = int(rnd.random() * referrers)
            referrer: int | None = picked
            if picked == customer:
                # Nobody refers themselves; take the neighbour, or nobody.
                referrer = (picked + 1) % referrers if referrers > 1 else None
            if referrer is not None:
                referrer_id = self.customer_ids[referrer]
        return customer_id, referrer_id, locale

    def _updated_us(self, status: str, created_us: int) -> int:
        """When the order last changed: paying, shipping or cancelling comes after creation."""
        rnd = self.rnd
        if status == OrderStatus.CREATED:
            return created_us
        if status == OrderStatus.PAID:
            delay = _MINUTE + int(rnd.random() * 120 * _MINUTE)
        elif status == OrderStatus.FULFILLED:
            delay = _DAY + int(rnd.random() * 9 * _DAY)
        else:
            delay = 10 * _MINUTE + int(rnd.random() * 3 * _DAY)
        # Never after ``until``, never before creation.
        return max(created_us, min(created_us + delay, self.until_us - 1))

    def _order_metadata(self, payment: str, channel: str, locale: str, coupon: str | None) -> str:
        # A few hundred combinations cover a million orders: serialise each once.
        key = (payment, channel, locale, coupon)
        cached = self._metadata_json.get(key)
        if cached is None:
            metadata = {"payment_method": payment, "channel": channel, "locale": locale}
            if coupon:
                metadata["coupon"] = coupon
            cached = self._metadata_json[key] = json.dumps(metadata)
        return cached

    @staticmethod
    def _created_changes(
        status: str, totals: OrderTotals, customer_id: str | None, referrer_id: str | None
    ) -> str:
        values = {
            "status": status,
            "amount": totals.amount,
            "total_amount": totals.total_amount,
            "items_count": totals.items_count,
            "customer_id": customer_id,
            "referrer_id": referrer_id,
        }
        return json.dumps(events.created_changes(values))
