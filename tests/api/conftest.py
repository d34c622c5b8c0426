"""Fixtures of the API tests: the app on SQLite and on a real PostgreSQL server, a small
portfolio, and one signed-in user (with an API token) per role."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api import users
from api.app import create_app
from api.service import Server, now_iso
from api.settings import Settings
from projects import repository as repo
from projects.model import Category, Dependency, Kind, Milestone, Portfolio, Project, Unit
from tests import pg

TODAY = dt.date(2026, 5, 6)

PORTFOLIO = Portfolio(
    units=(
        Unit("city", "市人民政府"),
        Unit("transport", "市交通运输局", parent="city", contacts=("json://127.0.0.1:9/hook",)),
        Unit("water", "市水务局", parent="city"),
    ),
    projects=(
        Project("P001", "海东大道改造工程", Category.PROJECT, "transport", 120_000_000.0, (
            Milestone("P001", "approval", "立项批复", Kind.APPROVAL, due=dt.date(2026, 2, 10),
                      finished=dt.date(2026, 2, 8), updated=dt.date(2026, 2, 8)),
            Milestone("P001", "tender", "施工招标", Kind.TENDERING, due=dt.date(2026, 4, 30),
                      start=dt.date(2026, 3, 2), after=(Dependency("approval"),), updated=dt.date(2026, 4, 20)),
            Milestone("P001", "build", "主体施工", Kind.PROGRESS, due=dt.date(2026, 12, 31),
                      start=dt.date(2026, 6, 1), unit="water", progress=0.1, after=(Dependency("tender"),)),
        )),
        Project("P002", "城北水厂扩建", Category.PROJECT, "water", 50_000_000.0, (
            Milestone("P002", "approval", "立项批复", Kind.APPROVAL, due=dt.date(2026, 3, 1)),
        )),
    ),
)

ROLES = {"office": None, "leader": None, "owner": "transport", "unit": "water"}
PASSWORD = "correct horse battery"


@dataclass
class Api:
    client: httpx.AsyncClient
    server: Server
    tokens: dict[str, str]

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'duban.sqlite'}"
    else:
        # This session's own database (tests/conftest.py), emptied before each test.
        url = request.getfixturevalue("postgres_url")
        await pg.reset_database(url)
    return Settings(database_url=url, secret_key="test-secret", cookie_secure=False, today=TODAY, demo=False)


async def seed(server: Server, portfolio: Portfolio = PORTFOLIO) -> dict[str, str]:
    tokens = {}
    async with server.writing():
        await repo.import_portfolio(portfolio, actor="seed", known_on=TODAY - dt.timedelta(days=60),
                                    recorded_at=now_iso())
        await repo.bump_revision()
        units = {u.id for u in portfolio.units}
        for role, unit in ROLES.items():
            await users.create(role, role=role, unit=unit, password=PASSWORD, display=role, units=units)
            tokens[role] = await users.issue_token(role, "tests")
    return tokens


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings)
    # The startup and shutdown hooks run on the test's own event loop and task (Litestar's
    # AsyncTestClient would run them in a portal thread; an asyncpg pool cannot cross loops).
    for hook in app.on_startup:
        await hook(app)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            server = app.state.server
            tokens = await seed(server)
            yield Api(client, server, tokens)
    finally:
        for hook in app.on_shutdown:
            await hook(app)
