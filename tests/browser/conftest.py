"""The browser fixtures (Debian's Chromium through Playwright) for every browser test module."""

import pytest

from tests.browser.test_browser_flow import browser_page, chromium  # noqa: F401
from tests.factories import PASSWORD


@pytest.fixture
def log_in(live_server):
    """``log_in(page, user_or_email)``: the login form filled and sent; returns once on an admin page."""

    def _log_in(page, who) -> None:
        page.goto(f"{live_server}/login")
        page.fill("input[name=email]", getattr(who, "email", who))
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(f"{live_server}/admin/**")

    return _log_in
