"""Migrations of this app, applied in name order by `api.database.migrate`."""
