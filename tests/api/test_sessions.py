"""Session cookies that cannot be forged and that end: the server secret, logout,
deactivation, password change and the absolute lifetime (issue 15.1 and 15.3)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig

from api import auth, keys, users
from api.app import create_app
from api.settings import Settings
from tests.api.conftest import PASSWORD, Api, seed


def forged_cookie(secret: str, data: dict[str, Any]) -> dict[str, str]:
    """A session cookie as the app would set it, encrypted with ``secret`` (the attacker's guess)."""
    backend = ClientSideSessionBackend(CookieBackendConfig(secret=hashlib.sha256(secret.encode()).digest(),
                                                           key="duban_session"))
    return {f"duban_session-{i}": chunk.decode() for i, chunk in enumerate(backend.dump_data(data))}


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    await client.get("/login")
    return await client.post("/login", data={"username": username, "password": password, "next": "/api/me",
                                             "_csrf_token": client.cookies["csrftoken"]})


def session_cookies(client: httpx.AsyncClient) -> dict[str, str]:
    return {c.name: c.value for c in client.cookies.jar if c.name.startswith("duban_session")}


async def me_with(client: httpx.AsyncClient, cookies: dict[str, str]) -> int:
    """GET /api/me carrying only ``cookies`` (a cookie someone kept)."""
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value)
    return (await client.get("/api/me")).status_code


@pytest.fixture
async def keyless(settings: Settings) -> AsyncIterator[Api]:
    """The app with no DUBAN_SECRET_KEY: it must make and keep its own random key."""
    app = create_app(replace(settings, secret_key=None))
    for hook in app.on_startup:
        await hook(app)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            tokens = await seed(app.state.server)
            yield Api(client, app.state.server, tokens)
    finally:
        for hook in app.on_shutdown:
            await hook(app)


async def test_a_cookie_forged_from_the_database_url_signs_nobody_in(keyless: Api) -> None:
    """Without a secret setting, a cookie encrypted with sha256('duban-session:' + URL) is refused."""
    url = keyless.server.settings.database_url
    guessed = hashlib.sha256(("duban-session:" + url).encode()).hexdigest()
    now = int(time.time())
    cookie = forged_cookie(guessed, {"user": "office", "ver": 0, "iat": now, "nonce": "x"})
    assert await me_with(keyless.client, cookie) == 401
    keyless.client.cookies.clear()
    r = await keyless.client.post("/api/users", json={"username": "mallory", "role": "office",
                                                      "password": "a long passphrase"})
    assert r.status_code in {401, 403}
    # The real key signs in, so the refusal above is the key's doing.
    real = keys.server_secret(replace(keyless.server.settings, secret_key=None))
    assert real != guessed and len(real) >= 64
    assert await me_with(keyless.client, forged_cookie(real, {"user": "office", "ver": 0, "iat": now})) == 200


async def test_the_random_key_is_made_once_and_kept_privately(keyless: Api) -> None:
    """Every process on one database reads the same key; only the server's account can read it."""
    settings = replace(keyless.server.settings, secret_key=None)
    first, again = keys.server_secret(settings), keys.server_secret(settings)
    assert first == again
    if settings.is_sqlite:
        path = settings.sqlite_path.with_name(settings.sqlite_path.name + ".secret")
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    else:
        import asyncpg  # noqa: PLC0415

        conn = await asyncpg.connect(settings.database_url)
        try:
            public = await conn.fetchval("SELECT has_table_privilege('public', 'api_secret', 'SELECT')")
        finally:
            await conn.close()
        assert public is False


async def test_logout_ends_every_copy_of_the_session(api: Api) -> None:
    """A cookie kept from before logout no longer reads /api/me or reports a milestone."""
    assert (await login(api.client, "owner")).status_code == 303
    kept = session_cookies(api.client)
    csrf = api.client.cookies["csrftoken"]
    assert await me_with(api.client, kept) == 200
    api.client.cookies.set("csrftoken", csrf)
    r = await api.client.post("/logout", data={"_csrf_token": csrf})
    assert r.status_code == 303
    assert await me_with(api.client, kept) == 401
    api.client.cookies.set("csrftoken", csrf)
    r = await api.client.patch("/api/projects/P001/milestones/tender", json={"version": 1, "progress": 0.5},
                               headers={"x-csrftoken": csrf})
    assert r.status_code == 401


@pytest.mark.parametrize("change", [{"active": False}, {"password": "a brand new passphrase"}])
async def test_deactivation_and_password_change_end_sessions(api: Api, change: dict[str, Any]) -> None:
    """After the office deactivates a user or changes its password, its kept cookie signs nobody in."""
    assert (await login(api.client, "unit")).status_code == 303
    kept = session_cookies(api.client)
    assert await me_with(api.client, kept) == 200
    r = await api.client.patch("/api/users/unit", json=change, headers=api.auth("office"))
    assert r.status_code == 200, r.text
    assert await me_with(api.client, kept) == 401


