"""Milestone reports, group-committed: the ``ReportGroups`` part of ``api.service.Server``.

Reports that arrive while a group is being written queue up and go together into the next
write transaction, each in a savepoint (a stale or invalid one is refused alone, with its own
error), then one re-evaluation of the projects they touched (``rules.engine.evaluate`` with
``projects=``: their dependency component), its findings and notices, one commit. Under load
this divides the fixed cost among the group instead of queueing every report behind the one
before. The writer hands the new snapshot to readers (``Server._handover``), so nobody reloads
the portfolio after a report.

A group does not start the moment one report waits if the last group ended just now and was
larger (``Pacing``): its reporters are most likely sending their next reports, and a group of
one started ahead of them costs nearly what a group of twenty does (measured: 30 ms against
38 ms at 40,000 milestones), so under a steady load the groups alternated 19, 1, 19, 1. The
writer waits for as many reports as the last group held and those queued behind it, for at
most half that group's time (20 ms at most).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from api import audit
from api.values import EvaluationOutcome, InputError, Snapshot, now_iso
from notifier import store
from notifier.lifecycle import OPEN_STATES
from notifier.store import StoredNotice, to_model
from projects import repository as projects_repo
from projects import storage
from projects.errors import StaleVersionError
from projects.model import Milestone, Notice, Portfolio, Project
from projects.repository import milestone_data
from projects.validation import milestone_problems
from rules import repository as rules_repo
from rules.engine import component, notices_followed

if TYPE_CHECKING:  # what the mixin uses of ``Server``
    from contextlib import AbstractAsyncContextManager

    from api.service import _Handover
    from projects.calendar import WorkCalendar
    from projects.storage import DbEngine

class _Identified(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_Identified)

#: The most reports applied in one transaction (one group, one re-evaluation, one commit).
REPORT_GROUP = 64

#: The longest a group waits for more reports (``Pacing``), in seconds.
GATHER_MAX = 0.02


@dataclass(slots=True)
class Pacing:
    """When the next group starts: at once, or after waiting for more reports.

    A group of ``size`` reports took ``took`` seconds and ended at ``ended``, with ``behind``
    more queued by then. The next one, starting at ``now`` with ``queued`` reports waiting, waits
    for as many as the last group held and those behind it together (at most ``REPORT_GROUP``)
    while the writer has been idle less than that group's time (a steady load: the last group's
    reporters are coming back; counting those behind it too merges two halves of a load that
    took turns), but never longer than half that time or ``GATHER_MAX``. After a pause longer
    than a group, or after a group of one with none behind, it starts at once: a lone report
    is never held back. Times are the event loop's clock (``loop.time()``)."""

    size: int = 0
    behind: int = 0
    took: float = 0.0
    ended: float = float("-inf")

    def plan(self, queued: int, now: float) -> tuple[int, float]:
        """(how many reports to wait for, the latest time to start anyway)."""
        target = min(self.size + self.behind, REPORT_GROUP)
        if queued >= target or now - self.ended > self.took:
            return queued, now
        return target, now + min(self.took / 2, GATHER_MAX)

    def finished(self, size: int, behind: int, started: float, ended: float) -> None:
        self.size, self.behind, self.took, self.ended = size, behind, ended - started, ended


