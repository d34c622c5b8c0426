"""Web layer: every HTTP page, form, rule page and static file (``api.web.routes``)."""
