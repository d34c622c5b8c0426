"""Existing databases upgrade cleanly: the migrations rename what changed and lose nothing."""

from __future__ import annotations

import importlib
import json

from piccolo.querystring import QueryString

from api import database
from api.settings import Settings
from rules import repository as rules_repo
from rules.standard import standard_sources

FILE_NAMES = importlib.import_module("rules.piccolo_migrations.m0002_rulebook_file_names")


def test_folder_keys_become_bare_names_and_no_text_is_lost() -> None:
    """``standard/x.rules`` becomes ``x.rules``; a clash with other text keeps its folder as a
    prefix, a clash with the same text keeps one copy; the order of files stays."""
    renamed = FILE_NAMES.bare_names({"standard/overdue.rules": "A", "mine.rules": "M",
                                     "standard/mine.rules": "OTHER", "copy/mine.rules": "M"})
    assert renamed == {"overdue.rules": "A", "mine.rules": "M", "standard-mine.rules": "OTHER"}
    assert list(renamed) == ["overdue.rules", "mine.rules", "standard-mine.rules"]
    assert FILE_NAMES.bare_names({"a.rules": "x"}) == {"a.rules": "x"}


async def test_a_rulebook_saved_with_folder_keys_is_renamed_by_the_migration(settings: Settings) -> None:
    """A version stored as the command line keyed the standard rulebook (``standard/NAME``), in
    a database whose rules migrations stopped before the rename, comes out keyed as the seed and
    the editor key it, every text intact, and compiles the same."""
    engine = database.make_engine(settings)
    await database.open_engine(engine)
    try:
        await database.migrate(engine)
        old = {f"standard/{name}": text for name, text in standard_sources().items()}
        await engine.run_querystring(QueryString(
            "INSERT INTO rules_rulebook_version (number, status, sources, author, note, created_at) "
            "VALUES ({}, {}, {}, {}, {}, {})", 1, "published", json.dumps(old), "old", "", "2026-01-01"))
        await engine.run_querystring(QueryString(
            "DELETE FROM duban_migration WHERE app = {} AND name = {}", "rules", "m0002_rulebook_file_names"))
        ran = await database.migrate(engine)
        assert ran == ["rules.m0002_rulebook_file_names"]
        version = await rules_repo.get_version(1)
        assert version.sources == standard_sources()
        assert await database.migrate(engine) == []
    finally:
        await database.close_engine(engine)
