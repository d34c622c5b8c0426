"""``POST /api/projects/{pid}/schedule``: make or update a project from a contractor's
schedule file (P6 XER, MS Project XML or .mpp) uploaded with its unit and an optional map; the same
import as ``duban import FILE --project`` (``api.schedules``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import yaml
from litestar import Controller, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from api.auth import AppRequest, roles
from api.controllers.common import caller
from api.schedules import import_schedule
from api.service import Server
from api.values import InputError


@dataclass
class ScheduleUpload:
    """The form: the file, the project's unit, an optional map (YAML) and a new project's name."""

    file: UploadFile
    unit: str
    map: UploadFile | None = None
    name: str | None = None


class ScheduleController(Controller):
    path = "/api/projects/{pid:str}/schedule"
    tags = ["schedules"]  # noqa: RUF012

    @post("", operation_id="importSchedule", guards=[roles("office")], status_code=200)
    async def import_file(self, request: AppRequest, server: Server, pid: str,
                          data: Annotated[ScheduleUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
                          ) -> dict[str, Any]:
        map_data: Any = None
        if data.map is not None:
            try:
                map_data = yaml.safe_load((await data.map.read()).decode("utf-8"))
            except (UnicodeDecodeError, yaml.YAMLError) as exc:
                raise InputError("map", f"映射文件不是 UTF-8 的 YAML / the map is not UTF-8 YAML: {exc}") from None
        content = await data.file.read()
        return await import_schedule(server, content, data.file.filename or "upload", pid=pid,
                                     unit=data.unit.strip(), actor=caller(request).username,
                                     map_data=map_data, map_name=(data.map.filename if data.map else None) or "map",
                                     project_name=data.name)
