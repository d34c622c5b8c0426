"""How SQLite finds the current findings and the open notices of named projects (or of a unit,
or codes): through the index of what is named, not the few-valued ``current`` or ``state`` one
(which, with no statistics gathered, its planner prefers, and then reads every current finding
or open notice of the portfolio: 16.5 ms instead of 0.5 for a report group's update over the
40,000-milestone bench database, 20.4 instead of 2.5 for its notices). A fresh database has no
statistics, as a served one has none: nothing runs ANALYZE."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from api import database
from api.settings import Settings
from notifier import store
from rules import repository as repo


def _plan(path: Path, sql: str, args: tuple[object, ...] = ()) -> str:
    with sqlite3.connect(path) as c:
        return " | ".join(r[3] for r in c.execute(f"EXPLAIN QUERY PLAN {sql}", args).fetchall())


@pytest.fixture
async def migrated(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "duban.sqlite"
    engine = database.make_engine(Settings(database_url=f"sqlite:///{path}", secret_key="k" * 40))
    await database.open_engine(engine, 2)
    try:
        await database.migrate(engine)
        yield path
    finally:
        await database.close_engine(engine)


def test_a_groups_stale_rows_are_found_by_project(migrated: Path) -> None:
    sql = repo._stale_rows_sql(2, 3).replace("{}", "?")
    plan = _plan(migrated, sql, ("P1", "P2", *("r", "s") * 3))
    assert "rules_finding_project" in plan and "rules_finding_current" not in plan, plan


def test_the_current_findings_of_named_projects_are_found_by_project(migrated: Path) -> None:
    plans = [
        _plan(migrated, str(repo._current_rows(["P1", "P2"]))),
        *(_plan(migrated, str(q)) for q in repo._findings_queries(  # type: ignore[union-attr]
            evaluation=None, level=None, project="P1", unit=None, rule=None, among=None)),
        *(_plan(migrated, str(q)) for q in repo._findings_queries(  # type: ignore[union-attr]
            evaluation=None, level="red", project=None, unit=None, rule=None, among=(["P1", "P2"], "u1"))),
    ]
    for plan in plans:
        assert "rules_finding_project" in plan and "rules_finding_current" not in plan, plan


def test_every_current_finding_is_still_read_through_the_current_index(migrated: Path) -> None:
    """Unfiltered, the ``current`` index is the one that serves (the history is not scanned)."""
    query, _ = repo._findings_queries(evaluation=None, level=None, project=None, unit=None, rule=None,  # type: ignore[misc]
                                          among=None)
    assert "rules_finding_current" in _plan(migrated, str(query.order_by(repo.FindingRow.id).limit(50)))


def test_the_open_notices_of_named_projects_units_or_codes_are_found_by_them(migrated: Path) -> None:
    for kw, index in (({"projects": ["P1", "P2"]}, "notifier_notice_project"),
                      ({"unit": "u1"}, "notifier_notice_unit"),
                      ({"codes": ["N-2026-0001"]}, "(code=?)")):
        query = store._notices_query(**{"unit": None, "projects": None, "codes": None, **kw},  # type: ignore[arg-type]
                                     open_only=True)
        plan = _plan(migrated, str(query))
        assert index in plan and "notifier_notice_state" not in plan, (kw, plan)


def test_every_open_notice_is_still_read_through_the_state_index(migrated: Path) -> None:
    query = store._notices_query(unit=None, open_only=True, projects=None, codes=None)
    assert "notifier_notice_state" in _plan(migrated, str(query))
