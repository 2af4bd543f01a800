"""The project's own ``manage.py check`` checks: settings that load but cannot work.

- ``core.E001`` ``CURRENCY`` is not a three-letter code, ``core.W001`` not an ISO 4217 code
  this project knows (amounts would still be kept in minor units, with 2 decimals unless
  ``CURRENCY_DECIMALS`` says otherwise), ``core.E002`` ``CURRENCY_DECIMALS`` out of 0–4;
- ``core.W002`` production with a cache of each process's own (``CACHE_URL`` unset or
  ``locmemcache://``): API rate limits, sign-in throttling and the cached API keys and
  schemas then differ between processes;
- ``core.E003`` the default storage is a folder (``MEDIA_ROOT``) this process cannot write:
  exports would fail only once a worker tries to save one.

Registered by ``CoreConfig.ready()``; each runs on every ``manage.py`` command Django checks
(``check``, ``migrate``, ``runserver``) and reads settings and the file system only.
"""

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.files.storage import FileSystemStorage, storages

# ISO 4217's current codes (funds and metals included), 2025.
ISO_4217 = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
    BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP
    ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK
    JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK
    MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
    PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB
    TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG
    XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG ZWL
    """.split()  # noqa: SIM905 - a table, easier read this way
)


def check_currency(**kwargs: Any) -> list[checks.CheckMessage]:
    code, places = settings.CURRENCY, getattr(settings, "CURRENCY_DECIMALS", None)
    found: list[checks.CheckMessage] = []
    if not (isinstance(code, str) and len(code) == 3 and code.isascii() and code.isalpha()):
        found.append(
            checks.Error(
                f"CURRENCY={code!r} is not a currency code.",
                hint="Set CURRENCY to an ISO 4217 code such as USD, EUR or PLN.",
                id="core.E001",
            )
        )
    elif code.upper() not in ISO_4217:
        found.append(
            checks.Warning(
                f"CURRENCY={code!r} is not an ISO 4217 code.",
                hint="Amounts are shown with 2 decimals unless CURRENCY_DECIMALS says "
                "otherwise; check the code (USD, EUR, PLN ...).",
                id="core.W001",
            )
        )
    if places is not None and not 0 <= places <= 4:
        found.append(
            checks.Error(
                f"CURRENCY_DECIMALS={places} is out of range.",
                hint="Leave it unset (the currency's own) or set 0 to 4.",
                id="core.E002",
            )
        )
    return found


def check_shared_cache(**kwargs: Any) -> list[checks.CheckMessage]:
    backend = settings.CACHES["default"]["BACKEND"]
    if not settings.PRODUCTION or not backend.endswith(("LocMemCache", "DummyCache")):
        return []
    return [
        checks.Warning(
            f"Production runs with a cache of each process's own ({backend.rsplit('.', 1)[-1]}).",
            hint="Set CACHE_URL to a cache every web process shares (redis://...): otherwise "
            "API rate limits and sign-in throttling count per process, and API keys and "
            "metadata schemas are read from the database on every request.",
            id="core.W002",
        )
    ]


def check_storage_writable(**kwargs: Any) -> list[checks.CheckMessage]:
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        return []  # object storage: /health/ writes a probe to it
    folder = Path(storage.location)
    # The storage makes missing folders when it saves: the nearest existing one must let it.
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and existing.is_dir() and os.access(existing, os.W_OK | os.X_OK):
        return []
    return [
        checks.Error(
            f"The export storage folder {folder} cannot be written by this process "
            f"(user id {os.getuid()}).",
            hint="Point MEDIA_ROOT at a folder the web and worker processes can write, or "
            "set DEFAULT_STORAGE_BACKEND to object storage.",
            id="core.E003",
        )
    ]


def register() -> None:
    checks.register(check_currency)
    checks.register(check_shared_cache, checks.Tags.caches)
    checks.register(check_storage_writable, checks.Tags.files)
