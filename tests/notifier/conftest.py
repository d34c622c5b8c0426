"""Fixtures for the notifier's tests: a fresh SQLite file per test, a small portfolio, a
finding value shaped like the engine's, and real local receivers (SMTP, HTTP webhooks)."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from piccolo.engine.sqlite import SQLiteEngine

from notifier import store
from projects.model import Category, Kind, Level, Milestone, Portfolio, Project, Unit


@dataclass(frozen=True, slots=True)
class Finding:
    """The fields of ``rules.engine.Finding`` (the notifier reads only these)."""

    rule: str
    title: str
    subject: str
    level: Level
    message: str
    notify: tuple[str, ...] = ()
    respond_by: dt.date | None = None
    explain: tuple[tuple[str, object], ...] = ()
    project: str | None = None
    unit: str | None = None


def tender(level: Level = Level.YELLOW, *, respond_by: dt.date = dt.date(2026, 5, 11),
           notify: tuple[str, ...] = ("transport",)) -> Finding:
    return Finding(
        rule="tender_overdue", title="招标节点逾期", subject="milestone:P001/tender",
        level=level, message="「海东大道改造工程」招标节点已逾期 3 个工作日", notify=notify,
        respond_by=respond_by, explain=(("m.due", dt.date(2026, 4, 30)), ("m.overdue", 3)),
        project="P001", unit="transport",
    )


def portfolio(contacts: dict[str, tuple[str, ...]] | None = None) -> Portfolio:
    c = contacts or {}
    return Portfolio(
        units=(
            Unit("city", "市政府督查室", contacts=c.get("city", ())),
            Unit("transport", "市交通运输局", parent="city", contacts=c.get("transport", ())),
            Unit("water", "市水务局", parent="city", contacts=c.get("water", ())),
        ),
        projects=(
            Project("P001", "海东大道改造工程", Category.PROJECT, "transport", milestones=(
                Milestone("P001", "tender", "施工招标", Kind.TENDERING, due=dt.date(2026, 4, 30)),
            )),
            Project("P002", "北郊水厂扩建", Category.PROJECT, "water", milestones=(
                Milestone("P002", "design", "初步设计批复", Kind.APPROVAL, due=dt.date(2026, 4, 30)),
            )),
        ),
    )


@pytest.fixture
async def engine(tmp_path: Path) -> SQLiteEngine:
    e = SQLiteEngine(path=str(tmp_path / "duban.sqlite"), timeout=30)
    await store.migrate(e)
    return e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- a real SMTP server ----------------------------------------------------------------------


@dataclass
class Mailbox:
    port: int
    messages: list[tuple[str, list[str], str]] = field(default_factory=list)

    def url(self, to: str) -> str:
        """Apprise mailto URL for a plain (no TLS, no login) SMTP server on 127.0.0.1."""
        return (f"mailto://127.0.0.1:{self.port}?from=duban@gov.example&to={to}"
                "&mode=insecure")

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        content = envelope.content  # type: ignore[attr-defined]
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), text))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    box = Mailbox(free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


# -- a real HTTP webhook receiver ------------------------------------------------------------


@dataclass
class Hook:
    """Receives ``json://`` webhooks; answers 503 while ``down`` > 0 (counting down)."""

    port: int = 0
    received: list[dict[str, object]] = field(default_factory=list)
    refused: int = 0
    down: int = 0
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def codes(self) -> list[str]:
        """Notice codes of the messages received (from the body's first code line)."""
        out = []
        for m in self.received:
            body = str(m["message"])
            for line in body.splitlines():
                if line.startswith(("通知编号：", "Notice: ")):
                    out.append(line.split("：" if "：" in line else ": ", 1)[1])
                    break
        return out


def start_hook(hook: Hook) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if hook.delay:
                threading.Event().wait(hook.delay)
            with hook.lock:
                refuse = hook.down > 0
                if refuse:
                    hook.down -= 1
                    hook.refused += 1
                else:
                    hook.received.append(json.loads(data))
            self.send_response(503 if refuse else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", hook.port), Handler)
    server.daemon_threads = True
    hook.port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    server = start_hook(h)
    try:
        yield h
    finally:
        server.shutdown()
        server.server_close()
