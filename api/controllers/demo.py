"""The demo inbox: where the demo units' supervision notices arrive, on this machine only.

Owns the demo contact URLs (``inbox_contact``, ``rewire``), the in-memory ``DemoInbox``, the
receiving endpoint Apprise's ``json://`` plugin posts to, and the listing (API and page).
Invariants:

- It exists only in demo mode (``Settings.demo``): ``demo_routes(settings)`` is empty otherwise.
- The receiver, ``POST /api/demo/inbox/{unit}``, takes only posts that carry the inbox's own
  key (``X-Duban-Inbox-Key``: ``inbox_key(settings)``, derived from the server's secret, never
  shown) and come from loopback, and only for units of the portfolio. The demo units' contacts
  carry the key (Apprise's ``?+Header=value``), so the delivery worker sends it; another local
  process, a browser page on this machine or a proxy on the same host does not know it. It needs
  no sign-in and is not in the schema.
- The listing, ``GET /api/demo/inbox`` and the page ``/demo/inbox``, shows every unit to the
  office and leaders and a unit's own messages to its owner and unit users.
- Messages live in this process's memory, at most ``PER_UNIT`` per unit (newest kept): a
  restart empties the inbox, the notices and their delivery log stay in the database.
"""

from __future__ import annotations

import difflib
import hmac
import html
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Response
from msgspec import Struct

from api import keys
from api.auth import AppRequest, page_guard, signed_in
from api.controllers.common import caller
from api.service import Server, now_iso
from api.settings import Settings
from api.visibility import sees_unit

INBOX_PATH = "/api/demo/inbox"
PER_UNIT = 200
LOOPBACK = frozenset({"127.0.0.1", "::1"})
KEY_HEADER = "X-Duban-Inbox-Key"
_CONTACT = re.compile(r"^json://127\.0\.0\.1:(\d{1,5})/api/demo/inbox/([A-Za-z0-9_.-]+)"
                      r"(?:\?\+X-Duban-Inbox-Key=[0-9a-f]+)?$")


def inbox_key(settings: Settings) -> str:
    """The demo inbox's own key: what its receiver demands of every post."""
    return keys.derive(keys.server_secret(settings), "demo-inbox")


def inbox_contact(port: int, unit: str, key: str) -> str:
    """The Apprise URL that delivers ``unit``'s notices to the demo inbox of a server on
    ``port``, with the inbox's ``key`` sent as a header."""
    return f"json://127.0.0.1:{port}{INBOX_PATH}/{unit}?+{KEY_HEADER}={key}"


def is_inbox_contact(url: str) -> bool:
    return _CONTACT.match(url.strip()) is not None


def rewire(url: str, port: int, key: str) -> str:
    """A demo inbox contact moved to ``port`` and carrying ``key`` (contacts made before the
    inbox had a key gain it); any other URL unchanged."""
    m = _CONTACT.match(url.strip())
    return url if m is None else inbox_contact(port, m.group(2), key)


@dataclass(frozen=True, slots=True)
class Received:
    """One message the demo inbox received."""

    unit: str
    title: str
    message: str
    type: str
    received: str


@dataclass
class DemoInbox:
    """Messages per unit, in arrival order, the oldest dropped beyond ``per_unit``."""

    per_unit: int = PER_UNIT
    _by_unit: dict[str, deque[Received]] = field(default_factory=dict)

    def add(self, message: Received) -> None:
        self._by_unit.setdefault(message.unit, deque(maxlen=self.per_unit)).append(message)

    def units(self) -> list[str]:
        return sorted(self._by_unit)

    def messages(self, unit: str) -> list[Received]:
        return list(self._by_unit.get(unit, ()))


def inbox_of(state: State) -> DemoInbox:
    """The app's demo inbox (made on first use)."""
    inbox = state.get("demo_inbox")
    if inbox is None:
        inbox = state["demo_inbox"] = DemoInbox()
    return inbox


class AppriseJSON(Struct):
    """What Apprise's ``json://`` plugin posts (``version``, ``title``, ``message``, ``type``)."""

    message: str
    title: str = ""
    type: str = "info"
    version: str = "1.0"
    attachments: list[Any] = []  # msgspec copies mutable defaults


class InboxMessage(Struct):
    title: str
    message: str
    type: str
    received: str


class InboxUnit(Struct):
    unit: str
    name: str
    count: int
    messages: list[InboxMessage]


