"""What ``seed_demo``'s data looks like: the shares of statuses, items, discounts..., and
the vocabulary it draws from (places, names, products, metadata values).

Plain constants only; ``demo.generator`` does the drawing. Changing anything here changes what a
given ``--seed`` produces, so keep the order of entries stable.
"""

from typing import NamedTuple

from orders.models import OrderStatus

# Shares of the generated data.
STATUS_WEIGHTS = {
    OrderStatus.PAID.value: 55,
    OrderStatus.CREATED.value: 20,
    OrderStatus.FULFILLED.value: 15,
    OrderStatus.CANCELED.value: 10,
}
ITEM_COUNT_WEIGHTS = {1: 26, 2: 22, 3: 16, 4: 12, 5: 9, 6: 6, 7: 5, 8: 4}  # items per order
QUANTITY_WEIGHTS = {1: 60, 2: 22, 3: 9, 4: 5, 5: 4}
ITEM_DISCOUNT_PERCENTS = (5, 10, 15, 20, 30)
WITH_CUSTOMER = 0.70
WITH_REFERRER = 0.10
TOTAL_ONLY = 0.03  # orders that carry only a total amount, no items
ITEM_DISCOUNT = 0.12
ORDER_DISCOUNT = 0.15
PRODUCT_COUNT = 200
PRODUCTS_WITH_SKUS = 0.30


class Place(NamedTuple):
    city: str
    state: str
    country: str
    postal_code: str  # a real-looking code for the city; the generator does not vary it
    phone_prefix: str
    locale: str
    streets: tuple[str, ...]


PLACES: tuple[Place, ...] = (
    Place("New York", "NY", "United States", "10001", "+1", "en-US", ("Broadway", "5th Avenue", "Lexington Avenue")),  # noqa: E501
    Place("Chicago", "IL", "United States", "60601", "+1", "en-US", ("Michigan Avenue", "State Street", "Clark Street")),  # noqa: E501
    Place("Austin", "TX", "United States", "73301", "+1", "en-US", ("Congress Avenue", "Lamar Boulevard", "6th Street")),  # noqa: E501
    Place("Seattle", "WA", "United States", "98101", "+1", "en-US", ("Pike Street", "Pine Street", "1st Avenue")),  # noqa: E501
    Place("San Francisco", "CA", "United States", "94103", "+1", "en-US", ("Market Street", "Valencia Street", "Mission Street")),  # noqa: E501
    Place("Toronto", "ON", "Canada", "M5H 2N2", "+1", "en-CA", ("Queen Street West", "King Street", "Yonge Street")),  # noqa: E501
    Place("London", "", "United Kingdom", "EC1A 1BB", "+44", "en-GB", ("Baker Street", "Oxford Street", "Camden High Street")),  # noqa: E501
    Place("Manchester", "", "United Kingdom", "M1 1AE", "+44", "en-GB", ("Deansgate", "Market Street", "Oldham Street")),  # noqa: E501
    Place("Warszawa", "", "Poland", "00-001", "+48", "pl-PL", ("ul. Marszałkowska", "ul. Nowy Świat", "ul. Puławska")),  # noqa: E501
    Place("Kraków", "", "Poland", "30-001", "+48", "pl-PL", ("ul. Floriańska", "ul. Długa", "ul. Karmelicka")),  # noqa: E501
    Place("Wrocław", "", "Poland", "50-001", "+48", "pl-PL", ("ul. Świdnicka", "ul. Oławska", "ul. Legnicka")),  # noqa: E501
    Place("Berlin", "", "Germany", "10115", "+49", "de-DE", ("Friedrichstraße", "Torstraße", "Kastanienallee")),  # noqa: E501
    Place("München", "", "Germany", "80331", "+49", "de-DE", ("Leopoldstraße", "Sendlinger Straße", "Maximilianstraße")),  # noqa: E501
    Place("Paris", "", "France", "75001", "+33", "fr-FR", ("Rue de Rivoli", "Rue Oberkampf", "Boulevard Voltaire")),  # noqa: E501
    Place("Lyon", "", "France", "69001", "+33", "fr-FR", ("Rue de la République", "Rue Mercière", "Cours Lafayette")),  # noqa: E501
    Place("Madrid", "", "Spain", "28001", "+34", "es-ES", ("Gran Vía", "Calle de Alcalá", "Calle Mayor")),  # noqa: E501
    Place("Milano", "", "Italy", "20121", "+39", "it-IT", ("Via Torino", "Corso Buenos Aires", "Via Dante")),  # noqa: E501
    Place("Amsterdam", "", "Netherlands", "1012 AB", "+31", "nl-NL", ("Damrak", "Prinsengracht", "Kalverstraat")),  # noqa: E501
)  # fmt: skip

