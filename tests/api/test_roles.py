"""The roles at the edge of the matrix. The whole role x endpoint matrix, reads and writes, pages
and API, every mounted route, is ``tests/api/test_visibility.py``."""

from __future__ import annotations

from tests.api.conftest import Api


async def test_health_is_open_to_anonymous_callers(api: Api) -> None:
    """The liveness probe answers without credentials."""
    r = await api.client.get("/api/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"
