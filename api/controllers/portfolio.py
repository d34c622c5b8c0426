"""Units, projects and milestones: reads from the cached portfolio, changes through the server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, patch, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import Parameter

from api import visibility
from api.auth import AppRequest, Principal, may_report, roles, signed_in
from api.controllers.common import (
    Limit,
    Offset,
    caller,
    evaluation_read,
    finding_read,
    held_finding_read,
    levels,
)
from api.schemas import (
    MilestoneCreate,
    MilestoneHistoryEntry,
    MilestonePage,
    MilestoneRead,
    MilestoneReportResult,
    MilestoneUpdate,
    ProjectCreate,
    ProjectDetail,
    ProjectPage,
    ProjectRead,
    ProjectUpdate,
    UnitCreate,
    UnitPage,
    UnitRead,
    UnitUpdate,
    milestone_read,
    project_detail,
    project_read,
    record_values,
    set_fields,
    unit_read,
)
from api.service import InputError, Server
from projects import assignment as assignment_check
from projects import catalogue
from projects import repository as repo
from projects.assignment import person_outside
from projects.cadence import CadenceError, parse_cadence
from projects.fields import Fields
from projects.model import Dependency, Kind, Milestone, Portfolio, Project, Unit
from projects.validation import record_checks
from rules import repository as rules_repo

OFFICE = roles("office")


def _kind(value: str, where: str) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        raise InputError(where, f"{value!r} is not a kind; use one of {', '.join(k.value for k in Kind)}") from None


class UnitController(Controller):
    path = "/api/units"
    tags = ["units"]  # noqa: RUF012

    @get("/", operation_id="listUnits", guards=[signed_in])
    async def list_units(self, server: Server, offset: Offset = 0, limit: Limit = 50,
                         parent: str | None = None) -> UnitPage:
        units = [u for u in (await server.snapshot()).portfolio.units if parent is None or u.parent == parent]
        return UnitPage([unit_read(u) for u in units[offset:offset + limit]], len(units), offset, limit)

    @get("/{uid:str}", operation_id="getUnit", guards=[signed_in])
    async def get_unit(self, server: Server, uid: str) -> UnitRead:
        portfolio = (await server.snapshot()).portfolio
        if uid not in portfolio.unit_by_id:
            return unit_read(await repo.get_unit(uid))  # raises 404 with suggestions
        return unit_read(portfolio.unit_by_id[uid])

    @post("/", operation_id="createUnit", guards=[OFFICE])
    async def create_unit(self, request: AppRequest, server: Server, data: UnitCreate) -> UnitRead:
        unit = Unit(**record_values(data))
        if not unit.id.strip() or not unit.name.strip():
            raise InputError("id", "a unit needs a non-empty id and name")
        async with server.writing():
            if unit.parent is not None:
                await repo.get_unit(unit.parent)
            await repo.save_unit(unit, create=True)
            await server.changed(caller(request).username, "unit.create", f"unit:{unit.id}", None,
                                 {"id": unit.id, "name": unit.name, "parent": unit.parent, "level": unit.level})
        return unit_read(unit)

    @patch("/{uid:str}", operation_id="updateUnit", guards=[OFFICE])
    async def update_unit(self, request: AppRequest, server: Server, uid: str, data: UnitUpdate) -> UnitRead:
        async with server.writing():
            old = await repo.get_unit(uid)
            changes = set_fields(data)
            if "contacts" in changes:
                changes["contacts"] = tuple(changes["contacts"])
            new = replace(old, **changes)
            await repo.save_unit(new, create=False)
            await server.changed(caller(request).username, "unit.update", f"unit:{uid}",
                                 {"name": old.name, "parent": old.parent, "level": old.level, "contacts": len(old.contacts)},
                                 {"name": new.name, "parent": new.parent, "level": new.level, "contacts": len(new.contacts)})
        return unit_read(new)


class ProjectController(Controller):
    path = "/api/projects"
    tags = ["projects"]  # noqa: RUF012

    @get("/", operation_id="listProjects", guards=[signed_in])
    async def list_projects(self, *, request: AppRequest, server: Server, offset: Offset = 0, limit: Limit = 50,
                            unit: str | None = None, category: str | None = None,
                            q: Annotated[str | None, Parameter(description="text in id or name")] = None) -> ProjectPage:
        """The projects the caller sees (``api.visibility``), filtered."""
        who = caller(request)
        ps = [p for p in (await server.snapshot()).portfolio.projects
              if (unit is None or p.unit == unit) and (category is None or p.category.value == category)
              and (q is None or q in p.id or q in p.name) and visibility.sees_project(who, p)]
        return ProjectPage([project_read(p) for p in ps[offset:offset + limit]], len(ps), offset, limit)

    @get("/{pid:str}", operation_id="getProject", guards=[signed_in])
    async def get_project(self, request: AppRequest, server: Server, pid: str) -> ProjectDetail:
        snap = await server.snapshot()
        p = await seen_project(caller(request), snap.portfolio.project_by_id.get(pid), pid)
        return project_detail(p, snap.versions)

    @post("/", operation_id="createProject", guards=[OFFICE])
    async def create_project(self, request: AppRequest, server: Server, data: ProjectCreate) -> ProjectRead:
        sent = record_values(data)
        project = Project(**project_fields(sent))
        if not project.id.strip():
            raise InputError("id", "a project needs a non-empty id like P001")
        async with server.writing():
            await repo.get_unit(project.unit)
            await repo.save_project(project, create=True)
            await server.changed(caller(request).username, "project.create", f"project:{project.id}", None, sent)
        return project_read(project)

    @patch("/{pid:str}", operation_id="updateProject", guards=[OFFICE])
    async def update_project(self, request: AppRequest, server: Server, pid: str, data: ProjectUpdate) -> ProjectRead:
        return project_read(await change_project(server, caller(request).username, pid, set_fields(data)))


async def change_project(server: Server, actor: str, pid: str, changes: dict[str, Any]) -> Project:
    """The office's change of project ``pid`` (the API's and the assignment page's): checked
    against the portfolio inside the write transaction, saved and audited; refused
    (``InputError`` naming the field, 404 for an unknown project or lead unit) with nothing
    written."""
    async with server.writing():
        await repo.project_version(pid)
        old = (await server.snapshot()).portfolio.project_by_id[pid]
        changes = project_fields(changes)
        if "unit" in changes:
            await repo.get_unit(changes["unit"])
        changes = assignment((await server.snapshot()).portfolio, old, changes)
        new = replace(old, **changes)
        await repo.save_project(new, create=False)
        await server.changed(actor, "project.update", f"project:{pid}", _project_brief(old), _project_brief(new))
    return new


#: A project's own fields a change is checked with value by value, by the catalogue's
#: validators (``projects.validation``: the same checks and messages as portfolio files,
#: Excel imports and the API); the assignment's references are ``assignment``'s.
_PROJECT_CHECKS = {name: check for name, check in record_checks(catalogue.PROJECT).items()
                   if name in ("name", "category", "budget", "source", "instruction")}


def project_fields(changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` with the name, category, budget, source and instruction checked and made
    model values (a category word its ``Category``); refused (``InputError`` at the first
    field wrong, every problem named) with nothing written."""
    out = dict(changes)
    f = Fields()
    for name, check in _PROJECT_CHECKS.items():
        if out.get(name) is not None:
            out[name] = check(out[name], f, "")
    if f.problems:
        first, *more = f.problems
        raise InputError(first.where.lstrip("."), first.bilingual()
                         + "".join(f"; {p.where.lstrip('.')}: {p.bilingual()}" for p in more))
    return out