async def _visible(request: AppRequest, server: Server, unit: str | None) -> list[InboxUnit]:
    who = caller(request)
    names = {u.id: u.name for u in (await server.snapshot()).portfolio.units}
    if unit is not None and unit not in names:
        raise NotFoundException(f"no unit {unit!r}; did you mean {_near(unit, names)}?")
    if unit is not None and not sees_unit(who, unit):
        raise PermissionDeniedException(f"the demo inbox of unit {unit} is not yours to read")
    inbox = inbox_of(request.app.state)
    wanted = [unit] if unit is not None else inbox.units()
    out = []
    for uid in wanted:
        if not sees_unit(who, uid):
            continue
        got = inbox.messages(uid)
        out.append(InboxUnit(uid, names.get(uid, uid), len(got),
                             [InboxMessage(m.title, m.message, m.type, m.received) for m in got]))
    return out


def _near(unit: str, names: Sequence[str] | dict[str, str]) -> str:
    close = difflib.get_close_matches(unit, list(names), n=3)
    return " or ".join(repr(c) for c in close) if close else "one of " + ", ".join(sorted(names))


class DemoInboxController(Controller):
    path = INBOX_PATH
    tags = ["demo"]  # noqa: RUF012

    @post("/{unit:str}", operation_id="receiveDemoNotice", include_in_schema=False, status_code=200,
          opt={"exclude_from_auth": True})
    async def receive(self, request: AppRequest, server: Server, unit: str, data: AppriseJSON) -> dict[str, str]:
        """The delivery worker's Apprise ``json://`` post for ``unit``: loopback callers with the
        inbox's key only."""
        host = request.client.host if request.client else ""
        if host not in LOOPBACK:
            raise PermissionDeniedException("演示收件箱只接收本机的消息 — the demo inbox takes messages from this "
                                            "machine only (127.0.0.1)")
        sent = request.headers.get(KEY_HEADER.lower(), "")
        expected = request.app.state.get("demo_inbox_key") or ""
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            raise PermissionDeniedException(
                "演示收件箱只接收带有其密钥的消息 — the demo inbox takes only messages carrying its key "
                f"({KEY_HEADER}), which the demo units' contacts send; being on this machine is not enough")
        units = {u.id for u in (await server.snapshot()).portfolio.units}
        if unit not in units:
            raise NotFoundException(f"no unit {unit!r} to deliver to; did you mean {_near(unit, sorted(units))}?")
        inbox_of(request.app.state).add(Received(unit, data.title, data.message, data.type, now_iso()))
        return {"stored": unit}

    @get("/", operation_id="listDemoInbox", guards=[signed_in])
    async def list_inbox(self, request: AppRequest, server: Server, unit: str | None = None) -> list[InboxUnit]:
        """The notices the demo inbox received, per unit (a unit's own only, unless office or leader)."""
        return await _visible(request, server, unit)


@get("/demo/inbox", guards=[page_guard], include_in_schema=False, media_type="text/html")
async def demo_inbox_page(request: AppRequest, server: Server) -> Response[str]:
    """The demo inbox as a page: each unit's received 督办通知, newest first."""
    parts = ["<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>演示收件箱 demo inbox</title>",
             "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}"
             "article{border:1px solid #ccc;padding:.5rem 1rem;margin:.5rem 0}"
             "pre{white-space:pre-wrap}</style></head><body>",
             "<h1>演示收件箱 · demo inbox</h1><p>What the notice delivery worker sent to the demo units' "
             "contacts (json://127.0.0.1, this server). Kept in memory until the server stops.</p>"]
    units = await _visible(request, server, None)
    if not units:
        parts.append("<p>Nothing received yet.</p>")
    for u in units:
        parts.append(f"<h2>{html.escape(u.name)} <small>({html.escape(u.unit)}, {u.count})</small></h2>")
        for m in reversed(u.messages):
            parts.append(f"<article><h3>{html.escape(m.title)}</h3><pre>{html.escape(m.message)}</pre>"
                         f"<small>{html.escape(m.received)}</small></article>")
    parts.append("</body></html>")
    return Response("".join(parts), media_type="text/html")


def demo_routes(settings: Settings) -> list[Any]:
    """The demo inbox's handlers in demo mode; nothing otherwise."""
    return [DemoInboxController, demo_inbox_page] if settings.demo else []
