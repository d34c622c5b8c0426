"""The server's orchestration: cached portfolio, evaluations, reports, rulebook workflow.

Controllers stay thin and call a :class:`Server`. Every change runs inside
``projects.storage.write_transaction``: the change, its audit entry, the re-evaluation, its findings
and the notices the notifier derives from them commit together or not at all. The current
portfolio is cached per process, keyed by the database revision (one cheap query per request
tells whether another process changed it).

Milestone reports are group-committed (``api.reports``, the ``ReportGroups`` part of the
server); the notice and rulebook actions the API and the pages share are here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from api import audit, offload
from api.reports import (
    Pacing,
    PendingReport,
    ReportGroups,
    Written,
    check_milestone,
    replace_milestone,
    replace_milestones,
)
from api.settings import Settings
from api.values import EvaluationOutcome, ForbiddenError, InputError, Snapshot, Versions, now_iso
from dsl import CompiledRulebook, compile_rulebook
from notifier import store
from notifier.store import StoredNotice
from projects import repository as projects_repo
from projects import storage
from projects.calendar import WorkCalendar, calendar_for
from projects.fields import control_character
from projects.model import Notice, Portfolio
from projects.replay import as_of as replay_as_of
from projects.storage import DbEngine
from rules import repository as rules_repo
from rules.engine import evaluate
from rules.findings import Evaluation
from rules.report import evaluation_json
from rules.repository import RulebookVersion

__all__ = [  # the server's interface; values and report helpers re-exported for callers
    "EvaluationOutcome", "ForbiddenError", "InputError", "Server", "Snapshot", "check_milestone",
    "compile_sources", "now_iso", "replace_milestone",
]


class _Handover:
    """A writer's promise of the snapshot of the revision it is committing (``Server._handover``)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.done = asyncio.Event()
        self.kept: Snapshot | None = None

    def announce(self, revision: int) -> None:
        self.server._publishing = (revision, self.done)

    def keep(self, snapshot: Snapshot) -> None:
        self.kept = snapshot


#: The youngest generation's threshold in a serving process (CPython's default is 700).
YOUNG_THRESHOLD = 20_000

#: The fewest milestones whose load settles the heap (``settle_heap``). Below it the
#: collections it saves cost little, while its full collection walks the whole process, the
#: interpreter's modules and everything else besides the portfolio: ~0.1 s at every load in a
#: process as large as the test run's, where small portfolios load by the hundred.
SETTLE_MILESTONES = 5_000


def settles(milestones: int) -> bool:
    """Whether a load of ``milestones`` milestones settles the heap afterwards."""
    return milestones >= SETTLE_MILESTONES


