"""What a milestone report stores, on both backends: the findings of the reported projects'
whole dependency component (a report upstream changes a forecast downstream), equal to a whole
evaluation's after any sequence of report groups, and a group stored in a few statements that
still refuses a stale report alone when the database is ahead of the snapshot."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import random
from typing import Any

from api import audit
from api.service import Server
from notifier import store
from projects import repository as repo
from projects import storage
from projects.errors import StaleVersionError
from projects.model import Category, Dependency, Kind, Milestone, Project
from rules import repository as rules_repo
from rules.engine import evaluate
from rules.repository import _plain
from rules.standard import standard_sources
from tests.api.conftest import PORTFOLIO, TODAY, Api

FORECAST = """
rule late_forecast "预测逾期":
    for milestone m where not m.done
    light yellow when m.forecast > m.due
    message "{m.name} 预测 {m.forecast} 完成"
"""

#: Two projects downstream of P001's tender (one through the other), and one on its own.
DOWNSTREAM = (
    Project("P003", "配套管网", Category.PROJECT, "water", 1_000_000.0, (
        Milestone("P003", "works", "管网施工", Kind.PROGRESS, start=dt.date(2026, 5, 1),
                  due=dt.date(2026, 5, 29), after=(Dependency("tender", 0, "P001"),), progress=0.0),
    )),
    Project("P004", "道路恢复", Category.PROJECT, "transport", 2_000_000.0, (
        Milestone("P004", "restore", "路面恢复", Kind.PROGRESS, start=dt.date(2026, 5, 4),
                  due=dt.date(2026, 6, 19), after=(Dependency("works", 2, "P003"),), progress=0.0),
        Milestone("P004", "accept", "竣工验收", Kind.COMPLETION, due=dt.date(2026, 6, 30),
                  after=(Dependency("restore"),)),
    )),
    Project("P005", "独立项目", Category.PROJECT, "water", 3_000_000.0, (
        Milestone("P005", "a", "前期", Kind.APPROVAL, due=dt.date(2026, 4, 1), progress=0.5),
        Milestone("P005", "b", "实施", Kind.PROGRESS, start=dt.date(2026, 4, 2),
                  due=dt.date(2026, 9, 30), after=(Dependency("a"),), progress=0.1),
    )),
)
SCOPED = ("milestone", "project", "notice", "complaint")


async def _setup(api: Api) -> Server:
    server = api.server
    async with server.writing():
        await repo.import_portfolio(dataclasses.replace(PORTFOLIO, projects=(*PORTFOLIO.projects, *DOWNSTREAM)),
                                    actor="seed", known_on=TODAY - dt.timedelta(days=30),
                                    recorded_at="2026-04-06T00:00:00+00:00")
        await repo.bump_revision()
    sources = {**standard_sources(), "forecast.rules": FORECAST}
    saved = await api.client.post("/api/rulebooks", headers=api.auth("office"), json={"sources": sources})
    number = saved.json()["number"]
    assert (await api.client.post(f"/api/rulebooks/{number}/check", headers=api.auth("office"))).status_code == 200
    assert (await api.client.post(f"/api/rulebooks/{number}/publish", headers=api.auth("office"))).status_code == 200
    return server


def _key(f: Any) -> tuple[Any, ...]:
    level = getattr(f.level, "value", f.level)
    return (f.rule, f.subject, str(level), f.message, f.project, f.unit, tuple(f.notify),
            f.respond_by)


async def _stored_equal_whole(server: Server) -> dict[str, set[tuple[Any, ...]]]:
    """The stored current findings of milestones, projects, notices and complaints equal a
    whole evaluation of the server's current portfolio; both, by project."""
    rows, total = await rules_repo.findings(limit=100_000)
    assert total == len(rows)
    stored = {_key(f) for f in rows if f.subject.partition(":")[0] in SCOPED}
    _, rulebook = await server.published_rulebook()  # type: ignore[misc]
    snap = await server.snapshot()
    whole = evaluate(rulebook, snap.portfolio, TODAY, calendar=snap.calendar)
    want = {_key(f) for f in whole.findings if f.subject.partition(":")[0] in SCOPED}
    assert stored == want
    by_project: dict[str, set[tuple[Any, ...]]] = {}
    for k in stored:
        by_project.setdefault(k[4] or "", set()).add(k)
    return by_project