def _project_brief(p: Project) -> dict[str, Any]:
    """What the audit trail keeps of a project's own fields, assignment (交办) included."""
    return {"name": p.name, "category": p.category.value, "unit": p.unit, "budget": p.budget,
            "co_units": list(p.co_units), "person": p.person, "urgent": p.urgent,
            "source": p.source, "instruction": p.instruction,
            "report_every": None if p.report_every is None else str(p.report_every)}


def assignment(portfolio: Portfolio, old: Project, changes: dict[str, Any]) -> dict[str, Any]:
    """The assignment fields of a project change checked against the portfolio and turned into
    model values: every co-unit a known unit other than the lead and listed once, the person
    known, the cadence a duration. Refused (``InputError`` naming the field, nothing written)
    otherwise."""
    out = dict(changes)
    lead = out.get("unit", old.unit)
    if "co_units" in out:
        out["co_units"] = _checked(assignment_check.co_units, out["co_units"], lead=lead,
                                   units=portfolio.unit_by_id)
    elif "unit" in out and out["unit"] in old.co_units:
        raise InputError("unit", f'「{out["unit"]}」已是配合单位，请先从配合单位中移除 — "{out["unit"]}" is one of the co-units; '
                         "take it off co_units first")
    _person_and_cadence(portfolio, out)
    lead, cos = out.get("unit", old.unit), out.get("co_units", old.co_units)
    moved = "co_units" if "co_units" in out else "unit"  # the field that made a person no longer fit
    _person_fits(portfolio, out.get("person", old.person), lead, cos, "person" if "person" in out else moved)
    for m in old.milestones:  # those answering with the project's units keep fitting them
        if m.person is not None and ("co_units" in out or "unit" in out):
            _person_fits(portfolio, m.person, m.unit or lead, cos if m.co_units is None else m.co_units,
                         moved, milestone=f"{old.id}/{m.id}")
    for field in ("source", "instruction"):
        if isinstance(out.get(field), str) and not out[field].strip():
            out[field] = None  # an empty text clears the field
        most = catalogue.field("project", field).max_length
        if isinstance(out.get(field), str) and most is not None and len(out[field]) > most:
            raise InputError(field, f"{catalogue.field('project', field).zh}最多 {most} 个字，现有 {len(out[field])} 个 "
                                    f"— at most {most} characters, not {len(out[field])}")
    return out