class Written:
    """What this process's report groups know of the stored current findings and open
    notices, by project, as of the database revision ``revision`` (the one its last group
    committed): a group compares its evaluation with them instead of reading them back, and
    writes only what changed. Valid only while the database is still at ``revision``: any
    other change moves it (a whole evaluation included, ``Server._evaluate_and_store``), and
    the next group then starts afresh (``ReportGroups._written_at``). Filled lazily, a project
    the first time a group's scope holds it; changed only by the writer, inside its
    transaction, and dropped should that transaction fail."""

    __slots__ = ("findings", "notices", "revision")

    def __init__(self, revision: int) -> None:
        self.revision = revision
        self.findings: dict[str, rules_repo.ProjectFindings] = {}
        #: project (None: notices about no project) -> code -> (row id, open notice)
        self.notices: dict[str | None, dict[str, tuple[int, StoredNotice]]] = {}

    @classmethod
    def loaded(cls, revision: int, projects: Sequence[str], findings: dict[str, rules_repo.ProjectFindings],
               notices: Sequence[tuple[int, StoredNotice]]) -> Written:
        """What a process loading the portfolio at ``revision`` holds from the start: every
        project's current findings (``rules_repo.current_findings`` of them all) and the open
        notices among ``notices`` (``store.every_notice``), so that no report group reads its
        projects' state back the first time it meets them."""
        held = cls(revision)
        held.findings = findings
        held.notices = {p: {} for p in projects}
        held.notices[None] = {}
        for i, n in notices:
            if n.state in OPEN_STATES:
                held.notices.setdefault(n.project, {})[n.code] = (i, n)
        return held

    async def know_notices(self, engine: DbEngine, projects: Sequence[str]) -> None:
        """Read the open notices of the projects not held yet (and those about no project)."""
        missing = [p for p in projects if p not in self.notices]
        if not missing and None in self.notices:
            return
        have_units = None in self.notices
        for p in missing:
            self.notices[p] = {}
        self.notices.setdefault(None, {})
        for i, n in await store.open_notices(engine, missing):
            if n.project is None and have_units:
                continue
            self.notices.setdefault(n.project, {})[n.code] = (i, n)

    def open_notices(self, projects: Sequence[str]) -> list[tuple[int, StoredNotice]]:
        """The open notices of ``projects`` and those about no project, in issue order: what
        ``store.open_notices`` would read."""
        held = [x for p in (*projects, None) for x in self.notices[p].values()]
        return sorted(held, key=lambda x: x[0])

    def apply(self, applied: store.Applied) -> None:
        """What ``record_evaluation`` did: the closed notices no longer open, the issued open."""
        for n in applied.closed:
            self.notices.get(n.project, {}).pop(n.code, None)
        for i, n in applied.opened:
            self.notices.setdefault(n.project, {})[n.code] = (i, n)


@dataclass(slots=True)
class PendingReport:
    """A milestone report waiting for its group, and the future its caller awaits."""

    actor: str
    pid: str
    mid: str
    changes: dict[str, Any]
    version: int
    answer: asyncio.Future[tuple[Milestone, int, EvaluationOutcome]]


