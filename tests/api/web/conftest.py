"""The page tests run on the real app of the page tests (``tests.site``); the browser tests share
one Chromium per session (``tests.browser.browser``)."""

from tests.browser import browser
from tests.site import shared_site, site

__all__ = ["browser", "shared_site", "site"]