def _person_and_cadence(portfolio: Portfolio, out: dict[str, Any]) -> None:
    """The person of a project or milestone change known, its cadence a duration (parsed in
    place); refused with ``InputError`` naming the field otherwise."""
    if out.get("person") is not None:
        out["person"] = _checked(assignment_check.person, out["person"], people=portfolio.person_by_id)
    if out.get("report_every") is not None:
        try:
            out["report_every"] = parse_cadence(out["report_every"])
        except CadenceError as exc:
            raise InputError("report_every", f"报送周期不是时长，请写如 周报、月报、2 周、10 个工作日 — {exc}") from None


def _checked(check: Callable[..., Any], value: object, **known: Any) -> Any:
    """``value`` through a ``projects.assignment`` check, the one files and Excel go through:
    its clean value, or ``InputError`` at the first problem's field in both languages."""
    f = Fields()
    clean = check(value, f, "", **known)
    if f.problems:
        p = f.problems[0]
        raise InputError(p.where.lstrip("."), p.bilingual())
    return clean


async def seen_project(who: Principal, project: Project | None, pid: str) -> Project:
    """``project`` when ``who`` may see it (``api.visibility.sees_project``); 404 with
    suggestions when there is no such project, 403 when it is another unit's."""
    if project is None:
        await repo.project_version(pid)  # 404 with suggestions
        raise AssertionError  # pragma: no cover
    if not visibility.sees_project(who, project):
        raise PermissionDeniedException(
            f"项目 {pid} 不属于您的单位 — project {pid} belongs to unit {project.unit}, and no milestone of it "
            f"is assigned to {who.username} ({who.role}, unit {who.unit})")
    return project


def _matches(m: Milestone, project_unit: str, *, unit: str | None, kind: str | None, done: bool | None,
             due_before: dt.date | None, today: dt.date) -> bool:
    return ((unit is None or (m.unit or project_unit) == unit)
            and (kind is None or m.kind.value == kind)
            and (done is None or (m.finished is not None and m.finished <= today) == done)
            and (due_before is None or (m.due is not None and m.due < due_before)))


