"""A process whose snapshot is behind another process's milestone reports brings it up to
date from the change rows (``projects_change``): exactly the snapshot a full reload gives,
without reloading the portfolio; any other change makes it reload (issue 16, item 6)."""

from __future__ import annotations

from typing import Any

import pytest

from api.service import Server
from projects import repository as repo

from .conftest import Api

RULES = {"moving.rules": '''rule moving "开始推进":
    for milestone m where not m.done
    light yellow when m.progress >= 20%
    light red when m.progress >= 40%
    notify m.unit within 3 workdays
    message "「{m.project.name}」{m.name}进度 {m.progress}"
'''}


class _Loads:
    """Counts full loads of the portfolio (the real function still runs)."""

    def __init__(self, fn: Any) -> None:
        self.fn, self.calls = fn, 0

    async def __call__(self) -> Any:
        self.calls += 1
        return await self.fn()


async def _report(writer: Server, pid: str, mid: str, **changes: Any) -> None:
    version = (await writer.snapshot()).versions[(pid, mid)]
    await writer.report_milestone("office", pid, mid, changes, version)


async def test_another_process_advances_its_snapshot_from_the_change_rows(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = api.server
    other = Server(writer.settings, writer.engine)  # a second process's caches, same database
    number = (await writer.save_rulebook("office", RULES)).number
    await writer.check_rulebook(number)
    await writer.publish("office", number)
    before = await other.snapshot()
    loads = _Loads(repo.load_portfolio)
    monkeypatch.setattr(repo, "load_portfolio", loads)

    await _report(writer, "P001", "build", progress=0.25)  # lights yellow: a notice
    await _report(writer, "P001", "build", progress=0.45, note="过半")  # red: escalates it
    await _report(writer, "P002", "approval", progress=0.3)
    advanced = await other.snapshot()

    assert loads.calls == 0  # read from the change rows, not reloaded
    assert advanced.revision == await repo.revision() == before.revision + 3
    full = await other._load(advanced.revision)
    assert advanced.portfolio == full.portfolio and dict(advanced.versions) == dict(full.versions)
    build = advanced.portfolio.project_by_id["P001"].milestones[2]
    assert (build.progress, build.note, advanced.versions[("P001", "build")]) == (0.45, "过半", 3)
    build_notices = [n for n in advanced.portfolio.notices if n.subject == "milestone:P001/build"]
    assert sorted(n.level.value for n in build_notices if n.level) == ["red", "yellow"]
    assert len(advanced.portfolio.notices) == len(before.portfolio.notices) + 3  # P002 lights too
    assert advanced.portfolio == (await writer.snapshot()).portfolio  # what the writer holds


async def test_a_change_without_a_change_row_makes_the_other_process_reload(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = api.server
    other = Server(writer.settings, writer.engine)
    await other.snapshot()
    loads = _Loads(repo.load_portfolio)
    monkeypatch.setattr(repo, "load_portfolio", loads)

    await _report(writer, "P001", "build", progress=0.2)
    async with writer.writing():  # any other change: the revision moves, no change row says what
        await repo.bump_revision()
    await _report(writer, "P001", "build", progress=0.3)
    n = loads.calls  # (the writer reloaded after its own bare bump)
    got = await other.snapshot()

    assert loads.calls == n + 1
    full = await other._load(got.revision)
    assert got.portfolio == full.portfolio and dict(got.versions) == dict(full.versions)
    assert got.portfolio.project_by_id["P001"].milestones[2].progress == 0.3


async def test_change_rows_are_written_with_the_report_and_pruned(api: Api) -> None:
    """A report's change row names its milestone; rows older than CHANGES_KEPT revisions go."""
    writer = api.server
    start = await repo.revision()
    await _report(writer, "P002", "approval", progress=0.5)
    changes = await repo.changes_between(start, start + 1)
    assert changes == {start + 1: ((("P002", "approval"),), ())}
    async with writer.writing():
        await repo.record_change(start + 1 + repo.CHANGES_KEPT, [("P001", "build")], ["N-1"])
    assert await repo.changes_between(start, start + 1) == {}


def test_replacing_milestones_keeps_the_others_and_indexes_the_new_projects() -> None:
    """``replace_milestones`` (a report group's and an advancing snapshot's step) over a chain
    of changes: the milestones replaced (the last of a key wins), every other project the same
    object, and ``project_by_id`` (filled ahead from the old one's) what a fresh one gives."""
    import dataclasses  # noqa: PLC0415
    import random  # noqa: PLC0415

    from api.reports import replace_milestones  # noqa: PLC0415
    from tests.rules.helpers import ms, portfolio  # noqa: PLC0415

    rng = random.Random(3)
    p = portfolio(*(ms(f"m{j}", project=f"P{i:03d}") for i in range(30) for j in range(6)))
    for step in range(20):
        if step % 7 == 6:  # a portfolio not made by replace_milestones (its positions read afresh)
            p = dataclasses.replace(p, projects=tuple(reversed(p.projects)))
        picked = [rng.choice(rng.choice(p.projects).milestones) for _ in range(rng.randrange(1, 5))]
        changed = [dataclasses.replace(m, progress=round(rng.random(), 2)) for m in picked]
        made = replace_milestones(p, changed)
        want = {m.key: m for m in changed}
        assert [x.id for x in made.projects] == [x.id for x in p.projects]
        for old, new in zip(p.projects, made.projects, strict=True):
            assert [want.get(m.key, m) for m in old.milestones] == list(new.milestones)
            assert (new is old) == all(m.key not in want for m in old.milestones)
        assert made.project_by_id == {x.id: x for x in made.projects}
        assert all(made.project_by_id[x.id] is x for x in made.projects)
        p = made
