"""The browser fixtures (Debian's Chromium through Playwright) for every browser test module."""

from tests.browser.test_browser_flow import browser_page, chromium  # noqa: F401
