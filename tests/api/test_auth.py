"""Password login with sessions and CSRF, API tokens, and their refusals."""

from __future__ import annotations

from tests.api.conftest import PASSWORD, Api


async def _login(api: Api, username: str, password: str) -> int:
    page = await api.client.get("/login")
    csrf = api.client.cookies.get("csrftoken")
    assert page.status_code == 200 and csrf
    r = await api.client.post("/login", data={"username": username, "password": password, "next": "/api/me",
                                              "_csrf_token": csrf}, follow_redirects=False)
    return r.status_code


async def test_login_sets_a_session_that_reads_the_api(api: Api) -> None:
    """After a form login the session cookie authenticates API reads as that user."""
    assert await _login(api, "leader", PASSWORD) == 303
    me = await api.client.get("/api/me")
    assert me.status_code == 200 and me.json()["role"] == "leader"


async def test_wrong_password_is_refused_without_a_session(api: Api) -> None:
    """A wrong password answers 401 with the form again and signs nobody in."""
    assert await _login(api, "leader", "not the password") == 401
    assert (await api.client.get("/api/me")).status_code == 401


async def test_login_form_without_csrf_token_is_refused(api: Api) -> None:
    """A login post that lacks the CSRF token is refused before any password check."""
    r = await api.client.post("/login", data={"username": "office", "password": PASSWORD})
    assert r.status_code == 403


async def test_session_change_needs_the_csrf_header(api: Api) -> None:
    """A change to the API through the session cookie needs x-csrftoken; with it, it passes."""
    assert await _login(api, "owner", PASSWORD) == 303
    body = {"version": 1, "note": "现场核查"}
    r = await api.client.patch("/api/projects/P001/milestones/tender", json=body)
    assert r.status_code == 403 and "x-csrftoken" in r.json()["message"]
    r = await api.client.patch("/api/projects/P001/milestones/tender", json=body,
                               headers={"x-csrftoken": api.client.cookies["csrftoken"]})
    assert r.status_code == 200


async def test_unknown_token_is_401_with_how_to_get_one(api: Api) -> None:
    """A bearer token that does not exist is refused with a hint on how to create one."""
    r = await api.client.get("/api/me", headers={"Authorization": "Bearer dub_nope"})
    assert r.status_code == 401 and "duban users token" in r.json()["message"]


async def test_tokens_are_stored_hashed(api: Api) -> None:
    """No token is stored in clear: the table holds only sha256 digests."""
    from api.tables import TokenRow  # noqa: PLC0415

    stored = {r["token_hash"] for r in await TokenRow.select(TokenRow.token_hash)}
    assert api.tokens["office"] not in stored and len(next(iter(stored))) == 64


async def test_owner_cannot_report_another_units_project(api: Api) -> None:
    """The transport owner reporting a water project's milestone gets 403 naming the unit."""
    r = await api.client.patch("/api/projects/P002/milestones/approval", headers=api.auth("owner"),
                               json={"version": 1, "note": "x"})
    assert r.status_code == 403 and "water" in r.json()["message"]
