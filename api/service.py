"""The server's orchestration: cached portfolio, evaluations, reports, rulebook workflow.

Controllers stay thin and call a :class:`Server`. Every change runs inside
``database.write_transaction``: the change, its audit entry, the re-evaluation, its findings
and the notices the notifier derives from them commit together or not at all. The current
portfolio is cached per process, keyed by the database revision (one cheap query per request
tells whether another process changed it).

Milestone reports are group-committed: reports that arrive while a group is being written
queue up and go together into the next transaction (each in a savepoint, so one refused
report leaves the others alone), with one re-evaluation of the projects they touched and one
commit. Under load this divides the fixed cost (revision, evaluation, findings, notices,
commit) among the group instead of queueing every report behind the previous one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import importlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from piccolo.engine.base import Engine

from api import audit, database
from api.settings import Settings
from projects import repository as projects_repo
from projects.fields import control_character
from projects.model import Milestone, Portfolio
from projects.repository import StaleVersionError, milestone_data
from rules import repository as rules_repo


def core(module: str) -> Any:
    """A core module by name, imported at first use (the core packages land independently)."""
    return importlib.import_module(module)


class InputError(ValueError):
    """A value a user sent that cannot be right: which field, what is wrong, what would do."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        super().__init__(f"{where}: {message}")