# Weights of PLACES above: most demo customers live in the US, Poland and Germany.
PLACE_WEIGHTS = dict(
    zip(PLACES, (9, 6, 4, 4, 5, 4, 6, 3, 7, 4, 3, 6, 3, 4, 2, 3, 3, 2), strict=True)
)

# Locales an order may carry (metadata.locale); a customer's place usually decides it.
LOCALES: tuple[str, ...] = (
    "en-US", "en-CA", "en-GB", "pl-PL", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL",
)  # fmt: skip

# (display name, ASCII form for e-mail addresses)
FIRST_NAMES: tuple[tuple[str, str], ...] = (
    ("Emma", "emma"), ("Olivia", "olivia"), ("Ava", "ava"), ("Sophia", "sophia"),
    ("Mia", "mia"), ("Charlotte", "charlotte"), ("Amelia", "amelia"), ("Harper", "harper"),
    ("Liam", "liam"), ("Noah", "noah"), ("Oliver", "oliver"), ("Elijah", "elijah"),
    ("James", "james"), ("William", "william"), ("Lucas", "lucas"), ("Henry", "henry"),
    ("Zofia", "zofia"), ("Zuzanna", "zuzanna"), ("Łucja", "lucja"), ("Małgorzata", "malgorzata"),
    ("Jakub", "jakub"), ("Mikołaj", "mikolaj"), ("Wojciech", "wojciech"), ("Paweł", "pawel"),
    ("Hannah", "hannah"), ("Lena", "lena"), ("Jürgen", "juergen"), ("Lukas", "lukas"),
    ("Léa", "lea"), ("Chloé", "chloe"), ("Hugo", "hugo"), ("Théo", "theo"),
    ("Lucía", "lucia"), ("Martina", "martina"), ("Mateo", "mateo"), ("Álvaro", "alvaro"),
    ("Giulia", "giulia"), ("Francesca", "francesca"), ("Lorenzo", "lorenzo"), ("Marco", "marco"),
    ("Sanne", "sanne"), ("Daan", "daan"), ("Aisha", "aisha"), ("Priya", "priya"),
    ("Wei", "wei"), ("Yuki", "yuki"), ("Omar", "omar"), ("Mateusz", "mateusz"),
)  # fmt: skip

LAST_NAMES: tuple[tuple[str, str], ...] = (
    ("Smith", "smith"), ("Johnson", "johnson"), ("Williams", "williams"), ("Brown", "brown"),
    ("Jones", "jones"), ("Garcia", "garcia"), ("Miller", "miller"), ("Davis", "davis"),
    ("Wilson", "wilson"), ("Taylor", "taylor"), ("Anderson", "anderson"), ("Thomas", "thomas"),
    ("Nowak", "nowak"), ("Kowalski", "kowalski"), ("Wiśniewski", "wisniewski"),
    ("Wójcik", "wojcik"), ("Kamińska", "kaminska"), ("Lewandowska", "lewandowska"),
    ("Zieliński", "zielinski"), ("Szymańska", "szymanska"), ("Müller", "mueller"),
    ("Schmidt", "schmidt"), ("Schneider", "schneider"), ("Fischer", "fischer"),
    ("Weber", "weber"), ("Becker", "becker"), ("Martin", "martin"), ("Bernard", "bernard"),
    ("Dubois", "dubois"), ("Lefèvre", "lefevre"), ("García", "garcia"), ("Fernández", "fernandez"),
    ("López", "lopez"), ("Rossi", "rossi"), ("Russo", "russo"), ("Ferrari", "ferrari"),
    ("de Vries", "devries"), ("Jansen", "jansen"), ("Bakker", "bakker"), ("Patel", "patel"),
    ("Chen", "chen"), ("Tanaka", "tanaka"), ("Khan", "khan"), ("O'Brien", "obrien"),
)  # fmt: skip

