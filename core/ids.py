"""Public identifiers in the reference's shape: a prefix and 24 random letters and digits.

``ord_A69RIxEdRsPuC6i8gFGVHUft`` for orders, ``cust_`` customers, ``exp_`` exports,
``ms_`` metadata schemas, ``prod_`` products, ``sku_`` SKUs, ``aa_`` async actions.
"""

import random
import re
import secrets
import string
from collections.abc import Iterator

ALPHABET = string.ascii_letters + string.digits
RANDOM_LENGTH = 24

ORDER = "ord_"
CUSTOMER = "cust_"
EXPORT = "exp_"
METADATA_SCHEMA = "ms_"
PRODUCT = "prod_"
SKU = "sku_"
ASYNC_ACTION = "aa_"

# Random bytes below 248 (= 4 × 62) map onto the alphabet uniformly (byte % 62); the rest
# are dropped. ``bytes.translate`` does both for a whole buffer at once.
_UNIFORM_LIMIT = 256 - 256 % len(ALPHABET)
_TO_ALPHABET = bytes(
    ord(ALPHABET[byte % len(ALPHABET)]) if byte < _UNIFORM_LIMIT else 0 for byte in range(256)
)
_DROPPED = bytes(range(_UNIFORM_LIMIT, 256))
# Ids a stream mints at a time.
STREAM_BATCH = 4_096


def _characters(count: int, rnd: random.Random | None) -> str:
    """``count`` random letters and digits, uniformly drawn, from ``rnd`` when given."""
    random_bytes = secrets.token_bytes if rnd is None else rnd.randbytes
    parts: list[bytes] = []
    missing = count
    while missing > 0:
        # About 3 % of the bytes are dropped: ask for a little more, so one draw is enough.
        part = random_bytes(missing + missing // 16 + 8).translate(_TO_ALPHABET, _DROPPED)
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)[:count].decode("ascii")


def new_id(prefix: str, rnd: random.Random | None = None) -> str:
    """A fresh id: ``prefix`` followed by 24 cryptographically random letters and digits.

    ``rnd`` (a seeded ``random.Random``) instead of the system's random source makes the ids
    reproducible: for demo data only, never for real objects.
    """
    return prefix + _characters(RANDOM_LENGTH, rnd)


def new_ids(prefix: str, count: int, rnd: random.Random | None = None) -> list[str]:
    """``count`` fresh ids as ``new_id`` makes them, from one draw of random bytes: bulk
    loads mint millions, and one draw per id would cost them seconds."""
    characters = _characters(count * RANDOM_LENGTH, rnd)
    return [
        prefix + characters[at : at + RANDOM_LENGTH]
        for at in range(0, len(characters), RANDOM_LENGTH)
    ]


def id_stream(prefix: str, rnd: random.Random | None = None) -> Iterator[str]:
    """Fresh ids without end, minted ``STREAM_BATCH`` at a time (``new_ids``): for a bulk
    load that takes one id per row."""
    while True:
        yield from new_ids(prefix, STREAM_BATCH, rnd)


def id_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(prefix)}[A-Za-z0-9]{{{RANDOM_LENGTH}}}$")


def is_id(value: str, prefix: str) -> bool:
    return bool(id_pattern(prefix).match(value or ""))


# Model field defaults must be importable module-level callables so migrations can name them.
def new_order_id() -> str:
    return new_id(ORDER)


def new_customer_id() -> str:
    return new_id(CUSTOMER)


def new_export_id() -> str:
    return new_id(EXPORT)


def new_metadata_schema_id() -> str:
    return new_id(METADATA_SCHEMA)


def new_product_id() -> str:
    return new_id(PRODUCT)


def new_sku_id() -> str:
    return new_id(SKU)