async def test_a_report_upstream_refreshes_the_stored_findings_downstream(api: Api) -> None:
    """Reporting P001's tender (overdue) at 10% moves its forecast, hence those of P003 and
    P004 downstream of it: their stored findings change with it and equal a whole evaluation's, and the stored
    report evaluation names the whole component as its scope."""
    server = await _setup(api)
    before = await _stored_equal_whole(server)
    version = (await server.snapshot()).versions[("P001", "tender")]
    await server.report_milestone("office", "P001", "tender", {"progress": 0.1}, version)
    after = await _stored_equal_whole(server)
    assert after["P003"] != before["P003"] and after["P004"] != before["P004"]
    assert after["P005"] == before["P005"]  # not linked: untouched
    listed = (await api.client.get("/api/evaluations", headers=api.auth("office"))).json()["items"]
    scope = next(e["scope"] for e in listed if e["reason"] == "report")
    assert sorted(scope) == ["P001", "P003", "P004"]


async def test_random_report_groups_leave_the_stored_findings_of_a_whole_evaluation(api: Api) -> None:
    """Seeded random groups of concurrent reports (progress, finishes, report dates, a stale
    one now and then): after each group the stored findings are a whole evaluation's."""
    server = await _setup(api)
    rng = random.Random(2026)
    keys = [m.key for p in (*PORTFOLIO.projects, *DOWNSTREAM) for m in p.milestones]
    for _ in range(8):
        snap = await server.snapshot()
        calls = []
        for key in rng.sample(keys, rng.randrange(1, 5)):
            m = snap.portfolio.project_by_id[key[0]].milestones[
                [x.id for x in snap.portfolio.project_by_id[key[0]].milestones].index(key[1])]
            started = m.start is None or m.start <= TODAY
            changes = rng.choice([{"progress": round(rng.random(), 2)},
                                  {"finished": TODAY, "progress": 1.0} if started else {"progress": 0.3},
                                  {"finished": None, "progress": 0.2},
                                  {"note": f"第{rng.randrange(99)}次"}])
            stale = rng.random() < 0.15
            calls.append(server.report_milestone("office", *key, changes,
                                                 snap.versions[key] - (1 if stale else 0)))
        results = await asyncio.gather(*calls, return_exceptions=True)
        for r in results:
            assert not isinstance(r, Exception) or isinstance(r, StaleVersionError), r
        await _stored_equal_whole(server)


async def test_a_database_ahead_of_the_snapshot_refuses_that_report_alone(api: Api) -> None:
    """Should the database hold a newer version than the snapshot (written behind its back),
    the group's batch is rolled back and its reports stored one by one: the stale one is
    refused with the database's version, the others are stored with their history and audit
    entries, and nothing of the refused one is written."""
    server = api.server
    await server.snapshot()
    async with server.writing():  # a newer version than the snapshot knows, revision untouched
        await storage.raw(server.engine, 'UPDATE "projects_milestone" SET "version" = "version" + 1 '
                                         'WHERE "project" = {} AND "mid" = {}', "P002", "approval")
    audit_before = (await api.client.get("/api/audit", headers=api.auth("office"))).json()["total"]
    ok, stale = await asyncio.gather(
        server.report_milestone("office", "P001", "tender", {"progress": 0.6}, 1),
        server.report_milestone("office", "P002", "approval", {"progress": 0.3}, 1),
        return_exceptions=True)
    assert isinstance(stale, StaleVersionError) and stale.current_version == 2
    assert not isinstance(ok, BaseException) and ok[0].progress == 0.6 and ok[1] == 2
    assert [r.version for r in await repo.milestone_history("P002", "approval")] == [1]
    assert [r.version for r in await repo.milestone_history("P001", "tender")] == [1, 2]
    stored, version = await repo.get_milestone("P002", "approval")
    assert (stored.progress, version) == (None, 2)
    audit_after = (await api.client.get("/api/audit", headers=api.auth("office"))).json()["total"]
    assert audit_after == audit_before + 1
    verdict = await audit.verify()
    assert verdict.ok, verdict.reason


async def test_a_group_s_audit_entries_keep_the_chain_whole(api: Api) -> None:
    """Twenty reports at once (one group, one prepared insert of their audit entries) leave a
    chain that verifies, one entry a report, in the order they were applied."""
    server = await _setup(api)
    snap = await server.snapshot()
    keys = [m.key for p in DOWNSTREAM for m in p.milestones] + [("P001", "tender"), ("P002", "approval")]
    before = (await audit.entries(limit=1))[1]
    await asyncio.gather(*(server.report_milestone("office", *key, {"note": f"n{i}"}, snap.versions[key])
                           for i, key in enumerate(keys)))
    entries, total = await audit.entries(limit=len(keys))
    assert total == before + len(keys)
    assert sorted(e.subject for e in entries) == sorted(f"milestone:{p}/{m}" for p, m in keys)
    assert all(e.after["version"] == e.before["version"] + 1 for e in entries)
    verdict = await audit.verify()
    assert verdict.ok, verdict.reason


