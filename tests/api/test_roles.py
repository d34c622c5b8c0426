"""The whole matrix of role x endpoint: each cell is allowed or refused as the roles say."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api

ALL = {"office", "leader", "owner", "unit"}
OFFICE = {"office"}
WATCHERS = {"office", "leader"}

# (method, path, json body, roles allowed). "Allowed" means neither 401 nor 403: a 404, 409 or
# 422 from an allowed role is the endpoint doing its job on these literal inputs.
MATRIX: list[tuple[str, str, Any, set[str]]] = [
    ("GET", "/api/me", None, ALL),
    ("GET", "/api/units", None, ALL),
    ("GET", "/api/units/transport", None, ALL),
    ("POST", "/api/units", {"id": "finance", "name": "市财政局"}, OFFICE),
    ("PATCH", "/api/units/water", {"name": "市水务局（新）"}, OFFICE),
    ("GET", "/api/projects", None, ALL),
    ("GET", "/api/projects/P001", None, ALL),
    ("POST", "/api/projects", {"id": "P003", "name": "x", "category": "task", "unit": "water"}, OFFICE),
    ("PATCH", "/api/projects/P002", {"budget": 1.0}, OFFICE),
    ("GET", "/api/milestones", None, ALL),
    ("GET", "/api/projects/P001/milestones/tender", None, ALL),
    ("GET", "/api/projects/P001/milestones/tender/history", None, ALL),
    ("POST", "/api/projects/P002/milestones", {"id": "x", "name": "x", "kind": "contract"}, OFFICE),
    ("PATCH", "/api/projects/P001/milestones/tender", {"version": 1, "note": "n"}, {"office", "owner"}),
    ("PATCH", "/api/projects/P001/milestones/build", {"version": 1, "note": "n"}, {"office", "owner", "unit"}),
    ("PATCH", "/api/projects/P002/milestones/approval", {"version": 1, "note": "n"}, {"office", "unit"}),
    ("GET", "/api/rulebooks", None, ALL),
    ("POST", "/api/rulebooks", {"sources": {"a.rules": ""}}, OFFICE),
    ("GET", "/api/rulebooks/1", None, ALL),
    ("POST", "/api/rulebooks/99/check", None, OFFICE),
    ("POST", "/api/rulebooks/99/dry-run", {}, OFFICE),
    ("POST", "/api/rulebooks/99/publish", None, OFFICE),
    ("POST", "/api/evaluations", {}, OFFICE),
    ("GET", "/api/evaluations", None, ALL),
    ("GET", "/api/findings", None, ALL),
    ("GET", "/api/rates", None, ALL),
    ("GET", "/api/rankings", None, ALL),
    ("GET", "/api/audit", None, WATCHERS),
    ("GET", "/api/audit/verify", None, WATCHERS),
    ("GET", "/api/users", None, OFFICE),
    ("POST", "/api/users", {"username": "new1", "role": "leader", "password": "long enough pw"}, OFFICE),
    ("PATCH", "/api/users/leader", {"display": "领导"}, OFFICE),
    ("POST", "/api/tokens", {"name": "script"}, ALL),
    ("GET", "/api/notices", None, ALL),
    ("GET", "/api/notices/N-2026-9999", None, ALL),
    ("POST", "/api/notices/N-2026-9999/respond", {"text": "已整改"}, {"office", "owner", "unit"}),
    ("POST", "/api/notices/N-2026-9999/accept", None, OFFICE),
    ("POST", "/api/notices/N-2026-9999/reject", {"reason": "不充分"}, OFFICE),
    ("GET", "/api/portfolio/template.xlsx", None, ALL),
    ("POST", "/api/portfolio", {"units": []}, OFFICE),
]


async def test_every_role_is_allowed_or_refused_as_specified(api: Api) -> None:
    """Each (role, endpoint) cell answers 403 exactly when the role is not allowed, and anonymous gets 401."""
    wrong = []
    for method, path, body, allowed in MATRIX:
        r = await api.client.request(method, path, json=body)
        if r.status_code != 401:
            wrong.append(f"anonymous {method} {path}: {r.status_code}")
        for role in ("leader", "owner", "unit", "office"):
            r = await api.client.request(method, path, json=body, headers=api.auth(role))
            refused = r.status_code in (401, 403)
            if refused == (role in allowed) or (refused and r.status_code != 403):
                wrong.append(f"{role} {method} {path}: {r.status_code} {r.text[:120]}")
    assert wrong == []


async def test_health_is_open_to_anonymous_callers(api: Api) -> None:
    """The liveness probe answers without credentials."""
    r = await api.client.get("/api/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"