class ForbiddenError(PermissionError):
    """The signed-in user's role or unit does not allow this change."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    revision: int
    portfolio: Portfolio
    calendar: Any
    versions: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EvaluationOutcome:
    id: int | None
    as_of: dt.date
    rulebook_version: int | None
    findings: tuple[Any, ...]
    errors: tuple[Any, ...]
    notices_issued: tuple[str, ...] = ()
    notices_changed: tuple[str, ...] = ()  # issued, escalated or rectified


#: The most reports applied in one transaction (one group, one re-evaluation, one commit).
REPORT_GROUP = 64


@dataclass(slots=True)
class _Report:
    """A milestone report waiting for its group, and the future its caller awaits."""

    actor: str
    pid: str
    mid: str
    changes: dict[str, Any]
    version: int
    answer: asyncio.Future[tuple[Milestone, int, EvaluationOutcome]]


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


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _calendar(portfolio: Portfolio) -> Any:
    try:
        return core("projects.calendar").calendar_for(portfolio)
    except ModuleNotFoundError:
        return None


class Server:
    """One per process: the engine, the settings and the caches."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self._snapshot: Snapshot | None = None
        self._rulebook: tuple[int, Any] | None = None
        self._writer = asyncio.Lock()
        self._reports: list[_Report] = []
        self._loading = asyncio.Lock()
        self._publishing: tuple[int, asyncio.Event] | None = None
        self._reporter: asyncio.Task[None] | None = None

    def today(self) -> dt.date:
        return self.settings.current_day()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        """The write transaction every change runs in (one writer per process at a time)."""
        async with self._writer, database.write_transaction(self.engine):
            yield

    # ------------------------------------------------------------ reads

    async def _notices(self) -> tuple[Any, ...]:
        store = database.notifier_store()
        return () if store is None else tuple(await store.notices_for_engine(self.engine))

    async def _merge_notices(self, held: tuple[Any, ...], codes: Sequence[str]) -> tuple[Any, ...]:
        """``held`` with the notices of ``codes`` read anew (new ones appended in issue order)."""
        store = database.notifier_store()
        if store is None:
            return held
        fresh = {n.id: n for n in await store.notices_for_engine(self.engine, codes=codes)}
        kept = tuple(fresh.pop(n.id, n) for n in held)
        return kept + tuple(fresh.values())

    async def _load(self, revision: int) -> Snapshot:
        portfolio = await projects_repo.load_portfolio()
        portfolio = replace(portfolio, notices=await self._notices())
        versions = await projects_repo.all_milestone_versions()
        return Snapshot(revision, portfolio, _calendar(portfolio), versions)

    async def snapshot(self) -> Snapshot:
        """The current portfolio; reloaded only when the database revision moved.

        A revision this process is committing right now is waited for (its writer hands over
        the new snapshot), not reloaded; concurrent reloads share one load, and an older load
        never replaces a newer snapshot (revisions only grow).
        """
        revision = await projects_repo.revision()
        cached = self._snapshot
        if cached is not None and cached.revision >= revision:
            return cached  # (greater: the revision query began before this process's commit)
        publishing = self._publishing
        if publishing is not None and publishing[0] == revision:
            await publishing[1].wait()
            cached = self._snapshot
            if cached is not None and cached.revision == revision:
                return cached
        async with self._loading:
            cached = self._snapshot
            if cached is None or cached.revision < revision:
                loaded = await self._load(revision)
                if self._snapshot is None or self._snapshot.revision <= revision:
                    self._snapshot = loaded
                cached = loaded
        return cached

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
        rebuilt = replace(rebuilt, notices=await self._notices())
        return core("projects.replay").as_of(rebuilt, day)  # type: ignore[no-any-return]

    async def published_rulebook(self) -> tuple[int, Any] | None:
        version = await rules_repo.latest_published()
        if version is None:
            return None
        if self._rulebook is None or self._rulebook[0] != version.number:
            self._rulebook = (version.number, compile_sources(version.sources))
        return self._rulebook

    # ------------------------------------------------------------ evaluation

    async def _evaluate_and_store(self, portfolio: Portfolio, calendar: Any, as_of: dt.date, *,
                                  projects: Sequence[str] | None, actor: str, reason: str) -> EvaluationOutcome:
        """Evaluate with the published rulebook and store it (inside the caller's transaction)."""
        published = await self.published_rulebook()
        if published is None:
            return EvaluationOutcome(None, as_of, None, (), ())
        number, rulebook = published
        evaluation = core("rules.engine").evaluate(rulebook, portfolio, as_of, calendar=calendar,
                                                   projects=projects)
        payload = core("rules.report").evaluation_json(evaluation, with_findings=False)
        findings = tuple(evaluation.findings)
        errors = tuple(evaluation.errors)
        eid = await rules_repo.store_evaluation(
            findings, as_of=as_of, rulebook_version=number, scope=projects, actor=actor, reason=reason,
            ran_at=now_iso(), errors=payload.get("errors", []), rates=payload.get("rates"),
            scores=payload.get("scores"), current=as_of == self.today())
        issued: tuple[str, ...] = ()
        changed: tuple[str, ...] = ()
        store = database.notifier_store()
        if store is not None and as_of == self.today():
            failed = tuple(getattr(e, "rule", e) for e in errors)
            applied = await store.record_evaluation(
                self.engine, findings, as_of, portfolio=portfolio, calendar=calendar,
                projects=projects, failed_rules=failed)
            issued = tuple(applied.issued)
            changed = (*applied.issued, *applied.escalated, *applied.rectified)
            if changed and projects is None:  # the snapshot holds notices: reload it after this
                await projects_repo.bump_revision()
        return EvaluationOutcome(eid, as_of, number, findings, errors, issued, changed)

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

    async def dry_run(self, sources: Mapping[str, str], days: Sequence[dt.date]) -> list[tuple[dt.date, Any]]:
        """Evaluate ``sources`` on each day without storing anything."""
        rulebook = compile_sources(sources)
        out = []
        for day in days:
            portfolio = await self.portfolio_as_of(day)
            out.append((day, core("rules.engine").evaluate(rulebook, portfolio, day,
                                                           calendar=_calendar(portfolio))))
        return out

    # ------------------------------------------------------------ changes

    async def report_milestone(self, actor: str, pid: str, mid: str, changes: Mapping[str, Any],
                               version: int) -> tuple[Milestone, int, EvaluationOutcome]:
        """Apply an owner's report if ``version`` is current, then re-evaluate that project.

        Reports arriving together are applied as one group (module header): each in its own
        savepoint, so a stale or invalid one is refused alone, then one re-evaluation of the
        projects they touched, one commit. The answer is this report's.
        """
        report = _Report(actor, pid, mid, dict(changes), version,
                         asyncio.get_running_loop().create_future())
        self._reports.append(report)
        if self._reporter is None or self._reporter.done():
            self._reporter = asyncio.create_task(self._apply_reports())
        return await asyncio.shield(report.answer)

    async def _apply_reports(self) -> None:
        """Drain the queue of reports, a group at a time, until it is empty."""
        while self._reports:
            group, self._reports = self._reports[:REPORT_GROUP], self._reports[REPORT_GROUP:]
            try:
                await self._apply_group(group)
            except Exception as exc:  # the group's transaction rolled back: nothing was written
                for r in group:
                    if not r.answer.done():
                        r.answer.set_exception(exc)

    async def _apply_group(self, group: list[_Report]) -> None:
        today = self.today()
        applied: list[tuple[_Report, Milestone, int]] = []
        async with self._handover() as handover, self.writing():
            snap = await self.snapshot()
            portfolio, versions = snap.portfolio, dict(snap.versions)
            tail: audit.AuditEntry | None = None
            for r in group:
                savepoint = await database.savepoint(self.engine)
                try:
                    new, new_version, entry = await self._apply_one(r, portfolio, versions, today, tail)
                except Exception as exc:  # this report alone is refused
                    await savepoint.rollback_to()
                    r.answer.set_exception(exc)
                    continue
                await savepoint.release()
                portfolio = replace_milestone(portfolio, new)
                versions[(r.pid, r.mid)] = new_version
                tail = entry
                applied.append((r, new, new_version))
            if not applied:
                return
            revision = await projects_repo.bump_revision()
            handover.announce(revision)
            touched = list(dict.fromkeys(r.pid for r, _, _ in applied))
            outcome = await self._evaluate_and_store(
                portfolio, snap.calendar, today, projects=touched,
                actor=", ".join(dict.fromkeys(r.actor for r, _, _ in applied)), reason="report")
            notices = portfolio.notices
            if outcome.notices_changed:
                notices = await self._merge_notices(notices, outcome.notices_changed)
            made = Snapshot(revision, replace(portfolio, notices=notices), snap.calendar, versions)
            handover.keep(made)
        for r, new, new_version in applied:
            mine = tuple(f for f in outcome.findings if getattr(f, "project", None) == r.pid)
            r.answer.set_result((new, new_version, replace(outcome, findings=mine)))

    async def _apply_one(self, r: _Report, portfolio: Portfolio, versions: Mapping[tuple[str, str], int],
                         today: dt.date, tail: audit.AuditEntry | None) -> tuple[Milestone, int, audit.AuditEntry]:
        """Check and store one report with its audit entry (inside the group's transaction).
        The state it changes comes from the snapshot (current: the group holds the writer and
        checked the revision); the update itself is conditional on the version, so a snapshot
        that were somehow behind would refuse the report as stale, never lose an update."""
        project = portfolio.project_by_id.get(r.pid)
        old = next((m for m in project.milestones if m.id == r.mid), None) if project else None
        current = versions.get((r.pid, r.mid))
        if old is None or current is None:
            old, current = await projects_repo.get_milestone(r.pid, r.mid)  # 404 with suggestions
        if r.version != current:
            raise StaleVersionError("milestone", f"{r.pid}/{r.mid}", r.version, current, (old, current))
        new = replace(old, **r.changes)
        if "updated" not in r.changes:
            new = replace(new, updated=today)
        check_milestone(new, portfolio, today)
        new_version = await projects_repo.update_milestone(
            new, expected_version=current, actor=r.actor, known_on=today, recorded_at=now_iso())
        entry = await audit.append(r.actor, "milestone.report", f"milestone:{r.pid}/{r.mid}",
                                   {"version": current, **milestone_data(old)},
                                   {"version": new_version, **milestone_data(new)}, tail=tail)
        return new, new_version, entry

    async def save_rulebook(self, actor: str, sources: Mapping[str, str], note: str = "") -> Any:
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

    async def check_rulebook(self, number: int) -> tuple[Any, Any]:
        """Compile a saved version (``dsl.RulebookError`` with every located error if it does
        not check) and mark it checked; returns the version and the compiled rulebook."""
        version = await rules_repo.get_version(number)
        compiled = compile_sources(version.sources)
        async with self.writing():
            version = await rules_repo.mark_checked(number, at=now_iso())
        return version, compiled

    async def publish(self, actor: str, number: int) -> tuple[Any, EvaluationOutcome]:
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
                            new_due: dt.date | None = None, attachment: str | None = None) -> Any:
        """A unit's response to a notice (``respond``) or the office's decision on it
        (``accept``/``reject``), audited, in one transaction; the API and the pages both call it.

        ``unit``: for ``respond``, the unit the caller answers for (``None``: the office, any
        unit). The notifier refuses a step its life cycle does not allow (a 409 with the state).
        """
        store = database.notifier_store()
        if store is None:
            raise InputError("notice", "notices are not available (the notifier is not installed)")
        for where, value in (("text", text), ("reason", reason), ("attachment", attachment)):
            bad = control_character(value) if value else None
            if bad is not None:
                raise InputError(where, bad)
        if action == "respond" and not (text or "").strip():
            raise InputError("text", "a response needs some text: what was done, or why not yet")
        snap = await self.snapshot() if action == "reject" else None
        today = self.today()
        async with self.writing():
            old = await store.get_notice(self.engine, code)
            after: dict[str, Any] = {}
            if action == "respond":
                if unit is not None and unit != old.unit:
                    raise ForbiddenError(f"notice {code} is addressed to unit {old.unit}; only it may respond")
                new = await store.respond(self.engine, code, today, text, attachment=attachment, actor=actor)
                after = {"text": text}
            elif action == "accept":
                new = await store.accept(self.engine, code, today, actor=actor)
            elif action == "reject":
                assert snap is not None
                new = await store.reject(self.engine, code, today, reason=reason or "—",
                                         portfolio=snap.portfolio, new_due=new_due,
                                         calendar=snap.calendar, actor=actor)
                after = {"reason": reason or "—"}
            else:
                raise InputError("action", f"no notice action {action!r}; use respond, accept or reject")
            await self.changed(actor, f"notice.{action}", f"notice:{code}", _notice_brief(old),
                               {**_notice_brief(new), **after})
        return new

    async def changed(self, actor: str, action: str, subject: str, before: Any, after: Any) -> None:
        """Audit a change made inside the caller's transaction and bump the revision."""
        await audit.append(actor, action, subject, before, after)
        await projects_repo.bump_revision()