class ReportGroups:
    """The report methods of ``Server`` (a mixin: it uses the server's snapshot, writer,
    evaluation and notices, declared here for the type checker)."""

    if TYPE_CHECKING:
        engine: DbEngine
        _reports: list[PendingReport]
        _reporter: asyncio.Task[None] | None
        _pacing: Pacing
        _gathering: tuple[int, asyncio.Event] | None
        _written: Written | None

        def today(self) -> dt.date: ...
        def writing(self) -> AbstractAsyncContextManager[None]: ...
        def _handover(self) -> AbstractAsyncContextManager[_Handover]: ...
        async def snapshot(self) -> Snapshot: ...
        async def _merge_notices(self, held: tuple[Notice, ...], codes: Sequence[str]) -> tuple[Notice, ...]: ...
        async def _evaluate_and_store(self, portfolio: Portfolio, calendar: WorkCalendar, as_of: dt.date, *,
                                      projects: Sequence[str] | None, actor: str, reason: str,
                                      written: Written | None = None) -> EvaluationOutcome: ...

    async def report_milestone(self, actor: str, pid: str, mid: str, changes: Mapping[str, Any],
                               version: int) -> tuple[Milestone, int, EvaluationOutcome]:
        """Apply an owner's report if ``version`` is current, then re-evaluate that project.

        Reports arriving together are applied as one group (module header): each in its own
        savepoint, so a stale or invalid one is refused alone, then one re-evaluation of the
        projects they touched, one commit. The answer is this report's.
        """
        report = PendingReport(actor, pid, mid, dict(changes), version,
                               asyncio.get_running_loop().create_future())
        self._reports.append(report)
        gathering = self._gathering
        if gathering is not None and len(self._reports) >= gathering[0]:
            gathering[1].set()
        if self._reporter is None or self._reporter.done():
            self._reporter = asyncio.create_task(self._apply_reports())
        return await asyncio.shield(report.answer)

    async def _apply_reports(self) -> None:
        """Drain the queue of reports, a group at a time, until it is empty."""
        loop = asyncio.get_running_loop()
        while self._reports:
            await self._gather(loop)
            group, self._reports = self._reports[:REPORT_GROUP], self._reports[REPORT_GROUP:]
            started = loop.time()
            try:
                await self._apply_group(group)
            except Exception as exc:  # the group's transaction rolled back: nothing was written
                for r in group:
                    if not r.answer.done():
                        r.answer.set_exception(exc)
            self._pacing.finished(len(group), len(self._reports), started, loop.time())

    async def _gather(self, loop: asyncio.AbstractEventLoop) -> None:
        """Wait, as ``Pacing`` says, for the reports a group of this load holds."""
        target, deadline = self._pacing.plan(len(self._reports), loop.time())
        if len(self._reports) >= target:
            return
        arrived = asyncio.Event()
        self._gathering = (target, arrived)
        try:
            await asyncio.wait_for(arrived.wait(), deadline - loop.time())
        except TimeoutError:
            pass
        finally:
            self._gathering = None

    async def _apply_group(self, group: list[PendingReport]) -> None:
        today = self.today()
        try:
            async with self._handover() as handover, self.writing():
                snap = await self.snapshot()
                written = self._written_at(snap.revision)
                applied = await self._store_group(group, snap, today)
                if not applied:  # nothing written: what it held still holds
                    self._written = written
                    return
                portfolio = replace_milestones(snap.portfolio, [new for _, new, _ in applied])
                versions = snap.versions.changed(((r.pid, r.mid), v) for r, _, v in applied)
                revision = await projects_repo.bump_revision()
                handover.announce(revision)
                # the touched projects' dependency component: a report on one project can change
                # the findings of a project downstream of it, and its stored findings with them
                touched = sorted(component(portfolio, dict.fromkeys(r.pid for r, _, _ in applied)))
                outcome = await self._evaluate_and_store(
                    portfolio, snap.calendar, today, projects=touched,
                    actor=", ".join(dict.fromkeys(r.actor for r, _, _ in applied)), reason="report",
                    written=written)
                await projects_repo.record_change(revision, [(r.pid, r.mid) for r, _, _ in applied],
                                                  outcome.notices_changed)
                notices = portfolio.notices
                if outcome.notices is not None:
                    notices = merged_notices(notices, outcome.notices)
                elif outcome.notices_changed:
                    notices = await self._merge_notices(notices, outcome.notices_changed)
                made = Snapshot(revision, portfolio.replaced(notices=notices), snap.calendar, versions)
                handover.keep(made)
        except BaseException:
            self._written = None  # (its transaction rolled back: what it held may be ahead)
            raise
        written.revision = revision
        self._written = written
        by_project: dict[str | None, list[Any]] = {}
        for f in outcome.findings:
            by_project.setdefault(getattr(f, "project", None), []).append(f)
        for r, new, new_version in applied:
            mine = tuple(by_project.get(r.pid, ()))
            held = written.findings.get(r.pid)
            r.answer.set_result((new, new_version, replace(
                outcome, findings=mine, current=None if held is None else tuple(held.values()))))

    def _written_at(self, revision: int) -> Written:
        """What the last group left, when the database is still at the revision it committed;
        otherwise an empty one (read afresh as scopes need it)."""
        held = self._written
        self._written = None  # held by this group until it commits
        if held is not None and held.revision == revision:
            return held
        return Written(revision)

    async def _store_group(self, group: list[PendingReport], snap: Snapshot,
                           today: dt.date) -> list[tuple[PendingReport, Milestone, int]]:
        """Check every report of the group against the snapshot (a refused one is answered
        with its error and writes nothing), then store the rest together: the milestone rows,
        their history and the audit entries in a few prepared statements. Should a row not be
        at its expected version after all (the database ahead of the snapshot), nothing is
        written by the batch and the reports are stored one at a time, each refused alone
        (``_store_one_by_one``)."""
        pending: dict[tuple[str, str], tuple[Milestone, int]] = {}  # a milestone twice: in turn
        checked: list[tuple[PendingReport, Milestone, Milestone, int]] = []
        for r in group:
            try:
                old, current, new = await self._check_one(r, snap, pending, today)
            except Exception as exc:  # this report alone is refused: nothing of it was written
                r.answer.set_exception(exc)
                continue
            pending[(r.pid, r.mid)] = (new, current + 1)
            checked.append((r, old, new, current))
        if not checked:
            return []
        stored = await projects_repo.report_milestones(
            [(new, current, r.actor) for r, _, new, current in checked], known_on=today,
            recorded_at=now_iso())
        if not stored:
            return await self._store_one_by_one(checked, today)
        await audit.append_many([
            (r.actor, "milestone.report", f"milestone:{r.pid}/{r.mid}",
             {"version": current, **milestone_data(old)}, {"version": current + 1, **milestone_data(new)})
            for r, old, new, current in checked])
        return [(r, new, current + 1) for r, _, new, current in checked]

    async def _store_one_by_one(self, checked: list[tuple[PendingReport, Milestone, Milestone, int]],
                                today: dt.date) -> list[tuple[PendingReport, Milestone, int]]:
        """The reports of ``checked`` stored one at a time, each in its savepoint, against the
        database's versions (what the batch falls back to; ``update_milestone`` refuses a
        stale one naming the current state)."""
        applied: list[tuple[PendingReport, Milestone, int]] = []
        tail: audit.AuditEntry | None = None
        for r, old, new, current in checked:
            savepoint = await storage.savepoint(self.engine)
            try:
                new_version = await projects_repo.update_milestone(
                    new, expected_version=current, actor=r.actor, known_on=today,
                    recorded_at=now_iso())
                tail = await audit.append(r.actor, "milestone.report", f"milestone:{r.pid}/{r.mid}",
                                          {"version": current, **milestone_data(old)},
                                          {"version": new_version, **milestone_data(new)}, tail=tail)
            except Exception as exc:  # this report alone is refused
                await savepoint.rollback_to()
                r.answer.set_exception(exc)
                continue
            await savepoint.release()
            applied.append((r, new, new_version))
        return applied

    async def _check_one(self, r: PendingReport, snap: Snapshot,
                         pending: Mapping[tuple[str, str], tuple[Milestone, int]],
                         today: dt.date) -> tuple[Milestone, int, Milestone]:
        """The state a report changes, its version and the state it makes, checked (no
        write). The state comes from the snapshot (current: the group holds the writer and
        checked the revision) or from a report of the same milestone earlier in the group;
        the update is still conditional on the version (``report_milestones``)."""
        held = pending.get((r.pid, r.mid))
        if held is not None:
            old, current = held
        else:
            project = snap.portfolio.project_by_id.get(r.pid)
            found = next((m for m in project.milestones if m.id == r.mid), None) if project else None
            version = snap.versions.get((r.pid, r.mid))
            if found is None or version is None:
                found, version = await projects_repo.get_milestone(r.pid, r.mid)  # 404, suggestions
            old, current = found, version
        if r.version != current:
            raise StaleVersionError("milestone", f"{r.pid}/{r.mid}", r.version, current, old)
        new = replace(old, **r.changes)
        if "updated" not in r.changes:
            new = replace(new, updated=today)
        check_milestone(new, snap.portfolio, today)
        return old, current, new


