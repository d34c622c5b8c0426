"""Piccolo app config of `api`: its tables, for Piccolo's tooling (playground, schema
graphs). Migrations are applied by `duban db migrate` (`api.database.migrate`)."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from api.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="api",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=list(TABLES),
)
