"""Supervision notices: the inbox of a unit, the office's view, responses and decisions.

The notices themselves are the notifier's (``notifier.store``); this controller authorises,
audits, and translates.
"""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.exceptions import PermissionDeniedException

from api.auth import AppRequest, roles, signed_in
from api.controllers.common import caller
from api.schemas import (
    NoticeRead,
    NoticeReject,
    NoticeRespond,
    NoticeStepRead,
    notice_read,
    record_values,
)
from api.service import Server
from api.visibility import sees_everything, sees_unit
from notifier import store


class NoticeController(Controller):
    path = "/api/notices"
    tags = ["notices"]  # noqa: RUF012

    @get("/", operation_id="listNotices", guards=[signed_in])
    async def list_notices(self, request: AppRequest, server: Server, open_only: bool = False,
                           unit: str | None = None) -> list[NoticeRead]:
        who = caller(request)
        if not sees_everything(who):  # a unit's own notices only (api.visibility)
            unit = who.unit
        return [notice_read(n) for n in await store.list_notices(server.engine, unit=unit, open_only=open_only)]

    @get("/{code:str}", operation_id="getNotice", guards=[signed_in])
    async def get_notice(self, request: AppRequest, server: Server, code: str) -> NoticeRead:
        n = await store.get_notice(server.engine, code)
        if not sees_unit(caller(request), n.unit):
            raise PermissionDeniedException(f"notice {code} is addressed to unit {n.unit}, not yours")
        return notice_read(n)

    @get("/{code:str}/history", operation_id="getNoticeHistory", guards=[signed_in])
    async def history(self, request: AppRequest, server: Server, code: str) -> list[NoticeStepRead]:
        """The notice's history, oldest first: issued, the unit's replies, the office's
        decisions with their reasons and the deadline a rejection moved to."""
        n = await store.get_notice(server.engine, code)
        if not sees_unit(caller(request), n.unit):
            raise PermissionDeniedException(f"notice {code} is addressed to unit {n.unit}, not yours")
        return [NoticeStepRead(day=s.day, event=s.event, to_state=s.to_state,
                               from_state=s.from_state, actor=s.actor, text=s.text,
                               new_due=s.new_due)
                for s in await store.notice_steps(server.engine, code)]

    @post("/{code:str}/respond", operation_id="respondNotice", guards=[roles("office", "owner", "unit")], status_code=200)
    async def respond(self, request: AppRequest, server: Server, code: str, data: NoticeRespond) -> NoticeRead:
        who = caller(request)
        sent = record_values(data)
        new = await server.notice_action(who.username, code, "respond", text=sent["text"],
                                         attachment=sent["attachment"],
                                         unit=None if who.role == "office" else who.unit)
        return notice_read(new)

    @post("/{code:str}/accept", operation_id="acceptNotice", guards=[roles("office")], status_code=200)
    async def accept(self, request: AppRequest, server: Server, code: str) -> NoticeRead:
        return notice_read(await server.notice_action(caller(request).username, code, "accept"))

    @post("/{code:str}/reject", operation_id="rejectNotice", guards=[roles("office")], status_code=200)
    async def reject(self, request: AppRequest, server: Server, code: str, data: NoticeReject) -> NoticeRead:
        sent = record_values(data)
        return notice_read(await server.notice_action(caller(request).username, code, "reject",
                                                      reason=sent["reason"], new_due=sent["new_due"]))