class Positions(Generic[T]):
    """Each item's position in a tuple by its id, for the last tuple asked about or kept (one
    slot): a report group's tuple follows the one before it, so its index follows it too, and
    an index costs the changes, not the whole tuple, as long as the callers hand on the tuple
    they made (``keep``). A held index is changed in place only once taken out (``take``)."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple[tuple[T, ...], dict[str, int]] | None = None

    def of(self, items: tuple[T, ...]) -> dict[str, int]:
        """``items``' index: the kept one when ``items`` is the last tuple, else made (and kept)."""
        last = self._last
        if last is not None and last[0] is items:
            return last[1]
        at = {x.id: i for i, x in enumerate(items)}
        self._last = (items, at)
        return at

    def take(self, items: tuple[T, ...]) -> dict[str, int]:
        """``items``' index, no longer held, for the caller to make the index of the tuple it
        makes from ``items`` in place (and ``keep`` it): nothing is left holding a half-changed
        index should it fail on the way, and a 30,000-entry index is not copied per group."""
        at = self.of(items)
        self._last = None
        return at

    def keep(self, items: tuple[T, ...], at: dict[str, int]) -> None:
        """``at`` is ``items``' index (the caller made ``items`` from the last tuple)."""
        self._last = (items, at)


#: The notices tuple of the last snapshot a group made, and the projects tuple.
_NOTICE_AT: Positions[Notice] = Positions()
_PROJECT_AT: Positions[Project] = Positions()