def _read(f: rules_repo.StoredFinding) -> dict[str, Any]:
    """A stored finding as the API reads it back (every field, dates as ISO text)."""
    return {"rule": f.rule, "title": f.title, "subject": f.subject, "level": f.level, "message": f.message,
            "project": f.project, "unit": f.unit, "respond_by": None if f.respond_by is None else f.respond_by.isoformat(),
            "notify": f.notify, "explain": f.explain, "evaluation": f.evaluation}


async def _held_is_the_database(server: Server) -> None:
    """What the report groups hold (``api.reports.Written``) is what the database holds: the
    current findings of every held project (rows, evaluation ids and explanations) and the
    open notices (row ids and every field)."""
    written = server._written
    assert written is not None and written.revision == await repo.revision()
    projects = sorted(written.findings)
    stored = await rules_repo.current_findings(projects)
    assert {p: [(k, h.stored, h.row) for k, h in v.items()] for p, v in written.findings.items()} == \
        {p: [(k, h.stored, h.row) for k, h in v.items()] for p, v in stored.items()}
    held_notices = sorted(x for p in written.notices for x in written.notices[p].values())
    read = await store.open_notices(server.engine, [p for p in written.notices if p is not None])
    assert held_notices == sorted(read)


async def test_groups_write_only_what_changed_and_hold_what_the_database_holds(api: Api) -> None:
    """Seeded random groups of concurrent reports through the API, with a whole evaluation,
    a notice answered and a report refused now and then between them: after each group the
    stored current findings equal a whole evaluation's, explanations included; each report's
    answer lists its project's findings as the database then holds them; what the writer holds
    equals the database; no rule x subject x unit has two open notices; and a finding a group
    did not change keeps its row (and the evaluation that stored it), a changed or new one is a
    row of the group's evaluation."""
    server = await _setup(api)
    rng = random.Random(16)
    keys = [m.key for p in (*PORTFOLIO.projects, *DOWNSTREAM) for m in p.milestones]
    office = api.auth("office")
    for step in range(10):
        snap = await server.snapshot()
        picked = rng.sample(keys, rng.randrange(2, 6))
        bodies = []
        for key in picked:
            changes: dict[str, Any] = rng.choice([{"progress": round(rng.random(), 2)},
                                                  {"note": f"第{rng.randrange(99)}次"}, {"progress": 0.05}])
            bodies.append((key, {"version": snap.versions[key], **changes}))
        rows_before = {(f.rule, f.subject): f for f in (await rules_repo.findings(limit=100_000))[0]}
        answers = await asyncio.gather(*(
            api.client.patch(f"/api/projects/{p}/milestones/{m}", headers=office, json=body)
            for (p, m), body in bodies))
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        for ((pid, _), _), answer in zip(bodies, answers, strict=True):
            db = (await rules_repo.findings(project=pid, limit=500))[0]
            # the answer is its group's; a later group of this gather may have moved them since
            if all(a.json()["evaluation"]["id"] <= answer.json()["evaluation"]["id"] for a in answers):
                assert answer.json()["findings"] == [_read(f) for f in db]
        await _stored_equal_whole(server)
        rows, _ = await rules_repo.findings(limit=100_000)
        _, rulebook = await server.published_rulebook()  # type: ignore[misc]
        whole = evaluate(rulebook, (await server.snapshot()).portfolio, TODAY, calendar=(await server.snapshot()).calendar)
        explained = {(f.rule, f.subject): _plain(f.explain) for f in whole.findings
                     if f.subject.partition(":")[0] in SCOPED}
        assert {(f.rule, f.subject): f.explain for f in rows if (f.rule, f.subject) in explained} == explained
        last = max(f.evaluation for f in rows_before.values())
        for f in rows:  # a row of the groups' evaluations exactly where the finding changed
            was = rows_before.get((f.rule, f.subject))
            if was is not None and dataclasses.replace(was, evaluation=0) == dataclasses.replace(f, evaluation=0):
                assert f.evaluation == was.evaluation, f
            else:
                assert f.evaluation > last, f
        await _held_is_the_database(server)
        opened = await store.list_notices(server.engine, open_only=True)
        open_keys = [(n.rule, n.subject, n.unit) for n in opened]
        assert open_keys and len(open_keys) == len(set(open_keys))
        if step % 3 == 1:  # another change between groups: the writer's held state starts afresh
            assert (await api.client.post("/api/evaluations", headers=office, json={})).status_code == 201
        if step % 3 == 2:
            code = next(n.code for n in opened if str(n.state) == "issued")
            await server.notice_action("office", code, "respond", text="已整改")
