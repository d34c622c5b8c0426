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

from api import keys
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
