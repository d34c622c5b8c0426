"""Piccolo app registration of the notifier's tables (for ``piccolo migrations``)."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig

from notifier.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="notifier",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=list(TABLES),
    migration_dependencies=[],
    commands=[],
)
