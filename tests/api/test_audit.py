"""The audit chain: every change appends a linked entry; tampering is found and named."""

from __future__ import annotations

from api import audit
from api.tables import AuditRow
from tests.api.conftest import Api


async def test_report_appends_an_entry_with_before_and_after(api: Api) -> None:
    """A milestone report is audited with who, the old and the new state."""
    r = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                               json={"version": 1, "progress": 0.5})
    assert r.status_code == 200
    page = (await api.client.get("/api/audit", headers=api.auth("leader"))).json()
    entry = page["items"][0]
    assert entry["actor"] == "owner" and entry["action"] == "milestone.report"
    assert entry["before"]["progress"] is None and entry["after"]["progress"] == 0.5
    assert entry["after"]["version"] == 2


async def test_refused_change_leaves_no_entry(api: Api) -> None:
    """A stale report writes no audit entry."""
    await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                           json={"version": 1, "progress": 0.5})
    before = (await api.client.get("/api/audit", headers=api.auth("office"))).json()["total"]
    r = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                               json={"version": 1, "progress": 0.7})
    assert r.status_code == 409
    assert (await api.client.get("/api/audit", headers=api.auth("office"))).json()["total"] == before


async def test_verify_names_the_first_altered_entry(api: Api) -> None:
    """Editing an entry's content in the database breaks the chain at exactly that entry."""
    for v, p in ((1, 0.2), (2, 0.4), (3, 0.6)):
        r = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                                   json={"version": v, "progress": p})
        assert r.status_code == 200
    ok = await audit.verify()
    assert ok.ok and ok.entries == 3
    await AuditRow.update({AuditRow.after: '{"progress":0.99}'}).where(AuditRow.seq == 2)
    bad = (await api.client.get("/api/audit/verify", headers=api.auth("office"))).json()
    assert bad["ok"] is False and bad["first_bad"] == 2 and "entry 2" in bad["message"]
