"""The site the page and board tests share: the real app on SQLite with a small portfolio, the standard
rulebook published, one user per role, and a helper that signs in through the login form."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from api.app import create_app
from api.service import Server, now_iso
from api.settings import Settings
from projects.model import Category, Dependency, Kind, Milestone, Portfolio, Project, Unit
from rules import repository as rules_repo
from rules.standard import standard_sources
from tests.api.conftest import PASSWORD, ROLES, TODAY, SharedApp, seed

__all__ = ["PASSWORD", "PORTFOLIO", "ROLES", "TODAY", "Site", "publish", "shared_site", "site"]

PORTFOLIO = Portfolio(
    units=(
        Unit("city", "市人民政府"),
        Unit("transport", "市交通运输局", parent="city"),
        Unit("water", "市水务局", parent="city"),
    ),
    projects=(
        Project("P001", "海东大道改造工程", Category.PROJECT, "transport", 120_000_000.0, (
            Milestone("P001", "approval", "立项批复", Kind.APPROVAL, due=dt.date(2026, 2, 10),
                      finished=dt.date(2026, 2, 8), updated=dt.date(2026, 2, 8),
                      amount=1_000_000.0, paid=1_000_000.0),
            Milestone("P001", "tender", "施工招标", Kind.TENDERING, due=dt.date(2026, 4, 30),
                      start=dt.date(2026, 3, 2), after=(Dependency("approval"),),
                      updated=dt.date(2026, 4, 20), amount=2_000_000.0),
            Milestone("P001", "build", "主体施工", Kind.PROGRESS, due=dt.date(2026, 12, 31),
                      start=dt.date(2026, 6, 1), unit="water", progress=0.1,
                      after=(Dependency("tender"),)),
        )),
        Project("P002", "城北水厂扩建", Category.PROJECT, "water", 50_000_000.0, (
            Milestone("P002", "approval", "立项批复", Kind.APPROVAL, due=dt.date(2026, 6, 1),
                      start=dt.date(2026, 4, 1)),
        )),
        Project("P003", "优化营商环境", Category.TASK, "water", None, (
            Milestone("P003", "plan", "方案印发", Kind.PROGRESS, due=dt.date(2026, 9, 1)),
        )),
    ),
)


@dataclass
class Site:
    client: httpx.AsyncClient
    server: Server

    async def sign_in(self, role: str) -> None:
        """Sign in through the real login form (with its CSRF token)."""
        self.client.cookies.clear()
        page = await self.client.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert token, page.text
        r = await self.client.post("/login", data={"username": role, "password": PASSWORD,
                                                   "next": "/", "_csrf_token": token.group(1)},
                                   follow_redirects=False)
        assert r.status_code == 303, r.text

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken") or ""

    async def form(self, path: str) -> str:
        """The CSRF token of the page at ``path``."""
        page = await self.client.get(path)
        found = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert found, page.text
        return found.group(1)


async def publish(server: Server, sources: dict[str, str]) -> int:
    async with server.writing():
        v = await rules_repo.save_draft(sources, author="seed", note="", at=now_iso())
        await rules_repo.mark_checked(v.number, at=now_iso())
    await server.publish("seed", v.number)
    return v.number


async def _seed(server: Server) -> dict[str, str]:
    """The site's state: the API tests' seed of its portfolio (one user per role), then the
    standard rulebook published."""
    tokens = await seed(server, PORTFOLIO)
    await publish(server, standard_sources())
    return tokens


@pytest.fixture(scope="session")
def shared_site(tmp_path_factory: pytest.TempPathFactory) -> SharedApp:
    """One app for every page test of the session (as ``tests/api`` shares one per backend),
    started afresh per test on the database put back to the seeded state."""
    settings = Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('site') / 'duban.sqlite'}",
                        secret_key="test-secret", cookie_secure=False, today=TODAY, demo=False)
    return SharedApp(settings, create_app(settings), seeder=_seed)


@pytest.fixture
async def site(shared_site: SharedApp) -> AsyncIterator[Site]:
    server = await shared_site.start()
    try:
        transport = httpx.ASGITransport(app=shared_site.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1",
                                     follow_redirects=True) as client:  # as Litestar's test client
            yield Site(client, server)
    finally:
        await shared_site.stop()