def _notice_brief(n: Any) -> dict[str, Any]:
    return {"state": str(n.state), "due": n.due.isoformat(),
            "responded": n.responded.isoformat() if n.responded else None}


def compile_sources(sources: Mapping[str, str]) -> Any:
    return core("dsl").compile_rulebook(dict(sources))


def replace_milestone(portfolio: Portfolio, m: Milestone) -> Portfolio:
    projects = tuple(
        replace(p, milestones=tuple(m if x.id == m.id else x for x in p.milestones)) if p.id == m.project else p
        for p in portfolio.projects
    )
    return replace(portfolio, projects=projects)


def check_milestone(m: Milestone, portfolio: Portfolio, today: dt.date) -> None:
    """The checks a report must pass; each failure names the field and what would be right."""
    where = f"milestone {m.project}/{m.id}"
    for name in ("name", "note", "unit"):
        text = getattr(m, name)
        bad = control_character(text) if isinstance(text, str) else None
        if bad is not None:
            raise InputError(f"{where}.{name}", bad)
    for name in ("due", "start", "finished", "updated"):
        day = getattr(m, name)
        if day is not None and not 1990 <= day.year <= 2100:
            raise InputError(f"{where}.{name}", f"{day.isoformat()} is not a plausible date; give one in 1990..2100")
    if m.progress is not None and not 0 <= m.progress <= 1:
        raise InputError(f"{where}.progress", f"{m.progress!r} is outside 0..1 (35% is 0.35)")
    for name in ("amount", "paid"):
        value = getattr(m, name)
        if value is not None and value < 0:
            raise InputError(f"{where}.{name}", f"{value!r} is negative; amounts are yuan, 0 or more")
    if m.finished is not None and m.finished > today:
        raise InputError(f"{where}.finished", f"{m.finished.isoformat()} is later than today "
                         f"({today.isoformat()}); report it once it has happened")
    if m.start is not None and m.due is not None and m.start > m.due:
        raise InputError(f"{where}.start", f"{m.start.isoformat()} is after due {m.due.isoformat()}")
    if m.unit is not None and m.unit not in portfolio.unit_by_id:
        near = difflib.get_close_matches(m.unit, list(portfolio.unit_by_id), n=3)
        hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
        raise InputError(f"{where}.unit", f"no unit {m.unit!r}{hint}")