async def test_a_session_ends_twelve_hours_after_sign_in_however_refreshed(api: Api) -> None:
    """A cookie issued 13 hours ago is refused even with the right key and version; one issued now passes."""
    secret = api.server.settings.secret_key
    assert secret is not None
    old = int(time.time() - dt.timedelta(hours=13).total_seconds())
    assert await me_with(api.client, forged_cookie(secret, {"user": "leader", "ver": 0, "iat": old})) == 401
    assert await me_with(api.client, forged_cookie(secret, {"user": "leader", "ver": 0, "iat": int(time.time())})) == 200
    # A cookie as the old server issued it (no version, no sign-in time) is refused too.
    assert await me_with(api.client, forged_cookie(secret, {"user": "leader", "nonce": "ab"})) == 401


async def test_a_sign_in_forgets_only_the_lookups_it_changes(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """The office and the owner are signed in and the office's token was used (their lookups
    held for a few seconds). The leader signing in looks the leader up afresh and leaves the
    others' held lookups alone: their next requests pass without reading the database."""
    looked_up: list[str] = []
    session_user, by_token = users.session_user, users.by_token

    async def counted_session_user(username: str) -> users.User | None:
        looked_up.append(f"session {username}")
        return await session_user(username)

    async def counted_by_token(token: str) -> users.User | None:
        looked_up.append("token")
        return await by_token(token)

    monkeypatch.setattr(users, "session_user", counted_session_user)
    monkeypatch.setattr(users, "by_token", counted_by_token)
    kept = {}
    for name in ("office", "owner"):
        api.client.cookies.clear()
        assert (await login(api.client, name)).status_code == 303
        kept[name] = session_cookies(api.client)
        assert await me_with(api.client, kept[name]) == 200
    api.client.cookies.clear()
    assert (await api.client.get("/api/users", headers=api.auth("office"))).status_code == 200
    assert looked_up == ["session office", "session owner", "token"]

    api.client.cookies.clear()
    assert (await login(api.client, "leader")).status_code == 303
    assert (await api.client.get("/api/me")).json()["username"] == "leader"
    for name in ("office", "owner"):
        assert await me_with(api.client, kept[name]) == 200
    api.client.cookies.clear()
    assert (await api.client.get("/api/users", headers=api.auth("office"))).status_code == 200
    assert looked_up[3:] == ["session leader"]


async def test_a_demotion_reaches_the_held_session_and_token_at_once(api: Api) -> None:
    """A second office account, signed in and holding a token, both just used (so held), is
    made a leader: at once neither its session nor its token may list the users, while the
    first office's token still may."""
    r = await api.client.post("/api/users", json={"username": "office2", "role": "office",
                                                  "password": "another long passphrase"}, headers=api.auth("office"))
    assert r.status_code == 201, r.text
    assert (await login(api.client, "office2", "another long passphrase")).status_code == 303
    csrf = api.client.cookies["csrftoken"]
    made = await api.client.post("/api/tokens", json={"name": "script"}, headers={"x-csrftoken": csrf})
    assert made.status_code == 201, made.text
    token = {"Authorization": f"Bearer {made.json()['token']}"}
    kept = session_cookies(api.client)
    assert (await api.client.get("/api/users")).status_code == 200
    api.client.cookies.clear()
    assert (await api.client.get("/api/users", headers=token)).status_code == 200

    r = await api.client.patch("/api/users/office2", json={"role": "leader"}, headers=api.auth("office"))
    assert r.status_code == 200, r.text
    assert (await api.client.get("/api/users", headers=token)).status_code == 403
    assert await me_with(api.client, kept) == 200
    assert (await api.client.get("/api/users")).status_code == 403
    api.client.cookies.clear()
    assert (await api.client.get("/api/users", headers=api.auth("office"))).status_code == 200


async def test_a_lookup_read_across_a_logout_is_not_held() -> None:
    """A session lookup whose read overlapped a logout in this process answers its own request
    but is not held: the next request reads again (so it sees the bumped version)."""
    reads: list[int] = []

    async def read() -> users.User:
        reads.append(1)
        if len(reads) == 1:
            auth.forget_cached("someone", tokens=False)  # the logout lands while this is read
        return users.User("someone", "someone", "leader", None, True, "", len(reads) - 1)

    assert (await auth._cached("ssomeone", read))[1] == 0
    assert (await auth._cached("ssomeone", read))[1] == 1
    assert (await auth._cached("ssomeone", read))[1] == 1  # held from the second read on
    assert len(reads) == 2
    auth.forget_cached()
