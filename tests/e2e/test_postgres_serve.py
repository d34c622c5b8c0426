"""`duban serve` on PostgreSQL with no secret and an empty database: it seeds nothing and a
cookie forged from the database URL signs nobody in (issue 15, "How we will know")."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import httpx
import pytest

from tests import pg
from tests.api.test_sessions import forged_cookie
from tests.e2e.conftest import start, stop

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


async def _users(url: str) -> int:
    import asyncpg  # noqa: PLC0415

    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM api_user"))
    finally:
        await conn.close()


def test_serve_on_postgres_seeds_nothing_and_refuses_a_forged_cookie(tmp_path: Path, postgres_url: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """No demo accounts, no users, and neither the demo password nor a URL-derived cookie signs in."""
    pg.run(pg.reset_database(postgres_url))
    monkeypatch.delenv("DUBAN_SECRET_KEY", raising=False)
    monkeypatch.delenv("DUBAN_DEMO", raising=False)
    running = start(tmp_path, {"DUBAN_COOKIE_SECURE": "0"}, database_url=postgres_url)
    try:
        assert "duban-office" not in running.output()
        assert pg.run(_users(postgres_url)) == 0
        client = httpx.Client(base_url=running.url)
        client.get("/login")
        r = client.post("/login", data={"username": "office", "password": "duban-office", "next": "/api/me",
                                        "_csrf_token": client.cookies["csrftoken"]})
        assert r.status_code == 401
        guessed = hashlib.sha256(("duban-session:" + postgres_url).encode()).hexdigest()
        cookie = forged_cookie(guessed, {"user": "office", "ver": 0, "iat": int(time.time())})
        forged = httpx.Client(base_url=running.url, cookies=cookie)
        assert forged.get("/api/me").status_code == 401
        assert forged.get("/api/demo/inbox").status_code in {401, 404}
    finally:
        stop(running)
