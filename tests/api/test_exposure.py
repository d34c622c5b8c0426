"""What the server exposes beyond its answers: framing headers and the database file's mode
(issue 15.14)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from api import database
from api.settings import Settings
from tests.api.conftest import Api


@pytest.mark.parametrize("path", ["/login", "/api/health", "/my", "/"])
async def test_no_answer_may_be_framed_by_another_site(api: Api, path: str) -> None:
    """Pages and API answers carry X-Frame-Options DENY and CSP frame-ancestors 'none'."""
    r = await api.client.get(path)
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


async def test_the_sqlite_database_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    """A new duban.sqlite (and its write-ahead log) has mode 0600: no other local user reads hashes or contacts."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'duban.sqlite'}", secret_key="k" * 40)
    engine = database.make_engine(settings)
    await database.open_engine(engine, 2)
    try:
        await database.migrate(engine)
        for suffix in ("", "-wal"):
            path = settings.sqlite_path.with_name(settings.sqlite_path.name + suffix)
            if suffix == "" or path.exists():
                assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    finally:
        await database.close_engine(engine)
