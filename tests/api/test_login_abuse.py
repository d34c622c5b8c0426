"""The login form under abuse: hashing off the event loop, the throttle per account and per
address, and the password rule (issue 15.4)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from argon2 import PasswordHasher

from api import users
from api.throttle import LoginThrottle
from tests.api.conftest import PASSWORD, Api


async def _attempt(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    csrf = client.cookies.get("csrftoken")
    if csrf is None:
        await client.get("/login")
        csrf = client.cookies["csrftoken"]
    return await client.post("/login", data={"username": username, "password": password, "next": "/api/me",
                                             "_csrf_token": csrf})


async def test_reads_are_answered_while_a_burst_of_logins_hashes(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve wrong logins in flight at once: a health check sent after them finishes before most of them."""
    # At production cost: the suite's test-cost hashes (tests/conftest.py) take no time to queue behind.
    monkeypatch.setattr(users, "_hasher", PasswordHasher())
    await api.client.get("/login")
    done: list[str] = []

    async def login(i: int) -> None:
        await _attempt(api.client, f"nobody{i}", "wrong password here")
        done.append("login")

    async def health() -> None:
        await asyncio.sleep(0)
        r = await api.client.get("/api/health")
        assert r.status_code == 200
        done.append("health")

    await asyncio.gather(*(login(i) for i in range(12)), health())
    assert done.count("login") == 12
    assert done.index("health") < 6, done


async def test_wrong_passwords_for_one_account_lock_it_with_a_clear_message(api: Api) -> None:
    """After five wrong passwords for office the sixth try, even the right password, is refused (429, zh/en)."""
    for _ in range(5):
        assert (await _attempt(api.client, "office", "not the password")).status_code == 401
    r = await _attempt(api.client, "office", PASSWORD)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "登录失败次数太多" in r.text and "too many failed sign-ins" in r.text
    assert (await api.client.get("/api/me")).status_code == 401
    # Another account is not locked by office's failures.
    assert (await _attempt(api.client, "leader", PASSWORD)).status_code == 303


def test_the_throttle_counts_per_address_and_forgets_after_its_window() -> None:
    """Twenty failures from one address over many names lock that address; the window passing unlocks it."""
    clock = [0.0]
    t = LoginThrottle(now=lambda: clock[0])
    for i in range(20):
        assert t.wait_seconds(f"name{i}", "203.0.113.7") == 0
        t.failed(f"name{i}", "203.0.113.7")
    assert t.wait_seconds("someone-else", "203.0.113.7") > 0
    assert t.wait_seconds("someone-else", "198.51.100.1") == 0
    clock[0] += t.window + 1
    assert t.wait_seconds("someone-else", "203.0.113.7") == 0


@pytest.mark.parametrize("weak", ["password", "        ", "PASSWORD", "12345678", "aaaaaaaa", "abababab", "short"])
async def test_weak_passwords_are_refused_with_the_reason(api: Api, weak: str) -> None:
    """The office cannot give a user `password`, eight spaces or a repetitive password; the reason is zh/en."""
    r = await api.client.patch("/api/users/unit", json={"password": weak}, headers=api.auth("office"))
    assert r.status_code in {400, 422}, r.text
    assert "password" in r.text
    with pytest.raises(users.UserError) as err:
        users.validate("someone", "leader", None, weak, set())
    assert err.value.where == "password"
