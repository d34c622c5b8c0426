"""Channels: how one message reaches one target (like structlog's processors and test doubles).

Owns the ``Channel`` protocol, the real ``AppriseChannel`` and the ``CapturingChannel`` test
double for code that *uses* delivery. A channel sends one title and body to one target URL and
reports the outcome as a value; it never raises for a failed delivery and never puts a target
URL in its error text (only its redacted form).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol

import apprise

from notifier.redact import redact_text, redact_url


@dataclass(frozen=True, slots=True)
class SendResult:
    """The outcome of one attempt. ``permanent``: retrying cannot help (a malformed URL)."""

    ok: bool
    error: str | None = None
    permanent: bool = False


class Channel(Protocol):
    """Sends one message to one target."""

    async def send(self, target: str, title: str, body: str, *, timeout: float) -> SendResult: ...


class AppriseChannel:
    """Delivers through Apprise (mailto/mailtos, wecombot, dingtalk, feishu, json, SMS...).

    Each call builds its own ``Apprise`` object for the one target, with Apprise's persistent
    storage off, so targets share nothing. The blocking plugin runs in this channel's own
    thread pool (``threads``, at least the worker's concurrency), not in Apprise's
    process-wide one, which holds min(32, CPUs + 4) threads: a send to a target that never
    answers keeps its thread for the socket timeout, and on a small machine a few of them
    would starve every live delivery. ``timeout`` is also the plugin's connect and read
    timeout, so a hung target frees its thread when its attempt is given up.
    """

    def __init__(self, *, app_id: str = "duban", threads: int = 32) -> None:
        self._asset = apprise.AppriseAsset(app_id=app_id, storage_mode="memory", async_mode=False)
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="duban-send")

    async def send(self, target: str, title: str, body: str, *, timeout: float) -> SendResult:
        ap = apprise.Apprise(asset=self._asset)
        if not ap.add(target):
            return SendResult(
                False,
                f"{redact_url(target)} is not a URL Apprise can deliver to; "
                "check the unit's contacts (e.g. mailtos://user:pass@smtp.host?to=addr)",
                permanent=True,
            )
        for service in ap:
            service.socket_connect_timeout = min(timeout, service.socket_connect_timeout or timeout)
            service.socket_read_timeout = min(timeout, service.socket_read_timeout or timeout)
        call = partial(ap.notify, body=body, title=title, log_level=logging.INFO)
        try:
            result = await asyncio.wait_for(
                asyncio.get_running_loop().run_in_executor(self._pool, call),
                timeout=timeout + 5,  # the plugin's socket timeouts should fire first
            )
        except TimeoutError:
            return SendResult(False, f"no answer from {redact_url(target)} within {timeout:g} s")
        except Exception as exc:  # a plugin bug must not kill the worker
            return SendResult(False, redact_text(f"{type(exc).__name__}: {exc}", [target]))
        if result:
            return SendResult(True)
        lines = [str(entry) for entry in result.logs()] or [f"status {result.status}"]
        detail = "; ".join(line.split(" - ", 2)[-1] for line in lines[-3:])
        return SendResult(False, redact_text(f"{redact_url(target)}: {detail}", [target]))

    def close(self) -> None:
        """Let the pool's threads go once their sends end (the worker calls it on stop)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True, slots=True)
class Sent:
    """One message a ``CapturingChannel`` was asked to send."""

    target: str
    title: str
    body: str


@dataclass
class CapturingChannel:
    """Records every message instead of sending it; fails the targets listed in ``failing``.

    For tests of code that uses delivery (the worker's bookkeeping, the server's wiring).
    """

    failing: set[str] = field(default_factory=set)
    sent: list[Sent] = field(default_factory=list)
    tried: list[Sent] = field(default_factory=list)

    async def send(self, target: str, title: str, body: str, *, timeout: float) -> SendResult:
        message = Sent(target, title, body)
        self.tried.append(message)
        if target in self.failing:
            return SendResult(False, f"{redact_url(target)}: refused (capturing channel)")
        self.sent.append(message)
        return SendResult(True)
