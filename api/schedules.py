"""Import a contractor's schedule file (P6 XER, MS Project XML or .mpp) into a portfolio project:
the edge around :mod:`projects.contractor.importer`, shared by ``duban import FILE --project``
and ``POST /api/projects/{pid}/schedule``.

All or nothing: the file is read and scheduled, the project built in the portfolio file's
shape and checked by ``parse_portfolio`` with the rest of the portfolio before anything is
written; then one write transaction stores it, audits ``schedule.import`` with what changed
and re-evaluates the rules. Reports (milestone history) and notices are never deleted.
"""

from __future__ import annotations

import asyncio
from typing import Any

from api import audit, mpp, offload
from api.service import Server, now_iso
from projects import loader
from projects import repository as repo
from projects.checks import parse_portfolio
from projects.contractor import read_schedule, schedule
from projects.contractor.importer import parse_map, project_entry
from projects.model import Portfolio


def _build(data: bytes, name: str, current: dict[str, Any], *, pid: str, unit: str,
           map_data: object, map_name: str, today: Any, project_name: str | None,
           previous: dict[str, Any] | None = None,
           mspdi: bytes | None = None) -> tuple[Portfolio, dict[str, Any]]:
    sched = read_schedule(data, name) if mspdi is None else mpp.read_converted(mspdi, name)
    rows = schedule(sched)
    mapping = parse_map(map_data, map_name)
    projects = current.get("projects", [])
    at = next((i for i, p in enumerate(projects) if p.get("id") == pid), None)
    existing = projects[at] if at is not None else None
    project, record = project_entry(sched, rows, pid=pid, unit=unit, mapping=mapping,
                                    existing=existing, name=project_name, previous=previous)
    project["unit"] = unit
    if at is None:
        projects.append(project)
    else:
        projects[at] = project
    current["projects"] = projects
    return parse_portfolio(current, today=today, source=name), record


async def import_schedule(server: Server, data: bytes, name: str, *, pid: str, unit: str,
                          actor: str, map_data: object = None, map_name: str = "map",
                          project_name: str | None = None) -> dict[str, Any]:
    """Make or update project ``pid`` from the schedule file's bytes; returns what changed
    (``projects.contractor.importer.changes``) with the stored counts. Raises
    ``ScheduleFileError`` (the file or map), ``PortfolioError`` (the project it makes).

    An ``.mpp`` is converted to MSPDI (``api.mpp``, a Java subprocess) before the write lock
    is taken: seconds of conversion do not hold up other writers."""
    mspdi = (await asyncio.to_thread(mpp.to_mspdi, [(data, name)]))[0] if mpp.is_mpp(data, name) else None
    async with server.writing():
        snap = await server.snapshot()
        current = loader.dump_portfolio(snap.portfolio)
        last, _ = await audit.entries(action="schedule.import", subject=f"project:{pid}", limit=1)
        portfolio, record = await offload.run(_build, data, name, current, pid=pid, unit=unit,
                                              map_data=map_data, map_name=map_name,
                                              today=server.today(), project_name=project_name,
                                              previous=last[0].after if last else None,
                                              mspdi=mspdi)
        counts = await repo.import_portfolio(Portfolio(projects=portfolio.projects), actor=actor,
                                             known_on=server.today(), recorded_at=now_iso())
        record = {**record, "milestones_stored": counts["milestones"], "source": name}
        await server.changed(actor, "schedule.import", f"project:{pid}", None, record)
        snap = await server.snapshot()
        await server._evaluate_and_store(snap.portfolio, snap.calendar, server.today(),
                                         projects=None, actor=actor, reason="schedule import")
    return record