class MilestoneController(Controller):
    path = "/api"
    tags = ["milestones"]  # noqa: RUF012

    @get("/milestones", operation_id="listMilestones", guards=[signed_in])
    async def list_milestones(self, *, request: AppRequest, server: Server, offset: Offset = 0, limit: Limit = 50,
                              project: str | None = None, unit: str | None = None, kind: str | None = None,
                              done: bool | None = None, due_before: dt.date | None = None) -> MilestonePage:
        """The milestones of the projects the caller sees (``api.visibility``), filtered."""
        who = caller(request)
        snap = await server.snapshot()
        today = server.today()
        rows = [m for p in snap.portfolio.projects
                if (project is None or p.id == project) and visibility.sees_project(who, p)
                for m in p.milestones if _matches(m, p.unit, unit=unit, kind=kind, done=done,
                                      due_before=due_before, today=today)]
        return MilestonePage([milestone_read(m, snap.versions.get(m.key, 1)) for m in rows[offset:offset + limit]],
                             len(rows), offset, limit)

    @get("/projects/{pid:str}/milestones/{mid:str}", operation_id="getMilestone", guards=[signed_in])
    async def get_milestone(self, request: AppRequest, server: Server, pid: str, mid: str) -> MilestoneRead:
        """The milestone and its version from the current snapshot (what a report checks its
        version against), read from the database only when the snapshot lacks it (404)."""
        snap = await server.snapshot()
        project = snap.portfolio.project_by_id.get(pid)
        await seen_project(caller(request), project, pid)
        m = next((x for x in project.milestones if x.id == mid), None) if project is not None else None
        version = snap.versions.get((pid, mid))
        if m is None or version is None:
            m, version = await repo.get_milestone(pid, mid)  # 404 with suggestions
        return milestone_read(m, version)

    @get("/projects/{pid:str}/milestones/{mid:str}/history", operation_id="getMilestoneHistory", guards=[signed_in])
    async def history(self, request: AppRequest, server: Server, pid: str, mid: str) -> list[MilestoneHistoryEntry]:
        """Every stored version of the milestone (notes and actors): for those who see its project."""
        await seen_project(caller(request), (await server.snapshot()).portfolio.project_by_id.get(pid), pid)
        return [MilestoneHistoryEntry(r.version, r.known_on, r.recorded_at, r.actor, milestone_read(r.milestone, r.version))
                for r in await repo.milestone_history(pid, mid)]

    @post("/projects/{pid:str}/milestones", operation_id="createMilestone", guards=[OFFICE])
    async def create_milestone(self, request: AppRequest, server: Server, pid: str, data: MilestoneCreate) -> MilestoneRead:
        fields = msgspec.structs.asdict(data)  # the catalogue's fields (api.schemas)
        fields["kind"] = _kind(fields["kind"], "kind")
        fields["after"] = tuple(Dependency(d.on, d.lag, d.project, d.type) for d in fields["after"])
        m = Milestone(project=pid, updated=server.today(), **fields)
        async with server.writing():
            snap = await server.snapshot()
            await repo.project_version(pid)
            from api.service import check_milestone  # noqa: PLC0415

            check_milestone(m, snap.portfolio, server.today())
            keys = {x.key for x in snap.portfolio.milestones()}
            for i, d in enumerate(m.after):
                if (d.project or pid, d.on) not in keys:
                    raise InputError(f"after[{i}]", f"no milestone {d.on!r} in {d.project or pid}")
            await repo.create_milestone(m, position=None, actor=caller(request).username,
                                        known_on=server.today(), recorded_at=_now())
            await server.changed(caller(request).username, "milestone.create", f"milestone:{pid}/{m.id}", None,
                                 repo.milestone_data(m))
        return milestone_read(m, 1)

    @patch("/projects/{pid:str}/milestones/{mid:str}", operation_id="reportMilestone", guards=[signed_in])
    async def report_milestone(self, request: AppRequest, server: Server, pid: str, mid: str,
                               data: MilestoneUpdate) -> MilestoneReportResult:
        who = caller(request)
        snap = await server.snapshot()
        project = snap.portfolio.project_by_id.get(pid)
        current = next((m for m in project.milestones if m.id == mid), None) if project else None
        if project is None or current is None:
            await repo.get_milestone(pid, mid)  # 404 with suggestions
            raise AssertionError  # pragma: no cover
        if not may_report(who, project.unit, current.unit):
            raise PermissionDeniedException(
                f"{who.username} ({who.role}, unit {who.unit}) may not report milestones of {pid}, "
                f"which belongs to unit {project.unit}")
        changes = set_fields(data, skip=("version",))
        if changes.get("co_units") is not None:  # [] none of its own; null the project's again
            changes["co_units"] = tuple(changes["co_units"])
        if who.role != "office":
            _refuse_office_fields(who.username, who.role, current, changes)
        changes = milestone_change(snap.portfolio, project, current, changes)
        new, version, outcome = await server.report_milestone(who.username, pid, mid, changes, data.version)
        evaluation = None
        found = []
        if outcome.id is not None:  # what the report's group stored, known to its writer
            stored = outcome.stored if outcome.stored is not None else await rules_repo.get_evaluation(outcome.id)
            evaluation = evaluation_read(stored, levels(outcome.findings))
            if outcome.current is not None:
                found = [held_finding_read(h) for h in outcome.current[:500]]
            else:
                found = [finding_read(f) for f in (await rules_repo.findings(project=pid, limit=500))[0]]
        return MilestoneReportResult(milestone_read(new, version), evaluation, found)


