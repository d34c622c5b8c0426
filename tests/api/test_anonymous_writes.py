"""Anonymous writes are refused as anonymous before their body is read (issue 15.15)."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api

WRITES = [
    ("PATCH", "/api/projects/P001/milestones/tender"),
    ("PATCH", "/api/projects/1/milestones/1"),
    ("POST", "/api/projects"),
    ("POST", "/api/users"),
    ("POST", "/api/tokens"),
    ("POST", "/api/rulebooks"),
]


@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize("body", [b"{}", b"{not json", b"[" * 5000])
async def test_an_anonymous_malformed_write_is_401_not_a_validation_detail(api: Api, method: str, path: str,
                                                                           body: bytes) -> None:
    """Without credentials a write with a malformed body answers 401 and says nothing about the body."""
    r = await api.client.request(method, path, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 401, r.text
    assert r.json()["error"] == "unauthorised"
