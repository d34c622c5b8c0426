"""Existing databases upgrade cleanly: the migrations rename what changed and lose nothing."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import sqlite3
from pathlib import Path

from piccolo.querystring import QueryString

from api import audit, database, keys
from api.service import Server
from api.settings import Settings
from notifier import store
from projects import storage
from rules import repository as rules_repo
from rules.standard import standard_sources

OLD_DATABASE = Path(__file__).parent / "data" / "old_6fa0eb3.sql"

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


async def test_a_database_made_by_the_old_code_opens_and_migrates(tmp_path: Path) -> None:
    """A database as commit 6fa0eb3 made it (notifier tables without migrations, the standard
    rulebook keyed ``standard/NAME``) migrates: the notifier adopts its tables and keeps every
    notice, the rulebook gets bare names, and the server works on it: a notice is answered,
    an evaluation runs, and migrating again does nothing."""
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_DATABASE.read_text(encoding="utf-8"))
        before = db.execute("SELECT code, state, title FROM notifier_notice ORDER BY code").fetchall()
        [(stored,)] = db.execute("SELECT sources FROM rules_rulebook_version").fetchall()
    assert len(before) == 4
    old_sources = json.loads(stored)
    assert old_sources and all(name.startswith("standard/") for name in old_sources)
    settings = Settings(database_url=f"sqlite:///{path}", secret_key="old", cookie_secure=False,
                        today=dt.date(2026, 5, 6), demo=False)
    engine = database.make_engine(settings)
    await database.open_engine(engine)
    try:
        ran = await database.migrate(engine)
        assert {"notifier.m0001_initial", "rules.m0002_rulebook_file_names"} <= set(ran)
        assert not {"api.m0001_initial", "projects.m0001_initial", "rules.m0001_initial"} & set(ran)
        notices = await store.list_notices(engine)
        assert [(n.code, str(n.state), n.title) for n in notices] == before
        bare = {name.removeprefix("standard/"): text for name, text in old_sources.items()}
        assert (await rules_repo.get_version(1)).sources == bare
        async with storage.write_transaction(engine):  # keyed as the server's start-up keys it
            await audit.prepare(keys.derive(keys.server_secret(settings), "audit-chain"))
        server = Server(settings, engine)
        code = before[0][0]
        answered = await server.notice_action("office", code, "respond", text="已补充材料")
        assert str(answered.state) == "responded"
        assert [s.event for s in await store.notice_steps(engine, code)] == ["issue", "respond"]
        outcome = await server.run_evaluation("office")
        assert outcome.rulebook_version == 1 and outcome.findings
        assert await database.migrate(engine) == []
    finally:
        await database.close_engine(engine)


async def test_the_notifier_adopts_tables_it_made_before_it_had_migrations(settings: Settings) -> None:
    """On SQLite and PostgreSQL: notifier tables holding a notice but no migration record (how
    the old notifier left them) are adopted by its first migration, the notice kept."""
    engine = database.make_engine(settings)
    await database.open_engine(engine)
    try:
        await database.migrate(engine)
        await engine.run_querystring(QueryString(
            "INSERT INTO notifier_notice (code, rule, subject, unit, level, state, title, message, "
            "explain, issued, due, lang) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
            "N-2026-0001", "r", "project:P001", "transport", "red", "issued", "题", "文", "[]",
            dt.date(2026, 5, 6), dt.date(2026, 5, 13), "zh"))
        await engine.run_querystring(QueryString("DELETE FROM duban_migration WHERE app = {}", "notifier"))
        assert await database.migrate(engine) == ["notifier.m0001_initial"]
        [kept] = await store.list_notices(engine)
        assert (kept.code, kept.title, kept.due) == ("N-2026-0001", "题", dt.date(2026, 5, 13))
    finally:
        await database.close_engine(engine)
