"""Sign-in throttling: too many failed passwords lock an account, or an address, for a while.

Counters live in the default cache (``CACHE_URL``): per process with the development default,
shared by every web process with Redis in production. A counter starts with an account's (or
an address's) first failure and lasts ``LOGIN_LOCKOUT_SECONDS``; reaching its limit locks
sign-ins (the right password included) until ``LOGIN_LOCKOUT_SECONDS`` after the failure that
reached it. A successful sign-in clears its account's counter, not its address's: one person
signing in must not hide someone else guessing from the same address.

The address limit is several times the account limit, so people sharing one address (an
office behind one proxy) are not all locked out by one person's typos. If the cache cannot
be reached, sign-ins go on unthrottled with a logged warning rather than failing.
"""

import hashlib
import ipaddress
import logging
import math

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)

_PREFIX = "login-throttle"


def client_address(request: HttpRequest) -> str:
    """The address a sign-in comes from, as counted: an IPv6 client is its /64 network.

    Behind a proxy (``LOGIN_TRUST_X_FORWARDED_FOR``) the proxy's own address is everyone's;
    the last ``X-Forwarded-For`` entry is the one the proxy appended, earlier entries come
    from the client and could be forged to dodge the limit.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.LOGIN_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        address = forwarded or address
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:100] or "unknown"
    if ip.version == 6:
        # One host commonly holds a whole /64; counting single addresses would be no limit.
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _account_key(username: str) -> str:
    # Hashed: usernames are any text, cache keys are not; casefolded so "Bob" counts as "bob".
    digest = hashlib.sha256(username.casefold().encode()).hexdigest()
    return f"{_PREFIX}:account:{digest}"


def _address_key(address: str) -> str:
    return f"{_PREFIX}:address:{address}"


def _lockout_minutes() -> int:
    return max(1, math.ceil(settings.LOGIN_LOCKOUT_SECONDS / 60))


def refusal(username: str, address: str) -> str | None:
    """Why a sign-in as ``username`` from ``address`` is refused now, or ``None``."""
    account_key, address_key = _account_key(username), _address_key(address)
    try:
        counts = cache.get_many([account_key, address_key])
    except Exception:
        logger.warning("Sign-in throttling is off: the cache cannot be read", exc_info=True)
        return None
    minutes = _lockout_minutes()
    per_account = settings.LOGIN_FAILURES_PER_ACCOUNT
    if per_account and counts.get(account_key, 0) >= per_account:
        return (
            f"Too many failed sign-ins for this account. Sign-in is locked for up to "
            f"{minutes} minutes; try again later."
        )
    per_address = settings.LOGIN_FAILURES_PER_ADDRESS
    if per_address and counts.get(address_key, 0) >= per_address:
        return (
            f"Too many failed sign-ins from your network address. Sign-in is locked for up "
            f"to {minutes} minutes; try again later."
        )
    return None


def record_failure(username: str, address: str) -> None:
    """Count a wrong password for ``username`` from ``address``."""
    seconds = settings.LOGIN_LOCKOUT_SECONDS
    for key, limit in (
        (_account_key(username), settings.LOGIN_FAILURES_PER_ACCOUNT),
        (_address_key(address), settings.LOGIN_FAILURES_PER_ADDRESS),
    ):
        try:
            cache.add(key, 0, timeout=seconds)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.set(key, 1, timeout=seconds)
                count = 1
            if limit and count == limit:
                # The cool-off runs from the failure that locked, not from the first one.
                cache.touch(key, timeout=seconds)
                logger.warning("Sign-in locked after %d failures (%s)", count, key)
        except Exception:
            logger.warning("Sign-in throttling is off: the cache cannot be written", exc_info=True)
            return


def forget_failures(username: str) -> None:
    """Clear an account's failures after it signed in."""
    try:
        cache.delete(_account_key(username))
    except Exception:
        logger.warning("Sign-in throttling: the cache cannot be written", exc_info=True)
