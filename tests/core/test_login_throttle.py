"""Sign-in throttling on the dashboard's and the admin's login pages (core.login_throttle)."""

import logging
import time

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # UserFactory's
DASHBOARD_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _no_earlier_failures():
    # The counters live in the (per-process) cache, which outlives a test's transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def marketer(db):
    return UserFactory(username="marketer")


def sign_in(client: Client, username: str, password: str, url: str = DASHBOARD_LOGIN):
    return client.post(url, {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_sixth_attempt_after_five_wrong_passwords_is_refused_even_if_right(marketer):
    client = Client()
    # Given five wrong passwords for one account, each answered as usual
    for _ in range(5):
        response = sign_in(client, "marketer", "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()

    # When the right password comes next
    response = sign_in(client, "marketer", PASSWORD)

    # Then it is refused with 429, a message saying why, and no session
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert "Too many failed sign-ins for this account" in response.content.decode()
    assert not signed_in(client)


def test_the_lock_holds_from_another_address_and_with_another_case(marketer):
    for _ in range(5):
        sign_in(Client(REMOTE_ADDR="10.0.0.1"), "marketer", "wrong")

    response = sign_in(Client(REMOTE_ADDR="10.9.9.9"), "MARKETER", PASSWORD)

    assert response.status_code == 429


def test_the_lock_ends_after_the_cool_off(settings, marketer):
    # Given a locked account, with a one-second cool-off
    settings.LOGIN_LOCKOUT_SECONDS = 1
    for _ in range(5):
        sign_in(Client(), "marketer", "wrong")
    assert sign_in(Client(), "marketer", PASSWORD).status_code == 429

    # When the cool-off has passed, the right password gets in again
    time.sleep(1.2)
    client = Client()
    assert sign_in(client, "marketer", PASSWORD).status_code == 302 and signed_in(client)


def test_another_account_is_unaffected(marketer):
    # Given a locked account
    for _ in range(5):
        sign_in(Client(), "marketer", "wrong")
    UserFactory(username="analyst")

    # When someone else signs in from the same address, they get in
    client = Client()
    response = sign_in(client, "analyst", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_a_success_clears_the_accounts_failures(marketer):
    # Given four wrong passwords, then the right one
    for _ in range(4):
        sign_in(Client(), "marketer", "wrong")
    assert sign_in(Client(), "marketer", PASSWORD).status_code == 302

    # When four more wrong passwords follow, the account is still open
    for _ in range(4):
        sign_in(Client(), "marketer", "wrong")
    client = Client()
    assert sign_in(client, "marketer", PASSWORD).status_code == 302
    assert signed_in(client)


def test_twenty_failures_from_one_address_lock_that_address_only(marketer):
    # Given twenty wrong passwords from one address, spread over many accounts
    for number in range(20):
        sign_in(Client(REMOTE_ADDR="203.0.113.7"), f"guess{number}", "wrong")

    # When a real user signs in from that address, they are refused with a message ...
    response = sign_in(Client(REMOTE_ADDR="203.0.113.7"), "marketer", PASSWORD)
    assert response.status_code == 429
    assert "from your network address" in response.content.decode()

    # ... while from another address they get in
    client = Client(REMOTE_ADDR="203.0.113.8")
    assert sign_in(client, "marketer", PASSWORD).status_code == 302 and signed_in(client)


def test_an_ipv6_client_counts_as_its_whole_network(marketer):
    for number in range(20):
        sign_in(Client(REMOTE_ADDR=f"2001:db8::{number + 1:x}"), f"guess{number}", "wrong")

    response = sign_in(Client(REMOTE_ADDR="2001:db8::ffff"), "marketer", PASSWORD)

    assert response.status_code == 429


def test_behind_a_proxy_the_address_it_appends_is_counted(settings, marketer):
    # Given a proxy in front (every request comes from its address) ...
    settings.LOGIN_TRUST_X_FORWARDED_FOR = True
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    # ... and someone guessing, who forges the first X-Forwarded-For entry each time
    for number in range(20):
        client = Client(**proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.{number}, 198.51.100.5")
        sign_in(client, f"guess{number}", "wrong")

    # Then the guesser's address is locked ...
    client = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.5")
    assert sign_in(client, "marketer", PASSWORD).status_code == 429
    # ... but not everyone else behind the same proxy
    client = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.6")
    assert sign_in(client, "marketer", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(operator):
    client = Client()
    for _ in range(5):
        assert sign_in(client, "operator", "wrong", url=ADMIN_LOGIN).status_code == 200

    response = sign_in(client, "operator", PASSWORD, url=ADMIN_LOGIN)

    assert response.status_code == 429
    assert "Too many failed sign-ins for this account" in response.content.decode()
    assert not signed_in(client)
    # The same account is locked on the dashboard's login page too
    assert sign_in(Client(), "operator", PASSWORD).status_code == 429


def test_a_non_staff_users_right_password_on_the_admin_is_no_failure(marketer):
    # The admin refuses a right password of a non-staff user; that guesses nothing
    for _ in range(6):
        assert sign_in(Client(), "marketer", PASSWORD, url=ADMIN_LOGIN).status_code == 200

    assert sign_in(Client(), "marketer", PASSWORD).status_code == 302


def test_without_a_cache_sign_in_goes_on_with_a_warning(settings, marketer, caplog):
    # Given a cache nobody answers on
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    caplog.set_level(logging.WARNING, logger="core.login_throttle")

    # When someone gets their password wrong, then right
    wrong = sign_in(Client(), "marketer", "wrong")
    client = Client()
    right = sign_in(client, "marketer", PASSWORD)

    # Then both are answered as without throttling, and the warning is logged
    assert wrong.status_code == 200
    assert "Please enter a correct username and password" in wrong.content.decode()
    assert right.status_code == 302 and signed_in(client)
    assert "Sign-in throttling is off" in caplog.text
