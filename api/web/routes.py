"""What the server mounts: ``ROUTE_HANDLERS`` (``api.app.create_app`` mounts it).

Pages (``api.web.pages``, ``api.web.rule_pages``) and the versioned static files
(``api.web.static``: plotly.js, our script and CSS).
"""

from __future__ import annotations

from typing import Any

from api.web.accountability_pages import AccountabilityPages
from api.web.assessment_pages import AssessmentPages
from api.web.assign_pages import AssignPages
from api.web.complaint_pages import ComplaintPages
from api.web.extension_pages import ExtensionPages
from api.web.pages import DashboardPages, DeliveryPages, OfficePages, OwnerPages
from api.web.people_pages import PeoplePages
from api.web.public_pages import PublicPages
from api.web.static import static_file

ROUTE_HANDLERS: list[Any] = [static_file, DashboardPages, OwnerPages, OfficePages, DeliveryPages,
                             ExtensionPages, AssignPages, AccountabilityPages, AssessmentPages, PublicPages,
                             ComplaintPages, PeoplePages]