def settle_heap() -> None:
    """After a load: the loaded portfolio (hundreds of thousands of long-lived objects at
    40,000 milestones) moved out of the cyclic collector's reach (``gc.freeze``), and the
    youngest generation collected every ``YOUNG_THRESHOLD`` allocations instead of 700.
    Otherwise every full collection walks the whole portfolio again (a pause of its own in
    some request's latency), and a report group's evaluation, which allocates tens of
    thousands of short-lived values with the collector paused (``projects.memory``), pays
    for several young collections over all of them: about 12% of a group's CPU. What was
    frozen is still freed by reference counting; the previous load's frozen objects are
    unfrozen and collected first, so a reload leaves no cycle behind."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    young, *older = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_THRESHOLD), *older)


def _calendar(portfolio: Portfolio) -> WorkCalendar:
    return calendar_for(portfolio)


class Server(ReportGroups):
    """One per process: the engine, the settings and the caches."""

    def __init__(self, settings: Settings, engine: DbEngine) -> None:
        self.settings = settings
        self.engine = engine
        self._snapshot: Snapshot | None = None
        self._rulebook: tuple[int, CompiledRulebook] | None = None
        self._writer = asyncio.Lock()
        self._reports: list[PendingReport] = []
        self._loading = asyncio.Lock()
        self._revision_query: asyncio.Future[int] | None = None
        self._publishing: tuple[int, asyncio.Event] | None = None
        self._reporter: asyncio.Task[None] | None = None
        self._pacing = Pacing()
        self._gathering: tuple[int, asyncio.Event] | None = None
        self._written: Written | None = None  # what the report groups know of findings, notices

    def today(self) -> dt.date:
        return self.settings.current_day()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        """The write transaction every change runs in (one writer per process at a time)."""
        async with self._writer, storage.write_transaction(self.engine):
            yield

    # ------------------------------------------------------------ reads

    async def notices(self) -> tuple[Notice, ...]:
        """Every stored notice as the engine sees it (what the snapshot attaches)."""
        return tuple(await store.notices_for_engine(self.engine))

    async def _merge_notices(self, held: tuple[Notice, ...], codes: Sequence[str]) -> tuple[Notice, ...]:
        """``held`` with the notices of ``codes`` read anew (new ones appended in issue order)."""
        fresh = {n.id: n for n in await store.notices_for_engine(self.engine, codes=codes)}
        kept = tuple(fresh.pop(n.id, n) for n in held)
        return kept + tuple(fresh.values())

    async def _load(self, revision: int) -> Snapshot:
        """The portfolio, its notices and versions read afresh at ``revision``; and with them
        what the report groups hold (``Written.loaded``: every current finding, the open
        notices), unless a group already holds something as new. Read after ``revision`` was,
        so should anything commit meanwhile, the database is past ``revision`` and the next
        group starts afresh instead (``ReportGroups._written_at``)."""
        portfolio = await projects_repo.load_portfolio()
        notices = await store.every_notice(self.engine)
        portfolio = replace(portfolio, notices=tuple(store.to_model(n) for _, n in notices))
        versions = await projects_repo.all_milestone_versions()
        pids = [p.id for p in portfolio.projects]
        held = Written.loaded(revision, pids, await rules_repo.current_findings(pids), notices)
        if self._written is None or self._written.revision < revision:
            self._written = held
        made = Snapshot(revision, portfolio, _calendar(portfolio), Versions(versions))
        if settles(len(versions)):
            settle_heap()
        return made

    async def _advance(self, cached: Snapshot, revision: int) -> Snapshot | None:
        """``cached`` brought to ``revision`` by reading only what changed since, when every
        revision between was a milestone report group (another process's: the change rows of
        ``projects_repo.record_change``); None when one may have changed anything (reload).
        What it holds is what the writing process made: the reported milestones replaced,
        their versions, the notices the group issued or closed read anew."""
        changes = await projects_repo.changes_between(cached.revision, revision)
        if len(changes) != revision - cached.revision:
            return None
        keys = list(dict.fromkeys(k for milestones, _ in changes.values() for k in milestones))
        codes = list(dict.fromkeys(c for _, notices in changes.values() for c in notices))
        fresh = await projects_repo.get_milestones(keys)
        if len(fresh) != len(keys):  # a milestone gone: not a report's doing
            return None
        # the other projects stay the same objects (what rules.incremental compares)
        portfolio = replace_milestones(cached.portfolio, [fresh[k][0] for k in keys])
        versions = cached.versions.changed((k, fresh[k][1]) for k in keys)
        if codes:
            portfolio = portfolio.replaced(notices=await self._merge_notices(portfolio.notices, codes))
        return Snapshot(revision, portfolio, cached.calendar, versions)

    async def snapshot(self) -> Snapshot:
        """The current portfolio; reloaded only when the database revision moved.

        A revision this process is committing right now is waited for (its writer hands over
        the new snapshot), not reloaded; concurrent reloads share one load, and an older load
        never replaces a newer snapshot (revisions only grow).
        """
        revision = await self._revision()
        cached = self._snapshot
        if cached is not None and cached.revision >= revision:
            return cached  # (greater: the revision query began before this process's commit)
        publishing = self._publishing
        if publishing is not None and publishing[0] == revision:
            await publishing[1].wait()
            cached = self._snapshot
            if cached is not None and cached.revision >= revision:
                return cached
        async with self._loading:
            cached = self._snapshot
            if cached is None or cached.revision < revision:
                loaded = (await self._advance(cached, revision) if cached is not None else None) \
                    or await self._load(revision)
                if self._snapshot is None or self._snapshot.revision <= revision:
                    self._snapshot = loaded
                cached = loaded
        return cached

    async def _revision(self) -> int:
        """The database revision. Requests arriving together share one query (every request
        asks, and twenty at once would queue on the connections); inside a transaction the
        query is the transaction's own."""
        if self.engine.current_transaction.get() is not None:
            return await projects_repo.revision()
        pending = self._revision_query
        if pending is None or pending.done():
            pending = self._revision_query = asyncio.ensure_future(projects_repo.revision())
        return await asyncio.shield(pending)

    @asynccontextmanager
    async def _handover(self) -> AsyncIterator[_Handover]:
        """Around a write transaction that makes a new snapshot itself: once the writer
        ``announce``s its revision, readers that see that revision wait for the snapshot it
        ``keep``s, set after the commit (or give up and load it, should the commit fail)."""
        handover = _Handover(self)
        try:
            yield handover
        except BaseException:
            self._publishing = None
            handover.done.set()
            raise
        made = handover.kept
        if made is not None and (self._snapshot is None or self._snapshot.revision <= made.revision):
            self._snapshot = made
        self._publishing = None
        handover.done.set()

    async def portfolio_as_of(self, day: dt.date) -> Portfolio:
        """The portfolio as known on ``day``: reports known then, notices issued by then."""
        if day >= self.today():
            return (await self.snapshot()).portfolio
        rebuilt = await projects_repo.load_portfolio_as_of(day)
        rebuilt = replace(rebuilt, notices=await self.notices())
        return replay_as_of(rebuilt, day)

    async def portfolios_as_of(self, days: Sequence[dt.date]) -> dict[dt.date, Portfolio]:
        """``portfolio_as_of`` of several past days, the history read once for all."""
        notices = await self.notices()
        rebuilt = await projects_repo.load_portfolios_as_of(days)
        return {day: replay_as_of(replace(p, notices=notices), day) for day, p in rebuilt.items()}

    async def published_rulebook(self) -> tuple[int, CompiledRulebook] | None:
        """The latest published rulebook, compiled (once per version: each call reads its number
        alone, the sources only when it changed)."""
        number = await rules_repo.latest_published_number()
        if number is None:
            return None
        if self._rulebook is None or self._rulebook[0] != number:
            version = await rules_repo.get_version(number)
            self._rulebook = (number, await offload.run(compile_sources, version.sources))
        return self._rulebook

    # ------------------------------------------------------------ evaluation

    async def _evaluate_and_store(self, portfolio: Portfolio, calendar: WorkCalendar, as_of: dt.date, *,
                                  projects: Sequence[str] | None, actor: str, reason: str,
                                  written: Written | None = None) -> EvaluationOutcome:
        """Evaluate with the published rulebook and store it (inside the caller's transaction).

        ``written`` (a report group's, ``api.reports``): the current findings and open notices
        of ``projects`` this process knows, compared with instead of read and rewritten, and
        brought up to date. Without it, an evaluation that stores current findings makes what
        the process held of them stale (dropped), and a whole one moves the revision (other
        processes' held findings and snapshots are then stale too)."""
        published = await self.published_rulebook()
        if published is None:
            return EvaluationOutcome(None, as_of, None, (), ())
        number, rulebook = published
        # explained: storing reads every explanation anyway; the views go with the call
        evaluation = await offload.run(evaluate, rulebook, portfolio, as_of, calendar=calendar,
                                       projects=projects, explained=True)
        payload = evaluation_json(evaluation, with_findings=False)
        findings = tuple(evaluation.findings)
        errors = tuple(evaluation.errors)
        current = as_of == self.today()
        if written is not None and projects is not None and current:
            return await self._store_scoped(written, evaluation, payload=payload, number=number, as_of=as_of,
                                            portfolio=portfolio, calendar=calendar, projects=projects,
                                            actor=actor, reason=reason)
        if current:
            self._written = None
        eid = await rules_repo.store_evaluation(
            findings, as_of=as_of, rulebook_version=number, scope=projects, actor=actor, reason=reason,
            ran_at=now_iso(), errors=payload.get("errors", []), rates=payload.get("rates"),
            scores=payload.get("scores"), current=current)
        changed: tuple[str, ...] = ()
        if current:
            failed = tuple(e.rule for e in errors)
            applied = await store.record_evaluation(
                self.engine, findings, as_of, portfolio=portfolio, calendar=calendar,
                projects=projects, failed_rules=failed)
            changed = (*applied.issued, *applied.escalated, *applied.rectified)
            if projects is None:  # every stored finding moved (what report groups hold), and
                # notices: a change row says which, so snapshots advance instead of reloading
                await projects_repo.record_change(await projects_repo.bump_revision(), (), changed)
        return EvaluationOutcome(eid, as_of, number, findings, errors, changed)

    async def _store_scoped(self, written: Written, evaluation: Evaluation, *, payload: Mapping[str, Any],
                            number: int, as_of: dt.date, portfolio: Portfolio, calendar: WorkCalendar,
                            projects: Sequence[str], actor: str, reason: str) -> EvaluationOutcome:
        """A report group's evaluation stored against what ``written`` holds (read first for
        the projects it does not hold yet): only the findings that changed are written, the
        notices reconciled against the open ones held; ``written`` is brought up to date."""
        missing = [p for p in projects if p not in written.findings]
        if missing:
            written.findings.update(await rules_repo.current_findings(missing))
        findings = tuple(evaluation.findings)
        errors = tuple(evaluation.errors)
        stored, held = await rules_repo.store_scoped_evaluation(
            findings, {p: written.findings[p] for p in projects}, as_of=as_of, rulebook_version=number,
            scope=projects, actor=actor, reason=reason, ran_at=now_iso(), errors=payload.get("errors", []),
            rates=payload.get("rates"), scores=payload.get("scores"))
        written.findings.update(held)
        await written.know_notices(self.engine, projects)
        applied = await store.record_evaluation(
            self.engine, findings, as_of, portfolio=portfolio, calendar=calendar, projects=projects,
            failed_rules=tuple(e.rule for e in errors), held=written.open_notices(projects))
        written.apply(applied)
        changed = (*applied.issued, *applied.escalated, *applied.rectified)
        return EvaluationOutcome(stored.id, as_of, number, findings, errors, changed, stored,
                                 notices=(*applied.closed, *(n for _, n in applied.opened)))

    async def run_evaluation(self, actor: str, as_of: dt.date | None = None) -> EvaluationOutcome:
        """Evaluate every project today (stored as current) or as of a past day (stored only)."""
        day = as_of or self.today()
        async with self.writing():
            if day >= self.today():
                snap = await self.snapshot()
                portfolio, calendar = snap.portfolio, snap.calendar
            else:
                portfolio = await self.portfolio_as_of(day)
                calendar = _calendar(portfolio)
            return await self._evaluate_and_store(portfolio, calendar, day, projects=None,
                                                  actor=actor, reason="run")

    async def dry_run(self, sources: Mapping[str, str], days: Sequence[dt.date]) -> list[tuple[dt.date, Evaluation]]:
        """Evaluate ``sources`` on each day without storing anything (compiling and evaluating
        on a work thread, ``api.offload``: reads go on meanwhile)."""
        return [(day, evaluation) for day, _, evaluation in await self.dry_run_days(sources, days)]

    async def dry_run_days(self, sources: Mapping[str, str],
                           days: Sequence[dt.date]) -> list[tuple[dt.date, Portfolio, Evaluation]]:
        """As ``dry_run``, with the portfolio as known on each day (to name the subjects)."""
        rulebook = await offload.run(compile_sources, sources)
        out = []
        for day in days:
            portfolio = await self.portfolio_as_of(day)
            out.append((day, portfolio, await offload.run(evaluate, rulebook, portfolio, day,
                                                          calendar=_calendar(portfolio))))
        return out

    # ------------------------------------------------------------ changes

    async def save_rulebook(self, actor: str, sources: Mapping[str, str], note: str = "") -> RulebookVersion:
        """Save ``sources`` (file name -> rule text) as a new draft version, audited."""
        if not sources:
            raise InputError("sources", "give at least one file: {\"main.rules\": \"rule ...\"}")
        for name, text in sources.items():
            if not name.endswith(".rules") or "/" in name or "\\" in name:
                raise InputError(f"sources[{name!r}]", "file names end in .rules and have no folder, e.g. overdue.rules")
            bad = control_character(name) or control_character(text)
            if bad is not None:
                raise InputError(f"sources[{name!r}]", bad)
        async with self.writing():
            version = await rules_repo.save_draft(dict(sources), author=actor, note=note, at=now_iso())
            await audit.append(actor, "rulebook.save", f"rulebook:{version.number}", None,
                               {"files": sorted(version.sources), "note": version.note})
        return version

    async def check_rulebook(self, number: int) -> tuple[RulebookVersion, CompiledRulebook]:
        """Compile a saved version (``dsl.RulebookError`` with every located error if it does
        not check) and mark it checked; returns the version and the compiled rulebook."""
        version = await rules_repo.get_version(number)
        compiled = await offload.run(compile_sources, version.sources)
        async with self.writing():
            version = await rules_repo.mark_checked(number, at=now_iso())
        return version, compiled

    async def publish(self, actor: str, number: int) -> tuple[RulebookVersion, EvaluationOutcome]:
        """Publish a checked rulebook version and re-evaluate everything with it."""
        async with self.writing():
            before = await rules_repo.latest_published()
            version = await rules_repo.mark_published(number, at=now_iso())
            await audit.append(actor, "rulebook.publish", f"rulebook:{number}",
                               {"published": before.number if before else None},
                               {"published": number, "files": sorted(version.sources)})
            snap = await self.snapshot()
            outcome = await self._evaluate_and_store(snap.portfolio, snap.calendar, self.today(),
                                                     projects=None, actor=actor, reason="publish")
        return version, outcome

    # ------------------------------------------------------------ notices

    async def notice_action(self, actor: str, code: str, action: str, *, unit: str | None = None,
                            text: str | None = None, reason: str | None = None,
                            new_due: dt.date | None = None, attachment: str | None = None) -> StoredNotice:
        """A unit's response to a notice (``respond``) or the office's decision on it
        (``accept``/``reject``), audited, in one transaction; the API and the pages both call it.

        ``unit``: for ``respond``, the unit the caller answers for (``None``: the office, any
        unit). The notifier's life cycle refuses what a step does not allow: another unit's
        notice, a step the state does not take (409), a response without text, a rejection
        without a reason, a new deadline not after today (422, in zh and en).
        """
        for where, value in (("text", text), ("reason", reason), ("attachment", attachment)):
            bad = control_character(value) if value else None
            if bad is not None:
                raise InputError(where, bad)
        snap = await self.snapshot() if action == "reject" else None
        today = self.today()
        async with self.writing():
            old = await store.get_notice(self.engine, code)
            after: dict[str, Any] = {}
            if action == "respond":
                new = await store.respond(self.engine, code, today, text, unit=unit,
                                          attachment=attachment, actor=actor)
                after = {"text": text}
            elif action == "accept":
                new = await store.accept(self.engine, code, today, actor=actor)
            elif action == "reject":
                assert snap is not None
                new = await store.reject(self.engine, code, today, reason=reason,
                                         portfolio=snap.portfolio, new_due=new_due,
                                         calendar=snap.calendar, actor=actor)
                after = {"reason": reason}
            else:
                raise InputError("action", f"no notice action {action!r}; use respond, accept or reject")
            await self.changed(actor, f"notice.{action}", f"notice:{code}", _notice_brief(old),
                               {**_notice_brief(new), **after})
        return new

    async def changed(self, actor: str, action: str, subject: str, before: object, after: object) -> None:
        """Audit a change made inside the caller's transaction and bump the revision."""
        await audit.append(actor, action, subject, before, after)
        await projects_repo.bump_revision()


def _notice_brief(n: StoredNotice) -> dict[str, Any]:
    return {"state": str(n.state), "due": n.due.isoformat(),
            "responded": n.responded.isoformat() if n.responded else None}


def compile_sources(sources: Mapping[str, str]) -> CompiledRulebook:
    return compile_rulebook(dict(sources))


