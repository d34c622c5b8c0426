"""The board tests run on the real app of the page tests (``tests.site``)."""

from tests.site import shared_site, site

__all__ = ["shared_site", "site"]
