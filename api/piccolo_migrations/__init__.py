"""Migrations of this app, applied in name order by `projects.storage.migrate` (`duban db migrate`)."""
