"""Start the real `duban serve` as a subprocess on a free loopback port and wait until it answers;
the browser tests share one Chromium per session (``tests.browser.browser``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.browser import browser

__all__ = ["Running", "browser", "empty_server", "free_port", "start", "stop"]

DUBAN = Path(sys.executable).with_name("duban")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Running:
    url: str
    process: subprocess.Popen[str]
    workdir: Path
    env: dict[str, str]

    def output(self) -> str:
        return (self.workdir / "serve.log").read_text()

    def duban(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(DUBAN), *args], cwd=self.workdir, env=self.env, capture_output=True,
                              text=True, timeout=120, check=False)


def start(workdir: Path, extra_env: dict[str, str], timeout: float = 90, *,
          database_url: str | None = None, args: tuple[str, ...] = ()) -> Running:
    """``duban serve [args]`` in ``workdir`` (its SQLite file there, or ``database_url``)."""
    port = free_port()
    env = {**os.environ, "DUBAN_TODAY": "2026-05-06", **extra_env}
    env.pop("DUBAN_DATABASE_URL", None)
    if database_url is not None:
        env["DUBAN_DATABASE_URL"] = database_url
    log = (workdir / "serve.log").open("w")
    process = subprocess.Popen([str(DUBAN), "serve", "--port", str(port), *args], cwd=workdir, env=env,
                               stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"duban serve exited with {process.returncode}:\n{(workdir / 'serve.log').read_text()}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return Running(url, process, workdir, env)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise AssertionError(f"duban serve did not answer within {timeout} s:\n{(workdir / 'serve.log').read_text()}")


def stop(running: Running) -> None:
    running.process.terminate()
    try:
        running.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()


@pytest.fixture
def empty_server(tmp_path: Path) -> Iterator[Running]:
    running = start(tmp_path, {"DUBAN_DEMO": "0"})
    yield running
    stop(running)
