"""Fixtures of the API tests: the app on SQLite and on a real PostgreSQL server, a small
portfolio, and one signed-in user (with an API token) per role.

Building the Litestar app costs most of a test's setup, so one app per backend serves the
whole session (``SharedApp``). Each test still starts from the same fresh state: the database
is put back (SQLite: every table's rows restored from the seeded copy; PostgreSQL: every
table's rows restored from the seeded schema, or the database made again as a copy of the
seeded template, ``tests/pg.py``), and the app is started anew (a new engine and ``Server``, an empty
``app.state``, the process's principal cache dropped), on the test's own event loop."""

from __future__ import annotations

import datetime as dt
import ipaddress
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar

from api import users
from api.app import create_app
from api.auth import forget_cached
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


@dataclass
class SharedApp:
    """One app for a backend, started afresh for every test on a database put back to the
    seeded state (see the module header)."""

    settings: Settings
    app: Litestar
    template: Path | None = None  # the seeded SQLite database, restored before each test
    tokens: dict[str, str] = field(default_factory=dict)
    seeder: Callable[[Server], Awaitable[dict[str, str]]] = seed  # what the tests start from
    pg_template: str | None = None  # PostgreSQL: the seeded template's name, copied for each test

    async def start(self) -> Server:
        """Put the database back to the seeded state and start the app on it. PostgreSQL: the
        first start copies the migrated template (``pg.migrated_template``) and seeds it, keeps
        its rows (``pg.keep_rows``) and seals that as this session's template; every later
        start puts those rows back (``pg.restore_rows``), or copies the template when the
        database changed shape since (another test emptied it or dropped a table)."""
        sqlite = self.settings.is_sqlite
        url = self.settings.database_url
        if sqlite and self.template is not None:
            _restore(self.settings.sqlite_path, self.template)
        elif not sqlite and (self.pg_template is None or not await pg.restore_rows(url)):
            await pg.restore_database(url, self.pg_template or await pg.migrated_template(url))
        for key in list(self.app.state):  # what the previous test left: throttle, demo inbox, ...
            del self.app.state[key]
        forget_cached()
        # The startup and shutdown hooks run on the test's own event loop and task (Litestar's
        # AsyncTestClient would run them in a portal thread; an asyncpg pool cannot cross loops).
        for hook in self.app.on_startup:
            await hook(self.app)
        server: Server = self.app.state.server
        if (self.template if sqlite else self.pg_template) is None:
            self.tokens = await self.seeder(server)
            await self.stop()  # keep the seeded state for the next tests
            if sqlite:
                template = self.settings.sqlite_path.with_suffix(".template")
                with sqlite3.connect(self.settings.sqlite_path) as db:
                    db.execute("VACUUM INTO ?", (str(template),))
                self.template = template
            else:
                await pg.keep_rows(url)
                self.pg_template = pg.database_of(await pg.seal(url))
            return await self.start()
        return server

    async def stop(self) -> None:
        for hook in self.app.on_shutdown:
            await hook(self.app)

    async def forget(self) -> None:
        """Drop the seeded PostgreSQL template (at the session's end)."""
        if self.pg_template is not None:
            await pg.drop_database(pg.with_database(self.settings.database_url, self.pg_template))
            self.pg_template = None


def _restore(path: Path, template: Path) -> None:
    """Every table of ``path`` back to its rows in ``template``, through SQLite itself (in one
    transaction, so a connection some earlier test left open sees a consistent database)."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("ATTACH DATABASE ? AS tpl", (str(template),))
        tables = [r[0] for r in db.execute(
            "SELECT name FROM tpl.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        db.execute("BEGIN IMMEDIATE")
        for table in tables:
            db.execute(f'DELETE FROM main."{table}"')
            db.execute(f'INSERT INTO main."{table}" SELECT * FROM tpl."{table}"')
        db.execute("COMMIT")
        db.execute("DETACH DATABASE tpl")
    finally:
        db.close()


@pytest.fixture(scope="session")
def shared_sqlite(tmp_path_factory: pytest.TempPathFactory) -> SharedApp:
    url = f"sqlite:///{tmp_path_factory.mktemp('shared') / 'duban.sqlite'}"
    settings = Settings(database_url=url, secret_key="test-secret", cookie_secure=False, today=TODAY, demo=False)
    return SharedApp(settings, create_app(settings))


@pytest.fixture(scope="session")
def shared_postgres(postgres_url: str) -> Iterator[SharedApp]:
    settings = Settings(database_url=postgres_url, secret_key="test-secret", cookie_secure=False,
                        today=TODAY, demo=False)
    shared = SharedApp(settings, create_app(settings))
    yield shared
    pg.run(shared.forget())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def api(request: pytest.FixtureRequest) -> AsyncIterator[Api]:
    shared: SharedApp = request.getfixturevalue(f"shared_{request.param}")
    server = await shared.start()
    try:
        transport = httpx.ASGITransport(app=shared.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Api(client, server, dict(shared.tokens))
    finally:
        await shared.stop()


@asynccontextmanager
async def behind_proxy(settings: Settings, *, per_hour: int) -> AsyncIterator[Litestar]:
    """An app of its own, seeded, behind the trusted proxy 10.0.0.1 and taking ``per_hour``
    complaints an hour per address (the shared app keeps the defaults)."""
    app = create_app(replace(settings, trusted_proxies=(ipaddress.ip_network("10.0.0.1/32"),),
                             complaints_per_hour=per_hour))
    for hook in app.on_startup:
        await hook(app)
    try:
        await seed(app.state.server)
        yield app
    finally:
        for hook in app.on_shutdown:
            await hook(app)


def client_from(app: Litestar, peer: str) -> httpx.AsyncClient:
    """A client of ``app`` whose connection comes from ``peer``."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(peer, 4000)),
                             base_url="http://testserver")


async def route_complaint(api: Api, code: str, unit: str = "water", **more: Any) -> httpx.Response:
    """The office routes complaint ``code`` to ``unit`` (with ``more`` of the route's body)."""
    return await api.client.post(f"/api/complaints/{code}/route", json={"unit": unit, **more},
                                 headers=api.auth("office"))


async def answered_complaint(api: Api, body: dict[str, Any], answer: str) -> dict[str, Any]:
    """A complaint filed anonymously with ``body``, routed to water and answered by it with
    ``answer``: the filing's answer (code, secret, links)."""
    filed = (await api.client.post("/api/complaints", json=body)).json()
    assert (await route_complaint(api, filed["code"])).status_code == 201
    r = await api.client.post(f"/api/complaints/{filed['code']}/answer", json={"text": answer},
                              headers=api.auth("unit"))
    assert r.status_code == 201, r.text
    return dict(filed)


#: The vendored MS Project plans (tests/data/mpp, see its MANIFEST.md), one per MPP format.
MPP_DATA = Path(__file__).resolve().parents[1] / "data" / "mpp"
MPP_PLANS = sorted(MPP_DATA.glob("task-links-*.mpp"))


@pytest.fixture(scope="session")
def mpp_converted() -> dict[str, bytes]:
    """Every vendored ``.mpp`` converted to MSPDI once per session, in one real JVM (MPXJ):
    api.mpp keeps each conversion by its bytes, so the tests that then read, import or upload
    these files (CLI, API, page, compare) start no other JVM."""
    from api import mpp  # noqa: PLC0415

    xml = mpp.to_mspdi([(p.read_bytes(), p.name) for p in MPP_PLANS])
    return {p.name: x for p, x in zip(MPP_PLANS, xml, strict=True)}