def milestone_assignment(portfolio: Portfolio, project: Project, m: Milestone,
                         changes: dict[str, Any]) -> dict[str, Any]:
    """A milestone's own person, co-units and cadence (the office's; absent: the project's)
    checked as a project's are (``assignment``): co-units known units other than the
    milestone's responsible unit, each once; the person known; the cadence a duration."""
    out = dict(changes)
    if "co_units" in out:
        out["co_units"] = _checked(assignment_check.co_units, out["co_units"],
                                   lead=out.get("unit", m.unit) or project.unit, units=portfolio.unit_by_id,
                                   milestone=f"{m.project}/{m.id}")
    _person_and_cadence(portfolio, out)
    cos = out.get("co_units", project.co_units if m.co_units is None else m.co_units)
    _person_fits(portfolio, out.get("person", m.person), out.get("unit", m.unit) or project.unit, cos,
                 "person" if "person" in out else "co_units")
    return out


#: A milestone's own assignment (交办): a change of these alone is the office's, not a report.
MILESTONE_ASSIGNMENT = frozenset({"unit", "person", "co_units", "report_every"})


def milestone_change(portfolio: Portfolio, project: Project, m: Milestone,
                     changes: Mapping[str, Any]) -> dict[str, Any]:
    """A change of milestone ``m`` checked as the API's report endpoint and the milestone's
    assignment page check it (``milestone_assignment``), with two rules of their own:
    ``co_units`` ``None`` gives the milestone the project's co-units again (those are what the
    person must fit, the milestone's responsible unit left out); and a change of only
    ``MILESTONE_ASSIGNMENT`` fields is no report, so the last report day (``updated``), and
    with it the next report's due day, stays as it was."""
    out = dict(changes)
    inherit = "co_units" in out and out["co_units"] is None
    if inherit:
        lead = out.get("unit", m.unit) or project.unit
        out["co_units"] = tuple(u for u in project.co_units if u != lead)
    out = milestone_assignment(portfolio, project, m, out)
    if inherit:
        out["co_units"] = None
    if out and out.keys() <= MILESTONE_ASSIGNMENT:
        out["updated"] = m.updated
    return out


def _person_fits(portfolio: Portfolio, person: str | None, lead: str, co_units: Sequence[str], field: str, *,
                 milestone: str | None = None) -> None:
    """The person works in the lead unit or a co-unit (``projects.assignment.person_outside``, the
    rule files and Excel go through too); refused naming ``field`` otherwise."""
    known = portfolio.person_by_id.get(person) if person is not None else None
    said = None if known is None else person_outside(person, known.unit, lead, tuple(co_units))
    if said is not None:
        en, zh = said
        if milestone is not None:
            en, zh = f"milestone {milestone}: {en}", f"节点 {milestone}：{zh}"
        raise InputError(field, f"{zh} — {en}")


def _refuse_office_fields(username: str, role: str, current: Milestone, changes: Mapping[str, Any]) -> None:
    """An owner's or unit's report may change only the catalogue's reportable fields (issue
    15.5): a change to an office field (due, name, unit, ...) is refused before anything is
    written, naming the field; sending its current value back unchanged is no change."""
    moved = [name for name in changes
             if name in catalogue.MILESTONE_OFFICE_ONLY and changes[name] != getattr(current, name)]
    if moved:
        fields = ", ".join(moved)
        raise PermissionDeniedException(
            f"{username} ({role}) may not change {fields} of milestone {current.project}/{current.id}: "
            f"only the office changes {fields}; a deadline moves through an approved extension "
            f"(只有督办办公室可以修改{'、'.join(catalogue.field('milestone', n).zh for n in moved)})")


def _now() -> str:
    from api.service import now_iso  # noqa: PLC0415

    return now_iso()