def merged_notices(held: tuple[Notice, ...], stored: Sequence[StoredNotice]) -> tuple[Notice, ...]:
    """``held`` (a snapshot's notices, in issue order) with the ``stored`` notices a group issued
    or closed as now stored: a known one replaced in place, a new one appended (in issue
    order); what ``Server._merge_notices`` reads from the database, from what the writer knows.
    Its cost is the changed notices', not every notice's (``Positions``), and so is the next
    scoped evaluation's index of them by project (``rules.engine.notices_followed``)."""
    index = _NOTICE_AT.take(held)
    out = list(held)
    replaced: list[int] = []
    for n in stored:
        i = index.get(n.code)
        if i is None:
            index[n.code] = len(out)
            out.append(to_model(n))
        else:
            out[i] = to_model(n)
            replaced.append(i)
    made = tuple(out)
    _NOTICE_AT.keep(made, index)
    notices_followed(held, made, replaced)  # (the scope's index by project, carried over)
    return made


def replace_milestones(portfolio: Portfolio, milestones: list[Milestone]) -> Portfolio:
    """``portfolio`` with these milestones replaced (the last of one key wins); every other
    project stays the same object (what ``rules.incremental`` compares by identity). Its cost
    is the changed projects', not the portfolio's: the projects' positions follow from the last
    tuple's (``Positions``), the new portfolio's ``project_by_id`` from the old one's (copied at
    C speed and patched), its other look-ups kept (``Portfolio.replaced``)."""
    by_project: dict[str, dict[str, Milestone]] = {}
    for m in milestones:
        by_project.setdefault(m.project, {})[m.id] = m
    at = _PROJECT_AT.of(portfolio.projects)
    projects = list(portfolio.projects)
    index = dict(portfolio.project_by_id)
    for pid, mine in by_project.items():
        i = at.get(pid)
        if i is None:
            continue
        p = projects[i]
        projects[i] = index[pid] = replace(p, milestones=tuple(mine.get(x.id, x) for x in p.milestones))
    made = tuple(projects)
    _PROJECT_AT.keep(made, at)
    out = portfolio.replaced(projects=made)
    out.__dict__["project_by_id"] = index  # (the cached property's own slot, filled ahead)
    return out


def replace_milestone(portfolio: Portfolio, m: Milestone) -> Portfolio:
    projects = tuple(
        replace(p, milestones=tuple(m if x.id == m.id else x for x in p.milestones)) if p.id == m.project else p
        for p in portfolio.projects
    )
    return replace(portfolio, projects=projects)


def check_milestone(m: Milestone, portfolio: Portfolio, today: dt.date) -> None:
    """The checks a report or a creation must pass: the catalogue's field checks and rules
    (``projects.validation.milestone_problems``, the same a portfolio file gets). Every
    problem is named, Chinese first; the error's place is the first one's field."""
    problems = milestone_problems(m, today, portfolio.unit_by_id)
    if problems:
        first = problems[0]
        more = "".join(f"; {p.where}: {p.bilingual()}" for p in problems[1:])
        raise InputError(first.where, first.bilingual() + more)
