"""``parse_portfolio``: the whole check of a portfolio's data, from plain values to the model.

Owns the portfolio-file contract (``/work/shared/design/portfolio-format.md``): which fields
exist, which are required, what each reference must name, and that dependencies and unit
parents have no cycles. Invariants:

- Every problem is collected with its place (``projects[3].milestones[2].after``) before one
  ``PortfolioError`` is raised; a portfolio with any problem produces nothing.
- One mistake gives one message: a value that is wrong is left out of every later check
  (an unknown milestone in ``after`` is no edge, so it makes no cycle; a duplicate id is not
  a second node; when some item has no usable id, references that may have meant it are not
  reported as unknown).
- Linear time: ids are indexed once; suggestions (``difflib``) are computed only for problems.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Collection, Iterator, Mapping
from dataclasses import replace
from typing import Any

from projects import accountability as _accountability
from projects import assignment, catalogue
from projects.assignment import person_outside
from projects.cadence import Cadence
from projects.catalogue import ID_MAX
from projects.errors import PortfolioError
from projects.extensions import Extension
from projects.fields import BAD, HINTS, Fields, _at, field_set, type_name
from projects.graph import find_cycles, format_cycle
from projects.memory import collector_paused
from projects.model import (
    CalendarYear,
    Category,
    Complaint,
    ComplaintKind,
    Dependency,
    Milestone,
    Notice,
    Person,
    Portfolio,
    Project,
    Unit,
    builder,
)
from projects.validation import (
    CATEGORY_WORDS,
    CHECKS,
    LEVEL_WORDS,
    MILESTONE_READ,
    Check,
    read_complaint,
    read_milestone_values,
    record_checks,
)

TOP_FIELDS = field_set(("calendar", "timezone", "calendar_years", "units", "people", "projects",
                        "notices", "extensions", "complaints", "accountability"))
UNIT_FIELDS = field_set(("id", "name", "parent", "level", "contacts"))
PROJECT_FIELDS = field_set(("id", "name", "category", "unit", "co_units", "person", "urgent",
                            "source", "instruction", "report_every", "budget", "milestones"))
MILESTONE_FIELDS = field_set(tuple(f.file_key for f in catalogue.MILESTONE if f.file_key is not None))
PERSON_FIELDS = field_set(("id", "name", "unit", "post"))
EXTENSION_FIELDS = field_set(("milestone", "requested", "new_due", "reason", "decided", "decision",
                              "decision_reason"))
HINTS.update({
    "milestone": "the milestone as PROJECT/MILESTONE, e.g. T001/m1",
    "requested": "the day the extension was requested, e.g. 2026-06-20",
    "new_due": "the requested new due date, e.g. 2026-07-31",
    "reason": "why the extension is needed (延期理由), e.g. 因用地报批延迟",
})
COMPLAINT_FIELDS = field_set(tuple(f.file_key for f in catalogue.COMPLAINT if f.file_key is not None))
NOTICE_FIELDS = field_set(("id", "title", "unit", "rule", "level", "issued", "due", "responded", "subject"))
DEPENDENCY_FIELDS = field_set(tuple(f.file_key for f in catalogue.DEPENDENCY if f.file_key is not None))
#: Link types an ``after`` entry may name (``type:``), FS when it names none.
LINK_TYPES = {w: w for w in ("FS", "SS", "FF", "SF")} | {w.lower(): w for w in ("FS", "SS", "FF", "SF")}
YEAR_FIELDS = field_set(("year", "holidays", "workdays"))

CALENDARS = {"cn": "cn", "weekdays": "weekdays"}
_MILESTONE_SET = frozenset(MILESTONE_FIELDS)
_NAME = CHECKS["name"]
_UNIT = CHECKS["unit"]
_ID = CHECKS["id"]
_CADENCE = CHECKS["report_every"]
#: The compiled check of each catalogued field with a value check, by record and name.
_CHECK = {record: record_checks(fields) for record, fields in catalogue.RECORDS.items()}
_CUNIT, _CPROJECT, _CPERSON = _CHECK["unit"], _CHECK["project"], _CHECK["person"]
_CEXTENSION, _CNOTICE, _CCOMPLAINT = _CHECK["extension"], _CHECK["notice"], _CHECK["complaint"]
#: A checked milestone from its fields: those ``milestone`` resolves, then the read ones.
_MILESTONE = builder(Milestone, ("project", "id", "name", "unit", "after", "person", "co_units",
                                 *MILESTONE_READ))


def _present(check: Check, value: object, f: Fields, where: str) -> Any:
    """``check`` of a value that may be absent (``None`` stays ``None``)."""
    return None if value is None else check(value, f, where)


def parse_portfolio(data: object, *, today: dt.date, source: str = "<portfolio>",
                    consume: bool = False) -> Portfolio:
    """Check ``data`` (the file's shape: dicts, lists, strings, numbers, dates) completely.

    ``today`` is the real today: nothing may be finished, updated or answered after it.
    Raises ``PortfolioError`` with every problem found; returns the portfolio otherwise.
    ``consume`` (the loader's: the data is its own) lets each project's plain values go once
    the project is checked, each entry of ``data["projects"]`` becoming ``None``: the file's
    values and the model are never both whole in memory (a province's file holds a million
    milestones).
    """
    check = _Check(today)
    check.consume = consume
    with collector_paused():  # tens of thousands of new values, none of them garbage
        portfolio = check.portfolio(data)
    if check.f.problems or portfolio is None:
        raise PortfolioError(check.f.problems, source)
    return portfolio


class _Check:
    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.f = Fields()
        self.unit_ids: dict[str, int] = {}  # first occurrence
        self.units_complete = True  # every unit has a usable id
        self.project_ids: dict[str, int] = {}
        self.projects_complete = True
        self.milestone_ids: dict[str, dict[str, int]] = {}  # project id -> milestone id -> index
        self.incomplete_projects: set[str] = set()  # projects with a milestone lacking an id
        # The dependency graph, for the cycle check: each milestone indexed is a node,
        # ``base[project] + its index in the file``; each dependency between two indexed
        # milestones an edge, predecessor to successor, in the order they are read. An edge
        # from a later node to an earlier one (or to itself) sets ``backward``: without one
        # the graph follows the file's order and has no cycle (``dependency_cycles``).
        self.base: dict[str, int] = {}
        self.nodes = 0
        self.node_base = 0  # ``base`` of the project whose milestones are being read
        self.edge_from, self.edge_to = array("l"), array("l")
        self.backward = False
        self._by_milestone: dict[str, str] | None = None
        self.plain_dependencies: dict[str, Dependency] = {}
        self.person_ids: dict[str, int] = {}
        self.people_complete = True
        self.person_units: dict[str, str] = {}
        self.consume = False  # ``parse_portfolio(consume=True)``
        #: One text object per distinct milestone id and name: a reader makes a new one for
        #: every value, and a province repeats a few thousand ids and names a million times
        #: (``tender``, 施工招标), each copy 60-90 bytes kept in the model.
        self.texts: dict[str, str] = {}
        #: The milestone ids and names met so far that passed their checks, each to its one
        #: text (``texts``'): a name met again needs neither the check nor a second look-up.
        self.ids: dict[str, str] = {}
        self.names: dict[str, str] = {}
        #: The ``after`` of each list of ids (all of its project) met so far (``milestone``).
        self.afters: dict[tuple[str, ...], tuple[Dependency, ...]] = {}

    # -- the whole ----------------------------------------------------------------------------

    def portfolio(self, data: object) -> Portfolio | None:
        f = self.f
        if data is None:
            f.add("", "the portfolio is empty; it needs units and projects", "组合文件是空的：需要 units（单位）和 projects（项目）")
            return None
        if not isinstance(data, Mapping):
            f.add("", f"a portfolio is a mapping with units and projects, not {type_name(data)}", f"组合文件应为包含 units 和 projects 的映射，而不是{type_name(data)}")
            return None
        extra = data.keys() - TOP_FIELDS
        for key in (k for k in data if k in extra):
            from projects.errors import suggest  # noqa: PLC0415 - error path only

            hint = suggest(str(key), TOP_FIELDS)
            f.add("", f'unknown top-level field "{key}"' + (f'; did you mean "{hint}"?' if hint
                                                            else f"; the fields are {', '.join(TOP_FIELDS)}"), f"未知的顶层字段「{key}」" + (f"，是否想写「{hint}」？" if hint else f"，可用的字段：{'、'.join(TOP_FIELDS)}"))
        calendar = f.choice(data.get("calendar", "cn"), CALENDARS, "calendar", "calendar", CALENDARS)
        timezone = self.timezone(data.get("timezone", "Asia/Shanghai"))
        years = self.calendar_years(data.get("calendar_years"))
        raw_units = f.items(data.get("units"), "units", "units")
        raw_projects = f.items(data.get("projects"), "projects", "projects")
        if self.consume and type(data.get("projects")) is list:
            raw_projects = data["projects"]  # the file's own list, not a copy: let go in place
        raw_notices = f.items(data.get("notices"), "notices", "notices")
        raw_people = f.items(data.get("people"), "people", "people (id, name, unit, post)")
        raw_extensions = f.items(data.get("extensions"), "extensions",
                                 "extension requests (milestone, requested, new_due, reason)")
        raw_complaints = f.items(data.get("complaints"), "complaints",
                                 "complaints (id, title, unit, received, due)")
        units: tuple[Unit, ...] = ()
        projects: tuple[Project, ...] = ()
        notices: tuple[Notice, ...] = ()
        people: tuple[Person, ...] = ()
        extensions: tuple[Extension, ...] = ()
        complaints: tuple[Complaint, ...] = ()
        records: tuple[_accountability.Accountability, ...] = ()
        if raw_units is BAD:
            self.units_complete = False  # no unit can be named unknown: the list is wrong
        else:
            assert isinstance(raw_units, list)
            units = self.units(raw_units)
        if raw_people is BAD:
            self.people_complete = False
        else:
            assert isinstance(raw_people, list)
            people = self.people(raw_people)
        if raw_projects is not BAD:
            assert isinstance(raw_projects, list)
            self.index_projects(raw_projects)
            projects = tuple(self.projects(raw_projects))
            self.dependency_cycles()
        if raw_notices is not BAD:
            assert isinstance(raw_notices, list)
            notices = self.notices(raw_notices)
        if raw_extensions is not BAD and raw_projects is not BAD:
            assert isinstance(raw_extensions, list)
            extensions = self.extensions(raw_extensions, projects)
        if raw_complaints is not BAD:
            assert isinstance(raw_complaints, list)
            complaints = self.complaints(raw_complaints)
        raw_records = f.items(data.get("accountability"), "accountability",
                              "accountability records (id, kind, unit, person, date, reason, notice)")
        if raw_records is not BAD:
            assert isinstance(raw_records, list)
            records = self.accountability(raw_records, None if raw_notices is BAD else notices,
                                          None if raw_complaints is BAD else complaints)
        if f.problems:
            return None
        return Portfolio(units, projects, notices, calendar, timezone, years, people, extensions,
                         complaints=complaints, accountability=records)

    def timezone(self, value: object) -> str:
        if isinstance(value, str):
            import zoneinfo  # noqa: PLC0415

            try:
                zoneinfo.ZoneInfo(value)
                return value
            except (ValueError, zoneinfo.ZoneInfoNotFoundError):
                known = zoneinfo.available_timezones()
                self.f.reference(value, known, "timezone", "time zone")
                return ""
        self.f.add("timezone", f"{type_name(value)} is not a time zone; write e.g. Asia/Shanghai", f"{type_name(value)}不是时区，请写如 Asia/Shanghai")
        return ""

    def calendar_years(self, value: object) -> tuple[CalendarYear, ...]:
        f = self.f
        items = f.items(value, "calendar_years", "years (year, holidays, workdays)")
        out = []
        for _, where, m, _ in self.entries(items if isinstance(items, list) else [], "calendar_years",
                                           "calendar year", YEAR_FIELDS):
            year = f.required(m, "year", where)
            if year is not BAD and (not isinstance(year, int) or isinstance(year, bool)):
                year = f.add(f"{where}.year", f"{type_name(year)} is not a year; write e.g. 2027", f"{type_name(year)}不是年份，请写如 2027")
            sets = []
            for field in ("holidays", "workdays"):
                days = f.items(m.get(field), f"{where}.{field}", "dates")
                got = set()
                for j, d in enumerate(days if isinstance(days, list) else ()):
                    day = f.date(d, f"{where}.{field}[{j}]")
                    if isinstance(day, dt.date):
                        if isinstance(year, int) and day.year != year:
                            f.add(f"{where}.{field}[{j}]", f"{day.isoformat()} is not in {year}; move it to that year's entry", f"{day.isoformat()} 不在 {year} 年内，请移到该年份的条目下")
                        got.add(day)
                sets.append(frozenset(got))
            if isinstance(year, int):
                out.append(CalendarYear(year, sets[0], sets[1]))
        return tuple(out)

    # -- units --------------------------------------------------------------------------------

    def units(self, items: list[Any]) -> tuple[Unit, ...]:
        f = self.f
        self.unit_ids, self.units_complete = _first_places(items)
        out: list[Unit] = []
        parents: dict[str, list[str]] = {}
        for i, where, m, uid in self.entries(items, "units", "unit", UNIT_FIELDS, self.unit_ids):
            name = f.required(m, "name", where)
            if name is not BAD:
                name = _CUNIT["name"](name, f, where)
            parent = m.get("parent")
            if parent is not None:
                parent = _CUNIT["parent"](parent, f, where)
                if isinstance(parent, str):
                    parent = self.unit_ref(parent, where, "parent")
            level = m.get("level")
            if level is not None:
                level = _CUNIT["level"](level, f, where)
            contacts = self.contacts(m.get("contacts"), f"{where}.contacts")
            if isinstance(uid, str) and self.unit_ids[uid] == i:
                parents[uid] = [parent] if isinstance(parent, str) else []
            if all(v is not BAD for v in (uid, name, parent, level, contacts)):
                out.append(Unit(id=uid, name=name, parent=parent, level=level, contacts=contacts))
        for cycle in find_cycles(parents):
            f.add(f"units[{self.unit_ids[cycle[0]]}].parent",
                  f"unit parent cycle {format_cycle(cycle)}; a unit cannot be above itself", f"上级单位成环 {format_cycle(cycle)}：单位不能是自己的上级")
        return tuple(out)

    def contacts(self, value: object, where: str) -> Any:
        f = self.f
        items = f.some(value, where, "Apprise URLs")
        if items is BAD:
            return BAD
        out = []
        for j, url in enumerate(items):  # type: ignore[arg-type]
            # contact URLs are secrets: the message never repeats them
            if not isinstance(url, str) or "://" not in url:
                return f.add(f"{where}[{j}]", "not an Apprise URL (scheme://...); write e.g. mailto://jt@transport.example", "不是 Apprise 地址（scheme://...），请写如 mailto://jt@transport.example")
            out.append(url.strip())
        return tuple(out)

    def unit_ref(self, uid: str, where: str, field: str) -> str | Any:
        if uid in self.unit_ids:
            return uid
        if not self.units_complete:
            return BAD
        return self.f.reference(uid, self.unit_ids, f"{where}.{field}", "unit")

    # -- the opening of every record entry -------------------------------------------------------

    def entries(self, items: list[Any], section: str, what: str, keys: Collection[str] | None = None,
                index: dict[str, int] | None = None) -> Iterator[tuple[int, str, Mapping[str, Any], Any]]:
        """Each entry of the record section ``items`` that is a mapping, opened (``opening``),
        as ``(i, where, entry, id)``: its index, its place (``units[3]``), the entry and its
        checked id (``None`` without ``index``)."""
        for i, item in enumerate(items):
            opened = self.opening(item, i, section, what, keys=keys, index=index)
            if opened is not None:
                yield (i, *opened)

    def opening(self, item: object, i: int, section: str, what: str, *, keys: Collection[str] | None = None,
                index: dict[str, int] | None = None) -> tuple[str, Mapping[str, Any], Any] | None:
        """How every record entry opens: its place, a mapping (else a problem and ``None``),
        no key outside ``keys`` (when given), and its id among the first places ``index``
        (when given; else ``None``)."""
        where = f"{section}[{i}]"
        m = self.f.mapping(item, where, what)
        if m is BAD:
            return None
        assert isinstance(m, Mapping)
        if keys is not None:
            self.f.unknown_keys(m, keys, where)
        return where, m, None if index is None else self.id_field(m, where, index, i, what)

    def id_field(self, m: Mapping[str, Any], where: str, index: dict[str, int], i: int, what: str) -> Any:
        value = self.f.required(m, "id", where)
        if value is BAD:
            return BAD
        value = _ID(value, self.f, where)
        if isinstance(value, str) and index.get(value, i) != i:
            first = index[value]
            section = where.rsplit("[", 1)[0]
            return self.f.add(f"{where}.id", f'duplicate {what} id "{value}" (first at {section}[{first}]); give each {what} its own id', f"{what} 编号「{value}」重复（首次出现在 {section}[{first}]），每个{what}应有自己的编号")
        return value

    # -- projects -----------------------------------------------------------------------------

    def index_projects(self, items: list[Any]) -> None:
        """Project and milestone ids first, so references may point forward."""
        for i, item in enumerate(items):
            pid = _plain_id(item.get("id")) if isinstance(item, Mapping) else None
            if pid is None:
                self.projects_complete = False
                continue
            if pid in self.project_ids:
                continue
            self.project_ids[pid] = i
            ids: dict[str, int] = {}
            plain = self.plain_dependencies
            raw = item.get("milestones")
            listed = raw if isinstance(raw, list) else ()
            for j, ms in enumerate(listed):
                mid = ms.get("id") if type(ms) is dict or isinstance(ms, Mapping) else None
                # ``_clean`` inline: text, not blank, no ``/``, nothing to strip at either end
                if not (type(mid) is str and mid and "/" not in mid and mid.strip() == mid):
                    mid = _plain_id(mid)
                if mid is None:
                    self.incomplete_projects.add(pid)
                elif mid not in ids:
                    ids[mid] = j
                    if mid not in plain:  # one shared ``after`` entry per id (see ``milestone``)
                        plain[mid] = Dependency(mid)
            self.milestone_ids[pid] = ids
            self.base[pid] = self.nodes
            self.nodes += len(listed)

    def projects(self, items: list[Any]) -> Iterator[Project]:
        """Each project that checks, in file order (see ``consume``)."""
        for i in range(len(items)):
            item = items[i]
            if self.consume:
                items[i] = None  # the last reference to the project's plain values is ``item``
            p = self.project(item, i)
            if p is not None:
                yield p

    def project(self, item: object, i: int) -> Project | None:
        f = self.f
        opened = self.opening(item, i, "projects", "project", keys=PROJECT_FIELDS, index=self.project_ids)
        if opened is None:
            return None
        where, m, pid = opened
        name = f.required(m, "name", where)
        if name is not BAD:
            name = _CPROJECT["name"](name, f, where)
        category = m.get("category")  # optional (version 2): a project by default
        if category is None:
            category = Category.PROJECT
        else:
            category = f.choice(category, CATEGORY_WORDS, f"{where}.category", "category", ("project", "task"))
        unit = f.required(m, "unit", where)
        if unit is not BAD:
            unit = _CPROJECT["unit"](unit, f, where)
            if isinstance(unit, str):
                unit = self.unit_ref(unit, where, "unit")
        budget = _present(_CPROJECT["budget"], m.get("budget"), f, where)
        co_units = self.co_units(m.get("co_units"), where, unit)
        person = self.person_ref(m.get("person"), where)
        urgent = _CPROJECT["urgent"](m.get("urgent", False), f, where)
        source, instruction = m.get("source"), m.get("instruction")
        if source is not None:
            source = _CPROJECT["source"](source, f, where)
        if instruction is not None:
            instruction = _CPROJECT["instruction"](instruction, f, where)
        report_every = self.cadence(m.get("report_every"), where)
        raw = f.items(m.get("milestones"), f"{where}.milestones", "milestones")
        own = isinstance(pid, str) and self.project_ids.get(pid) == i
        milestones = []
        placed: list[tuple[int, Milestone]] = []  # (index in the file, milestone) of those with a person
        if isinstance(raw, list):
            ids = self.milestone_ids.get(pid, {}) if own else {}
            self.node_base = self.base.get(pid, 0) if own else 0
            owner, lead = pid if own else None, unit if isinstance(unit, str) else None
            read = self.milestone
            for j, ms in enumerate(raw):
                milestone = read(ms, f"{where}.milestones[{j}]", owner, ids, j, lead)
                if milestone is not None:
                    milestones.append(milestone)
                    if milestone.person is not None:
                        placed.append((j, milestone))
        if isinstance(unit, str) and co_units is not BAD:
            self.person_in_units(person, unit, co_units or (), f"{where}.person")
            for j, milestone in placed:
                if milestone.person is not None:
                    self.person_in_units(
                        milestone.person, milestone.unit or unit,
                        (co_units or ()) if milestone.co_units is None else milestone.co_units,
                        f"{where}.milestones[{j}].person")
        if any(v is BAD for v in (pid, name, category, unit, budget, raw, co_units, person, urgent,
                                  source, instruction, report_every)):
            return None
        return Project(id=pid, name=name, category=category, unit=unit, budget=budget, milestones=tuple(milestones),
                       co_units=co_units or (), person=person, urgent=urgent, source=source,
                       instruction=instruction, report_every=report_every)

    # -- version 2: people, co-units, cadences (issue 12) --------------------------------------

    def people(self, items: list[Any]) -> tuple[Person, ...]:
        f = self.f
        self.person_ids, self.people_complete = _first_places(items)
        out = []
        for _, where, m, xid in self.entries(items, "people", "person", PERSON_FIELDS, self.person_ids):
            name = f.required(m, "name", where)
            if name is not BAD:
                name = _CPERSON["name"](name, f, where)
            unit = m.get("unit")
            if unit is None or unit == "":
                unit = f.add(where, 'missing field "unit": the id of the unit the person works in',
                             "缺少字段「unit」：责任人所在单位的编号")
            else:
                unit = _CPERSON["unit"](unit, f, where)
                if isinstance(unit, str):
                    unit = self.unit_ref(unit, where, "unit")
            post = m.get("post")
            if post is not None:
                post = _CPERSON["post"](post, f, where)
            if isinstance(xid, str) and isinstance(unit, str):
                self.person_units.setdefault(xid, unit)
            values: dict[str, Any] = {"id": xid, "name": name, "unit": unit, "post": post}
            if not any(v is BAD for v in values.values()):
                out.append(Person(**values))
        return tuple(out)

    def person_ref(self, value: object, where: str) -> str | Any:
        """A person id named in a project or milestone (None when absent): ``projects.assignment``."""
        return assignment.person(value, self.f, where, people=self.person_ids, complete=self.people_complete)

    def person_in_units(self, person: object, lead: str, co_units: tuple[str, ...], where: str) -> None:
        """A project's or milestone's person works in its lead unit or one of its co-units."""
        home = self.person_units.get(person) if isinstance(person, str) else None
        said = person_outside(person, home, lead, co_units) if home is not None else None
        if said is not None:
            self.f.add(where, *said)

    def co_units(self, value: object, where: str, lead: object, *, milestone: str | None = None) -> tuple[str, ...] | Any:
        """配合单位 (None when absent): ``projects.assignment``."""
        return assignment.co_units(value, self.f, where, lead=lead, units=self.unit_ids,
                                   complete=self.units_complete, milestone=milestone)

    def cadence(self, value: object, where: str) -> Cadence | Any:
        """A project's ``report_every``: the same compiled check as a milestone's."""
        return None if value is None else _CADENCE(value, self.f, where)

    def milestone(self, item: object, where: str, pid: str | None, ids: dict[str, int],  # noqa: PLR0917
                  j: int, lead: str | None = None) -> Milestone | None:
        # The hot path of a 40,000-milestone file. The fields with an identity or a reference
        # (id, name, unit, after, person, co_units) are taken here; every other field goes
        # through its compiled catalogue check (``projects.validation.read_milestone_values``),
        # which takes a valid value inline; the value is built positionally (``_MILESTONE``).
        f = self.f
        if type(item) is dict:
            m: Mapping[str, Any] = item
        else:
            opened = f.mapping(item, where, "milestone")
            if opened is BAD:
                return None
            assert isinstance(opened, Mapping)
            m = opened
        if not m.keys() <= _MILESTONE_SET:
            f.unknown_keys(m, MILESTONE_FIELDS, where)
        get = m.get
        mid: Any = get("id")
        # ``ids`` holds the usable ids only (``index_projects``), so finding this one at ``j``
        # says it is text without ``/`` or surrounding spaces, and the first with this id
        # (an id met before in the file passed the rest already: ``self.ids``)
        first = type(mid) is str and ids.get(mid) == j and (
            mid in self.ids or (len(mid) <= ID_MAX and mid.isprintable()))
        if not first:
            mid = self.id_field(m, where, ids, j, "milestone")
            first = pid is not None and isinstance(mid, str) and ids.get(mid) == j
        name: Any = get("name")
        if name is None:
            name = mid
        elif type(name) is not str or (known := self.names.get(name)) is None:
            checked = _NAME(name, f, where)
            if checked is name:  # the name check takes it as it is: its one text from now on
                name = self.names[name] = self.texts.setdefault(name, name)
            else:
                name = checked
        else:  # a name met before (and checked then): its one text
            name = known
        before = len(f.problems)
        values = read_milestone_values(get, f, where, self.today)
        unit = get("unit")
        if unit is not None:
            unit = _UNIT(unit, f, where)
            if isinstance(unit, str):
                unit = self.unit_ref(unit, where, "unit")
        after: Any = ()
        raw_after = get("after")
        local = False
        after_ids: tuple[str, ...] = ()
        if raw_after is not None:
            if type(raw_after) is list and pid is not None:
                for on in raw_after:  # ids of this project (text, the keys of ``ids``)?
                    if type(on) is not str or on not in ids:
                        break
                else:
                    local = True
            if local:  # one shared Dependency value per id (made by ``index_projects``), and
                # one shared tuple of them per list of ids (``afters``)
                after_ids = tuple(raw_after)
                after = self.afters.get(after_ids)
                if after is None:
                    after = self.afters[after_ids] = tuple(
                        map(self.plain_dependencies.__getitem__, after_ids))
            else:
                after = self.after(raw_after, f"{where}.after", pid)
        if first and after:  # an edge from each dependency on an indexed milestone
            assert pid is not None and isinstance(mid, str)
            if local:  # each on a milestone of this project, indexed
                node = self.node_base + j
                for on in after_ids:
                    pred = self.node_base + ids[on]
                    self.edge_from.append(pred)
                    self.edge_to.append(node)
                    if pred >= node:
                        self.backward = True
            elif after is not BAD:
                node = self.node_base + j
                for dep in after:
                    other = dep.project
                    if other is None or other == pid:
                        k = ids.get(dep.on)
                        pred = -1 if k is None else self.node_base + k
                    else:
                        k = self.milestone_ids.get(other, {}).get(dep.on)
                        pred = -1 if k is None else self.base[other] + k
                    if pred >= 0:
                        self.edge_from.append(pred)
                        self.edge_to.append(node)
                        if pred >= node:
                            self.backward = True
        person = get("person")
        if person is not None:
            person = self.person_ref(person, where)
        co_units = get("co_units")
        if co_units is not None:
            co_units = self.co_units(co_units, where, unit if unit is not None else lead,
                                     milestone=f"{pid}/{mid}" if pid is not None and isinstance(mid, str) else "")
        if pid is None or len(f.problems) != before or mid is BAD or name is BAD or unit is BAD \
                or after is BAD or person is BAD or co_units is BAD:
            return None
        text = self.ids.get(mid)
        if text is None:
            text = self.ids[mid] = self.texts.setdefault(mid, mid)
        if name is mid:
            name = text
        return _MILESTONE(pid, text, name, unit, after, person, co_units, *values)

    def after(self, value: object, where: str, pid: str | None) -> Any:
        f = self.f
        items = f.some(value, where, "milestone ids", (str, Mapping))
        if items is BAD:
            return BAD
        out: list[Dependency] = []
        bad = False
        for entry in items:  # type: ignore[union-attr]
            dep = self.dependency(entry, where, pid)
            if dep is BAD:
                bad = True
                continue
            assert isinstance(dep, Dependency)
            out.append(dep)
        return BAD if bad else tuple(out)

    def dependency(self, entry: object, where: str, pid: str | None) -> Dependency | Any:
        f = self.f
        other: object = None
        lag: object = 0
        kind: Any = "FS"
        is_map = False
        if type(entry) is str and "/" not in entry:  # the common case: an id of this project
            on: Any = entry
        elif isinstance(entry, Mapping):
            is_map = True
            f.unknown_keys(entry, DEPENDENCY_FIELDS, where)
            on = f.required(entry, "id", where)
            other, lag = entry.get("project"), entry.get("lag")
            if "type" in entry:
                kind = f.choice(entry["type"], LINK_TYPES, _at(where, "type"), "link type",
                                ("FS", "SS", "FF", "SF"))
        elif isinstance(entry, str) and "/" in entry:
            other, _, on = entry.partition("/")
        else:
            on = entry
        if on is BAD:
            return BAD
        on = f.ident(on, where)
        days = 0 if lag == 0 and type(lag) is int else f.lag(lag, where, "lag" if is_map else "")
        if other is not None:
            other = f.ident(other, where, "project" if is_map else "")
        if BAD in (on, days, other, kind):
            return BAD
        assert isinstance(on, str) and isinstance(days, int)
        if other == pid:
            other = None
        if pid is None:
            return Dependency(on, days, other, kind)  # type: ignore[arg-type]
        if other is None:
            ids = self.milestone_ids.get(pid, {})
            if on in ids:
                return Dependency(on, days, None, kind)
            if pid in self.incomplete_projects:
                return BAD
            home = self.home_of(on, pid)
            if home is not None:
                return f.add(where, f'milestone {on} is in project {home}; declare a cross-project dependency as {{project: {home}, id: {on}}}', f"节点 {on} 属于项目 {home}；跨项目依赖请写作 {{project: {home}, id: {on}}}")
            return f.reference(on, ids, where, "milestone", f" in {pid}")
        assert isinstance(other, str)
        if other not in self.project_ids:
            return BAD if not self.projects_complete else f.reference(other, self.project_ids, where, "project")
        ids = self.milestone_ids.get(other, {})
        if on not in ids:
            return BAD if other in self.incomplete_projects else f.reference(on, ids, where, "milestone", f" in {other}")
        return Dependency(on, days, other, kind)

    def home_of(self, mid: str, pid: str) -> str | None:
        """The first other project with a milestone ``mid`` (index built on first need)."""
        if self._by_milestone is None:
            self._by_milestone = {}
            for p, ids in self.milestone_ids.items():
                for m in ids:
                    self._by_milestone.setdefault(m, p)
        home = self._by_milestone.get(mid)
        return home if home != pid else None

    def dependency_cycles(self) -> None:
        if not self.backward:  # every edge goes from an earlier node to a later one: no cycle
            return
        edges: dict[tuple[str, str], list[tuple[str, str]]] = {}
        keys: dict[int, tuple[str, str]] = {}
        for pid, ids in self.milestone_ids.items():
            base = self.base[pid]
            for mid, j in ids.items():
                keys[base + j] = key = (pid, mid)
                edges[key] = []
        for a, b in zip(self.edge_from, self.edge_to, strict=True):
            edges[keys[a]].append(keys[b])
        for cycle in find_cycles(edges):
            (pid, mid) = cycle[0]  # a milestone's place, from the indexes (none is kept for each)
            where = f"projects[{self.project_ids[pid]}].milestones[{self.milestone_ids[pid][mid]}]"
            self.f.add(f"{where}.after", f"dependency cycle {format_cycle(cycle)}; remove one of these after entries", f"节点依赖成环 {format_cycle(cycle)}：请删除其中一条 after")

    # -- extensions (延期申请, issue 12) --------------------------------------------------------

    def extensions(self, items: list[Any], projects: tuple[Project, ...]) -> tuple[Extension, ...]:
        f = self.f
        by_project = {p.id: p for p in projects}
        dues: dict[str, dict[str, dt.date | None]] = {}
        out = []
        for _, where, m, _ in self.entries(items, "extensions", "extension request", EXTENSION_FIELDS):
            key, due = self.extension_milestone(m, where, by_project, dues)
            requested = f.required(m, "requested", where)
            if requested is not BAD:
                requested = _CEXTENSION["requested"](requested, f, where)
                f.not_after_today(requested, self.today, where, "requested", "a request cannot come from the future",
                                  "申请不能来自未来")
            new_due = f.required(m, "new_due", where)
            if new_due is not BAD:
                new_due = _CEXTENSION["new_due"](new_due, f, where)
            reason = m.get("reason")
            if reason is not None and not (isinstance(reason, str) and not reason.strip()):
                reason = _CEXTENSION["reason"](reason, f, where)
            else:
                reason = f.add(f"{where}.reason", "the reason is empty; say why the extension is needed, "
                                                  "e.g. land approval delayed",
                           "延期理由不能为空：请写明延期的原因，如「因用地报批延迟」")
            decided = _present(_CEXTENSION["decided"], m.get("decided"), f, where)
            f.not_after_today(decided, self.today, where, "decided", "a decision cannot come from the future; leave decided and decision out until it is made",
                              "审批不能来自未来；审批之前 decided 和 decision 都不写")
            decision = m.get("decision")
            if decision is not None:
                decision = _CEXTENSION["decision"](decision, f, where)
            if decided is None and decision is not None and decision is not BAD:
                f.add(f"{where}.decided", "a decision needs the day it was made: add decided, e.g. 2026-06-23",
                      "审批结果缺少审批日期：请加上 decided，如 2026-06-23")
                decided = BAD
            if decision is None and decided is not None and decided is not BAD:
                f.add(f"{where}.decision", "a decided day needs its decision: add decision: approved or rejected, "
                      "or leave both out while it is pending",
                      "审批日期缺少审批结果：请加上 decision: approved（同意）或 rejected（不同意）；尚未审批时两项都不写")
                decision = BAD
            decision_reason = m.get("decision_reason")
            if decision_reason is not None:
                decision_reason = f.text(decision_reason, where, "decision_reason")
                if decision is None and decision_reason is not BAD:
                    decision_reason = f.add(f"{where}.decision_reason", "a reason for the decision needs the decision (approved or rejected) and its day",
                                            "审批意见须随审批结果及审批日期一起填写")
            if isinstance(requested, dt.date) and isinstance(decided, dt.date) and decided < requested:
                f.add(f"{where}.decided", f"decided {decided.isoformat()} is before requested {requested.isoformat()}",
                      f"审批日期 {decided.isoformat()} 早于申请日期 {requested.isoformat()}，审批不能早于申请")
            if isinstance(new_due, dt.date) and key is not None:
                if due is None:
                    f.add(f"{where}.milestone", f"milestone {key} has no due date to extend; give it a due date first",
                          f"节点 {key} 没有计划完成日期，无从延期：请先给它计划完成日期")
                elif new_due <= due:
                    f.add(f"{where}.new_due", f"new_due {new_due.isoformat()} is not after the milestone's due {due.isoformat()}",
                          f"延期至 {new_due.isoformat()} 不晚于原计划完成日期 {due.isoformat()}，延期后的日期须更晚")
            values: dict[str, Any] = {"milestone": key, "requested": requested, "new_due": new_due,
                                      "reason": reason, "decided": decided, "decision": decision,
                                      "decision_reason": decision_reason}
            if key is not None and not any(v is BAD for v in values.values()):
                out.append(Extension(**values))
        return tuple(out)

    def extension_milestone(self, m: Mapping[str, Any], where: str, by_project: dict[str, Project],
                            dues: dict[str, dict[str, dt.date | None]]) -> tuple[str | None, dt.date | None]:
        """The ``PROJECT/MILESTONE`` key an extension names and that milestone's due."""
        f = self.f
        value = f.required(m, "milestone", where)
        if value is BAD:
            return None, None
        at = f"{where}.milestone"
        if not isinstance(value, str) or value.count("/") != 1:
            f.add(at, f"{type_name(value)} does not name a milestone; write PROJECT/MILESTONE, e.g. T001/m1", f"{type_name(value)}不是节点，请写“项目/节点”，如 T001/m1")
            return None, None
        pid, _, mid = (part.strip() for part in value.partition("/"))
        if pid not in self.project_ids:
            if self.projects_complete:
                f.reference(pid, self.project_ids, at, "project")
            return None, None
        ids = self.milestone_ids.get(pid, {})
        if mid not in ids:
            if pid not in self.incomplete_projects:
                f.reference(mid, ids, at, "milestone", f" in {pid}")
            return None, None
        project = by_project.get(pid)
        if project is None:  # the project has problems of its own
            return None, None
        if pid not in dues:
            dues[pid] = {x.id: x.due for x in project.milestones}
        if mid not in dues[pid]:
            return None, None
        return f"{pid}/{mid}", dues[pid][mid]

    # -- complaints (群众投诉 / 咨询 / 建议, issue 13) ----------------------------------------------

    def complaints(self, items: list[Any]) -> tuple[Complaint, ...]:
        f = self.f
        index = _first_places(items)[0]
        out = []
        for _, where, m, cid in self.entries(items, "complaints", "complaint", COMPLAINT_FIELDS, index):
            before = len(f.problems)
            # title, kind, the dates and the rating through their catalogue checks, then the
            # rules between the dates (``catalogue.COMPLAINT_RULES``)
            values = read_complaint(m.get, f, where, self.today)
            unit = f.required(m, "unit", where)
            if unit is not BAD:
                unit = _CCOMPLAINT["unit"](unit, f, where)
                if isinstance(unit, str):
                    unit = self.unit_ref(unit, where, "unit")
            project: Any = m.get("project")
            if project is not None:
                project = _CCOMPLAINT["project"](project, f, where)
                if isinstance(project, str) and project not in self.project_ids:
                    project = BAD if not self.projects_complete else \
                        f.reference(project, self.project_ids, f"{where}.project", "project")
            rating, rated = values["rating"], values["rated"]
            if rating is not None and rated is None:
                f.add(f"{where}.rated", "a rating needs the day it was given: add rated, e.g. "
                      "2026-05-14", "评价缺少评价日期：请补上 rated（评价日期），如 2026-05-14")
            elif rated is not None and rating is None:
                f.add(f"{where}.rating", "a rated day needs its rating: add rating: satisfied (满意), "
                      "basically_satisfied (基本满意) or dissatisfied (不满意), or leave both out until "
                      "it is rated", "评价日期缺少评价：请补上 rating（满意 / 基本满意 / 不满意），"
                      "或在评价前两者都不写")
            if rated is not None and rated is not BAD and values["responded"] is None:
                f.add(f"{where}.rated", "only an answered complaint can be rated: add responded (the "
                      "day it was answered) or leave rating and rated out",
                      "尚未答复的投诉不能评价：请补上 responded（答复日期），或去掉 rating 和 rated")
            if len(f.problems) == before and isinstance(cid, str):
                kind = values["kind"]
                out.append(Complaint(
                    id=cid, title=values["title"], unit=unit, received=values["received"],
                    due=values["due"], kind=ComplaintKind.COMPLAINT if kind is None else kind,
                    project=project, responded=values["responded"], rating=rating, rated=rated))
        return tuple(out)

    # -- accountability records (通报批评 / 问责, issue 13) ---------------------------------------

    def accountability(self, items: list[Any], notices: tuple[Notice, ...] | None,
                       complaints: tuple[Complaint, ...] | None = None,
                       ) -> tuple[_accountability.Accountability, ...]:
        """Each record through ``projects.accountability.read``, the one check of a record."""
        f = self.f
        known = _accountability.Known(
            units=self.unit_ids if self.units_complete else None,
            people=self.person_ids if self.people_complete else None, person_units=self.person_units,
            notices=None if notices is None else {n.id: n for n in notices},
            complaints=None if complaints is None else {c.id: c for c in complaints})
        taken: set[str] = set()
        out = []
        for _, where, m, _ in self.entries(items, "accountability", "accountability record"):
            record = _accountability.read(m, where, f, replace(known, taken=taken), self.today)
            rid = m.get("id")
            if isinstance(rid, str):
                taken.add(rid.strip())
            if record is not None:
                out.append(record)
        return tuple(out)

    # -- notices ------------------------------------------------------------------------------

    def notices(self, items: list[Any]) -> tuple[Notice, ...]:
        f = self.f
        index = _first_places(items)[0]
        out = []
        for _, where, m, nid in self.entries(items, "notices", "notice", NOTICE_FIELDS, index):
            title = f.required(m, "title", where)
            if title is not BAD:
                title = _CNOTICE["title"](title, f, where)
            unit = f.required(m, "unit", where)
            if unit is not BAD:
                unit = _CNOTICE["unit"](unit, f, where)
                if isinstance(unit, str):
                    unit = self.unit_ref(unit, where, "unit")
            issued = f.required(m, "issued", where)
            if issued is not BAD:
                issued = _CNOTICE["issued"](issued, f, where)
                f.not_after_today(issued, self.today, where, "issued", "a notice cannot be issued in the future")
            due = f.required(m, "due", where)
            if due is not BAD:
                due = _CNOTICE["due"](due, f, where)
            if isinstance(issued, dt.date) and isinstance(due, dt.date) and due < issued:
                f.add(f"{where}.due", f"due {due.isoformat()} is before issued {issued.isoformat()}; a response is due on or after the day the notice is issued", f"反馈期限 {due.isoformat()} 早于发出日期 {issued.isoformat()}：期限应不早于督办通知发出之日")
            responded = _present(_CNOTICE["responded"], m.get("responded"), f, where)
            f.not_after_today(responded, self.today, where, "responded", "a response cannot come from the future; leave responded out until it comes")
            if isinstance(issued, dt.date) and isinstance(responded, dt.date) and responded < issued:
                f.add(f"{where}.responded", f"responded {responded.isoformat()} is before issued {issued.isoformat()}", f"回复日期 {responded.isoformat()} 早于发出日期 {issued.isoformat()}")
            level = m.get("level")
            if level is not None:
                level = f.choice(level, LEVEL_WORDS, f"{where}.level", "level", ("green", "blue", "yellow", "red"))
            rule, subject = m.get("rule"), m.get("subject")
            if rule is not None:
                rule = _CNOTICE["rule"](rule, f, where)
            if subject is not None:
                subject = _CNOTICE["subject"](subject, f, where)
            values = {"id": nid, "title": title, "unit": unit, "issued": issued, "due": due, "rule": rule,
                      "level": level, "responded": responded, "subject": subject}
            if BAD not in values.values():
                out.append(Notice(**values))
        return tuple(out)


def _clean(value: str) -> bool:
    """A usable id as written: not blank, no surrounding spaces, no ``/``."""
    return bool(value) and "/" not in value and not value[0].isspace() and not value[-1].isspace()


def _first_places(items: list[Any]) -> tuple[dict[str, int], bool]:
    """Each usable id of the records ``items`` with the place of its first record (a repeat is
    refused later, at its own place), and whether every record had a usable id."""
    places: dict[str, int] = {}
    complete = True
    for i, item in enumerate(items):
        rid = _plain_id(item.get("id")) if isinstance(item, Mapping) else None
        if rid is None:
            complete = False
        else:
            places.setdefault(rid, i)
    return places, complete


def _plain_id(value: object) -> str | None:
    """The id as the checks will read it, or ``None`` when it is unusable (no messages)."""
    if type(value) is str and _clean(value):
        return value
    if isinstance(value, dt.date):
        value = value.isoformat()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        value = value.strip()
        if value and "/" not in value:
            return value
    return None
