"""What the server mounts: ``ROUTE_HANDLERS`` (``api.app.create_app`` picks it up by name).

Pages (``dashboards.pages``, ``dashboards.rule_pages``) and the versioned static files
(``dashboards.static``: plotly.js, our script and CSS).
"""

from __future__ import annotations

from typing import Any

from dashboards.pages import DashboardPages, DeliveryPages, OfficePages, OwnerPages
from dashboards.static import static_file

ROUTE_HANDLERS: list[Any] = [static_file, DashboardPages, OwnerPages, OfficePages, DeliveryPages]
