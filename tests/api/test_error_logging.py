"""What the server's log keeps of a failed request: a 500 (the server's fault) with its
traceback; an ordinary refusal (400, 401, 404, 409, 422: the client's mistake) nothing at all,
so a flood of bad requests does not fill the log. Litestar's ``log_exceptions="always"`` with
every 4xx status and refusal class in ``disable_stack_trace`` does it (its ``"debug"`` would log
nothing outside debug mode, the 500 included)."""

from __future__ import annotations

import logging

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from tests.api.conftest import seed

pytestmark = pytest.mark.asyncio


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_a_500_is_logged_with_its_traceback_and_refusals_are_not(
        settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(settings)
    for hook in app.on_startup:
        await hook(app)
    try:
        tokens = await seed(app.state.server)
        office = {"Authorization": f"Bearer {tokens['office']}"}
        caplog.set_level(logging.INFO)
        litestar = logging.getLogger("litestar")  # it logs to its own queue handler, not the root's
        litestar.addHandler(caplog.handler)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
            refused = [
                await c.get("/api/projects/P999", headers=office),                  # 404, a domain error
                await c.get("/api/nowhere", headers=office),                        # 404, no route
                await c.post("/api/units/", content=b"{bad json", headers=office),  # 400
                await c.get("/api/projects/"),                                      # 401
                await c.patch("/api/projects/P001/milestones/tender", headers=office,
                              json={"version": 99, "progress": 0.5}),               # 409
                await c.patch("/api/projects/P001/milestones/tender", headers=office,
                              json={"version": 1, "progress": 7}),                  # 422
            ]
            assert [r.status_code for r in refused] == [404, 404, 400, 401, 409, 422]
            assert _tracebacks(caplog) == [], [r.getMessage() for r in _tracebacks(caplog)]

            # The server's fault: a table gone (this test's own database, SQLite or PostgreSQL).
            await app.state.server.engine.run_ddl("DROP TABLE projects_accountability")
            broken = await c.get("/api/accountability/", headers=office)
        assert broken.status_code == 500
        logged = _tracebacks(caplog)
        assert len(logged) == 1 and "/api/accountability" in logged[0].getMessage()
        assert logged[0].exc_info and "projects_accountability" in str(logged[0].exc_info[1])
        assert "Traceback" in caplog.text
    finally:
        logging.getLogger("litestar").removeHandler(caplog.handler)
        for hook in app.on_shutdown:
            await hook(app)
