"""The board tests run on the real app of the page tests (``tests.site``)."""

from tests.site import site

__all__ = ["site"]
