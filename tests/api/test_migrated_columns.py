"""The migrations make exactly the columns the tables declare: a catalogued field whose column
the tables derive, but no migration adds, fails here, not in production."""

from __future__ import annotations

from pathlib import Path

from api import database
from api.settings import Settings
from projects.tables import TABLES


async def test_the_migrated_sqlite_tables_have_every_declared_column(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'duban.sqlite'}", secret_key="k" * 40)
    engine = database.make_engine(settings)
    await database.open_engine(engine, 2)
    try:
        await database.migrate(engine)
        for table in TABLES:
            name = table._meta.tablename
            rows = await engine.run_querystring(table.raw(f"PRAGMA table_info({name})").querystring)
            assert {r["name"] for r in rows} == {c._meta.db_column_name for c in table._meta.columns}, name
    finally:
        await database.close_engine(engine)
