"""Supervision notices: the inbox of a unit, the office's view, responses and decisions.

The notices themselves are the notifier's (``notifier.store``); this controller authorises,
audits, and translates.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import PermissionDeniedException

from api.auth import roles, sees_unit, signed_in
from api.controllers.common import caller
from api.database import notifier_store
from api.schemas import NoticeRead, NoticeReject, NoticeRespond
from api.service import Server


def _store() -> Any:
    store = notifier_store()
    if store is None:  # pragma: no cover - the notifier ships with the server
        raise RuntimeError("notifier.store is missing")
    return store


def notice_read(n: Any) -> NoticeRead:
    return NoticeRead(code=n.code, rule=n.rule, subject=n.subject, unit=n.unit, level=str(n.level),
                      state=str(n.state), title=n.title, message=n.message, issued=n.issued, due=n.due,
                      project=n.project, responded=n.responded, response_text=n.response_text)


def _brief(n: Any) -> dict[str, Any]:
    return {"state": str(n.state), "due": n.due.isoformat(), "responded": n.responded.isoformat() if n.responded else None}


class NoticeController(Controller):
    path = "/api/notices"
    tags = ["notices"]  # noqa: RUF012

    @get("/", operation_id="listNotices", guards=[signed_in])
    async def list_notices(self, request: Request, server: Server, open_only: bool = False,  # type: ignore[type-arg]
                           unit: str | None = None) -> list[NoticeRead]:
        who = caller(request)
        if who.role not in {"office", "leader"}:
            unit = who.unit
        return [notice_read(n) for n in await _store().list_notices(server.engine, unit=unit, open_only=open_only)]

    @get("/{code:str}", operation_id="getNotice", guards=[signed_in])
    async def get_notice(self, request: Request, server: Server, code: str) -> NoticeRead:  # type: ignore[type-arg]
        n = await _store().get_notice(server.engine, code)
        if not sees_unit(caller(request), n.unit):
            raise PermissionDeniedException(f"notice {code} is addressed to unit {n.unit}, not yours")
        return notice_read(n)

    @post("/{code:str}/respond", operation_id="respondNotice", guards=[roles("office", "owner", "unit")], status_code=200)
    async def respond(self, request: Request, server: Server, code: str, data: NoticeRespond) -> NoticeRead:  # type: ignore[type-arg]
        who = caller(request)
        store = _store()
        async with server.writing():
            old = await store.get_notice(server.engine, code)
            if who.role != "office" and who.unit != old.unit:
                raise PermissionDeniedException(f"notice {code} is addressed to unit {old.unit}; only it may respond")
            new = await store.respond(server.engine, code, server.today(), data.text, actor=who.username)
            await server.changed(who.username, "notice.respond", f"notice:{code}", _brief(old),
                                 {**_brief(new), "text": data.text})
        return notice_read(new)

    @post("/{code:str}/accept", operation_id="acceptNotice", guards=[roles("office")], status_code=200)
    async def accept(self, request: Request, server: Server, code: str) -> NoticeRead:  # type: ignore[type-arg]
        who = caller(request)
        store = _store()
        async with server.writing():
            old = await store.get_notice(server.engine, code)
            new = await store.accept(server.engine, code, server.today(), actor=who.username)
            await server.changed(who.username, "notice.accept", f"notice:{code}", _brief(old), _brief(new))
        return notice_read(new)

    @post("/{code:str}/reject", operation_id="rejectNotice", guards=[roles("office")], status_code=200)
    async def reject(self, request: Request, server: Server, code: str, data: NoticeReject) -> NoticeRead:  # type: ignore[type-arg]
        who = caller(request)
        store = _store()
        snap = await server.snapshot()
        async with server.writing():
            old = await store.get_notice(server.engine, code)
            new = await store.reject(server.engine, code, server.today(), reason=data.reason,
                                     portfolio=snap.portfolio, new_due=data.new_due, calendar=snap.calendar,
                                     actor=who.username)
            await server.changed(who.username, "notice.reject", f"notice:{code}", _brief(old),
                                 {**_brief(new), "reason": data.reason})
        return notice_read(new)
