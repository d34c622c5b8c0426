"""The demo delivers its notices to its own inbox on loopback, and the console stays readable."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.settings import Settings
from tests.e2e.conftest import Running, start, stop

pytestmark = pytest.mark.e2e


def _token(running: Running, username: str) -> dict[str, str]:
    r = running.duban("users", "token", username)
    assert r.returncode == 0, r.stderr
    return {"Authorization": f"Bearer {r.stdout.strip()}"}


def _delivered_lines(running: Running) -> list[str]:
    port = running.url.rsplit(":", 1)[1]
    return re.findall(rf"notice \S+ delivered to json://127\.0\.0\.1:{port}/\*\*\* \(try \d+\)", running.output())


def _wait_for_inbox(running: Running, auth: dict[str, str], expected: int, timeout: float = 120) -> list[dict]:
    """The office's view of the demo inbox once at least ``expected`` messages arrived and the
    worker logged each delivery (a first try that raced the server's start is retried by the
    worker after its back-off)."""
    deadline = time.monotonic() + timeout
    units: list[dict] = []
    while time.monotonic() < deadline:
        units = httpx.get(f"{running.url}/api/demo/inbox", headers=auth, timeout=10).json()
        total = sum(u["count"] for u in units)
        if total >= expected and len(_delivered_lines(running)) == total:
            return units
        time.sleep(0.5)
    raise AssertionError(f"the demo inbox holds {units} after {timeout} s, expected {expected} messages:\n"
                         f"{running.output()}")


def test_demo_notices_arrive_in_the_demo_inbox_without_a_noisy_console(tmp_path: Path) -> None:
    """`duban serve` on an empty database delivers every demo notice to its unit's demo inbox on
    loopback; the office reads them all, a unit user only its own, and the console has one
    redacted line per delivery, no Apprise INFO lines and no contact URL."""
    running = start(tmp_path, {"DUBAN_DEMO": "1"})
    try:
        office = _token(running, "office")
        notices = httpx.get(f"{running.url}/api/notices", headers=office).json()
        assert len(notices) >= 5
        units = _wait_for_inbox(running, office, len(notices))
        by_unit = {u["unit"]: u["messages"] for u in units}
        for n in notices:  # each notice reached its own unit, its code in the body
            assert any(n["title"] in m["title"] and n["code"] in m["message"] for m in by_unit[n["unit"]]), n
        assert any(m["title"].startswith("【督办通知") for messages in by_unit.values() for m in messages)

        unit_user = _token(running, "unit")  # the demo's unit account, unit water-co: the busiest
        mine = httpx.get(f"{running.url}/api/demo/inbox", headers=unit_user).json()
        assert {u["unit"] for u in mine} == {"water-co"} and mine[0]["count"] > 0  # real work
        own = httpx.get(f"{running.url}/api/notices", headers=unit_user).json()
        assert own and all(n["unit"] == "water-co" for n in own)
        refused = httpx.get(f"{running.url}/api/demo/inbox", params={"unit": "water"}, headers=unit_user)
        assert refused.status_code == 403
        typo = httpx.get(f"{running.url}/api/demo/inbox", params={"unit": "watr"}, headers=office)
        assert typo.status_code == 404 and "'water'" in typo.json()["message"]
        assert httpx.get(f"{running.url}/api/demo/inbox").status_code == 401

        page = httpx.Client(base_url=running.url)
        page.get("/login")
        r = page.post("/login", data={"username": "office", "password": "duban-office", "next": "/demo/inbox",
                                      "_csrf_token": page.cookies["csrftoken"]}, follow_redirects=True)
        assert r.status_code == 200 and notices[0]["title"] in r.text

        out = running.output()
        assert f"{running.url}/demo/inbox" in out
        assert len(_delivered_lines(running)) == sum(len(messages) for messages in by_unit.values())
        assert not re.search(r"INFO - [^\n]* - apprise - ", out)
        assert "Notifying" not in out and "Sent JSON" not in out
        assert not re.search(r"json://[^\s]*/api/demo/inbox", out) and "duban.example" not in out
        assert "Traceback" not in out  # the refused requests above are the client's business
    finally:
        stop(running)

    # The same database, another port; in zh-CN whatever the inherited locale says (the lines
    # below read the Chinese start text).
    again = start(tmp_path, {"DUBAN_DEMO": "1", "DUBAN_LANG": "zh"})
    try:
        port = again.url.rsplit(":", 1)[1]
        with sqlite3.connect(tmp_path / "duban.sqlite") as db:
            contacts = [c for (row,) in db.execute("SELECT contacts FROM projects_unit") for c in json.loads(row)]
        assert contacts and all(c.startswith(f"json://127.0.0.1:{port}/api/demo/inbox/") for c in contacts)
        assert f"{again.url}/demo/inbox" in again.output()
        assert "演示账号（在 /login 登录）：" in again.output()  # on every start, zh-CN first
        assert "unit    密码 duban-unit" in again.output()
    finally:
        stop(again)


def test_a_server_without_the_demo_has_no_demo_inbox(empty_server: Running) -> None:
    """With DUBAN_DEMO=0 neither the receiver nor the listing exists."""
    r = httpx.post(f"{empty_server.url}/api/demo/inbox/water", json={"title": "t", "message": "m"})
    assert r.status_code == 404
    assert httpx.get(f"{empty_server.url}/demo/inbox").status_code == 404


async def test_the_demo_inbox_refuses_messages_from_off_this_machine(tmp_path: Path) -> None:
    """A post to the receiver from a caller that is not loopback is refused with 403 and stored nowhere."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'duban.sqlite'}", secret_key="test-secret",
                        cookie_secure=False, demo=True)
    app = create_app(settings)
    async with AsyncTestClient(app) as client:  # its caller is "testclient", not 127.0.0.1
        r = await client.post("/api/demo/inbox/water", json={"title": "督办通知", "message": "正文"})
        assert r.status_code == 403 and "this machine only" in r.json()["message"]
        assert app.state.get("demo_inbox") is None
