"""CSRF exclusions are anchored: a page form whose path merely contains /api or /schema is
still checked (issue 15.10)."""

from __future__ import annotations

import pytest

from tests.api.conftest import PASSWORD, Api


@pytest.mark.parametrize("mid", ["api-docs", "my-api", "schema", "my-schema"])
async def test_a_page_form_naming_api_or_schema_still_needs_its_csrf_token(api: Api, mid: str) -> None:
    """The owner's cookie alone cannot post the report form of a milestone id containing api or schema."""
    await api.client.get("/login")
    r = await api.client.post("/login", data={"username": "owner", "password": PASSWORD, "next": "/",
                                              "_csrf_token": api.client.cookies["csrftoken"]})
    assert r.status_code == 303
    r = await api.client.post(f"/my/P001/{mid}", data={"version": "1", "note": "改了"})
    assert r.status_code == 403, r.text
    assert "csrf" in r.text.lower()