EMAIL_DOMAINS: tuple[str, ...] = (
    "example.com", "example.org", "example.net", "mail.example.com", "shop.example.org",
)  # fmt: skip

CUSTOMER_SEGMENTS: tuple[str, ...] = ("new", "returning", "loyal", "vip", "wholesale")
CUSTOMER_DESCRIPTIONS: tuple[str, ...] = (
    "Prefers delivery after 5 pm.",
    "Joined through the spring newsletter.",
    "Asked for paper invoices.",
    "Wholesale buyer, net-30 terms.",
    "Met at the trade fair.",
)


class Category(NamedTuple):
    slug: str
    nouns: tuple[str, ...]
    low_price: int  # minor units
    high_price: int
    variants: tuple[str, ...]  # the SKU variants a product of this category may come in


CATEGORIES: tuple[Category, ...] = (
    Category("apparel", ("T-Shirt", "Hoodie", "Jacket", "Jeans", "Scarf", "Sweater", "Cap"), 1500, 12000, ("XS", "S", "M", "L", "XL")),  # noqa: E501
    Category("footwear", ("Sneakers", "Running Shoes", "Boots", "Sandals", "Loafers"), 3500, 18000, ("38", "40", "42", "44", "46")),  # noqa: E501
    Category("electronics", ("Headphones", "Speaker", "Charger", "Smartwatch", "Keyboard", "Mouse", "Power Bank"), 1900, 39900, ("Black", "White", "Silver", "Blue")),  # noqa: E501
    Category("home", ("Mug", "Candle", "Throw Blanket", "Lamp", "Cushion", "Vase", "Kettle"), 900, 14900, ("Small", "Medium", "Large")),  # noqa: E501
    Category("beauty", ("Face Cream", "Shampoo", "Lip Balm", "Perfume", "Soap Bar"), 500, 9900, ("50 ml", "100 ml", "250 ml")),  # noqa: E501
    Category("sports", ("Yoga Mat", "Water Bottle", "Dumbbell Set", "Tennis Racket", "Backpack"), 1200, 24900, ("Red", "Green", "Grey")),  # noqa: E501
    Category("grocery", ("Coffee Beans", "Green Tea", "Dark Chocolate", "Olive Oil", "Granola"), 300, 4900, ("250 g", "500 g", "1 kg")),  # noqa: E501
)  # fmt: skip

ADJECTIVES: tuple[str, ...] = (
    "Classic", "Organic", "Urban", "Everyday", "Premium", "Vintage", "Lightweight", "Cosy",
    "Eco", "Nordic", "Alpine", "Coastal", "Studio", "Heritage", "Essential", "Sunset",
    "Midnight", "Pure", "Bold", "Smart",
)  # fmt: skip

BRANDS: tuple[str, ...] = (
    "Acme", "Northwind", "Contoso", "Globex", "Initech", "Umbrella", "Stark", "Wayne",
)  # fmt: skip

# Order metadata: every key here becomes a string property of the order metadata schema whose
# allowed values (``eq``) are exactly these lists, so the demo data always validates.
PAYMENT_METHODS: tuple[str, ...] = (
    "Visa", "Mastercard", "PayPal", "American Express", "Apple Pay", "Google Pay", "BLIK",
    "Bank transfer", "Cash",
)  # fmt: skip
PAYMENT_METHOD_WEIGHTS = dict(zip(PAYMENT_METHODS, (30, 22, 15, 5, 9, 6, 5, 4, 4), strict=True))
CHANNELS: tuple[str, ...] = ("web", "mobile_app", "store")
CHANNEL_WEIGHTS = dict(zip(CHANNELS, (55, 30, 15), strict=True))
COUPONS: tuple[str, ...] = ("WELCOME10", "SPRING15", "SUMMER20", "BLACKFRIDAY25", "LOYALTY5")
COUPON_PERCENTS: tuple[int, ...] = (10, 15, 20, 25, 5)

ORDER_METADATA_VALUES: dict[str, tuple[str, ...]] = {
    "payment_method": PAYMENT_METHODS,
    "channel": CHANNELS,
    "locale": LOCALES,
    "coupon": COUPONS,
}
