"""A Marketing user signs in, finds orders and customers, and signs out, in a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from orders.models import OrderStatus
from tests.factories import CustomerFactory, MarketingUserFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's password


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_marketing_user_signs_in_browses_orders_and_customers_and_signs_out(
    page: Page,
) -> None:
    # Given a Marketing member and a few orders, one for Grace Hopper
    MarketingUserFactory(username="marketer")
    grace = CustomerFactory(name="Grace Hopper", email="grace@example.com")
    graces_order = make_order(customer=grace, status=OrderStatus.PAID)
    others = [make_order(status=status) for status in OrderStatus]

    # When they open the dashboard, they are asked to sign in first
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/orders/$"))
    sign_in(page, "marketer", PASSWORD)

    # Then they land on Campaign hub › Orders and see the orders
    expect(page).to_have_url(re.compile(r"/orders/$"))
    navigation = page.get_by_role("navigation", name="Campaign hub")
    expect(navigation.get_by_role("link", name="Orders")).to_have_attribute("aria-current", "page")
    for name in ("Customers", "Exports", "Metadata schemas"):
        expect(navigation.get_by_role("link", name=name)).to_be_visible()
    rows = page.locator("#orders tbody tr")
    expect(rows).to_have_count(1 + len(others))
    expect(page.get_by_role("link", name=graces_order.id)).to_be_visible()
    expect(page.get_by_role("link", name="Create order")).to_be_visible()
    page.screenshot(path="/tmp/orders.png", full_page=True)

    # When they follow the customer link of Grace's order
    page.get_by_role("link", name="Grace Hopper").click()

    # Then Grace's profile opens, with her order
    expect(page).to_have_url(re.compile(rf"/customers/{grace.id}/$"))
    expect(page.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    expect(page.get_by_text("grace@example.com")).to_be_visible()
    expect(page.get_by_role("link", name=graces_order.id)).to_be_visible()

    # When they log out from the user menu
    page.get_by_text("marketer", exact=True).click()
    page.get_by_role("button", name="Log out").click()

    # Then they are back on the login page and the dashboard is closed to them
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto("/orders/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/orders/$"))


def test_wrong_password_shows_an_error(page: Page) -> None:
    # Given a Marketing member
    MarketingUserFactory(username="marketer")

    # When they sign in with a wrong password
    page.goto("/accounts/login/")
    sign_in(page, "marketer", "not-my-password")

    # Then the login page says so and they stay on it
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_label("Username")).to_have_value("marketer")
