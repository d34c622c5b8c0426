"""Notice responses and decisions over HTTP: who may act, the life cycle, the audit trail."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.api.test_evaluations import _publish_standard


async def _a_notice_to(api: Api, unit: str) -> str:
    await _publish_standard(api)
    notices = (await api.client.get(f"/api/notices?unit={unit}", headers=api.auth("office"))).json()
    assert notices, f"publishing the standard rulebook should issue a notice to {unit}"
    return str(notices[0]["code"])


async def test_unit_responds_with_an_attachment_and_the_office_rejects_then_accepts(api: Api) -> None:
    """The addressed unit answers (text and attachment reference), the office sends it back with
    a new deadline, the unit answers again and the office accepts; each step is audited."""
    code = await _a_notice_to(api, "transport")
    audit_before = (await api.client.get("/api/audit", headers=api.auth("office"))).json()["total"]
    r = await api.client.post(f"/api/notices/{code}/respond", headers=api.auth("owner"),
                              json={"text": "已完成招标文件编制", "attachment": "file:2026-05-06/招标公告.pdf"})
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["attachment"]) == ("responded", "file:2026-05-06/招标公告.pdf")
    r = await api.client.post(f"/api/notices/{code}/reject", headers=api.auth("office"),
                              json={"reason": "缺少开标记录", "new_due": "2026-05-15"})
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["due"]) == ("reopened", "2026-05-15")
    again = await api.client.post(f"/api/notices/{code}/respond", headers=api.auth("owner"),
                                  json={"text": "已补充开标记录"})
    assert again.status_code == 200 and again.json()["state"] == "responded"
    ok = await api.client.post(f"/api/notices/{code}/accept", headers=api.auth("office"))
    assert ok.status_code == 200 and ok.json()["state"] == "accepted"
    audit = (await api.client.get("/api/audit?limit=10", headers=api.auth("office"))).json()
    assert audit["total"] == audit_before + 4
    assert [e["action"] for e in audit["items"][:4]] == [
        "notice.accept", "notice.respond", "notice.reject", "notice.respond"]


async def test_another_unit_may_not_respond_and_a_bad_text_changes_nothing(api: Api) -> None:
    """A unit answering another unit's notice is refused (403), a response with a NUL or with
    no text is refused with its field, and the notice stays issued."""
    code = await _a_notice_to(api, "transport")
    other = await api.client.post(f"/api/notices/{code}/respond", headers=api.auth("unit"),
                                  json={"text": "不是我们的"})
    assert other.status_code == 403 and "transport" in other.json()["message"]
    nul = await api.client.post(f"/api/notices/{code}/respond", headers=api.auth("owner"),
                                json={"text": "已\u0000完成"})
    assert nul.status_code == 400 and "U+0000" in nul.json()["message"]
    blank = await api.client.post(f"/api/notices/{code}/respond", headers=api.auth("owner"),
                                  json={"text": "   "})
    assert blank.status_code == 422 and blank.json()["where"] == "text"
    state = (await api.client.get(f"/api/notices/{code}", headers=api.auth("office"))).json()["state"]
    assert state == "issued"


async def test_accepting_an_unanswered_notice_is_a_conflict_naming_the_state(api: Api) -> None:
    """The office cannot accept a notice nobody answered: 409 with its current state."""
    code = await _a_notice_to(api, "transport")
    r = await api.client.post(f"/api/notices/{code}/accept", headers=api.auth("office"))
    assert r.status_code == 409 and "issued" in r.json()["message"]


async def test_a_rejected_notice_keeps_its_history_for_the_unit(api: Api) -> None:
    """After a rejection the unit reads its own earlier reply, the office's reason and the new
    deadline in the notice's history; another unit may not read it."""
    code = await _a_notice_to(api, "transport")
    await api.client.post(f"/api/notices/{code}/respond", headers=api.auth("owner"),
                          json={"text": "已完成招标文件编制"})
    await api.client.post(f"/api/notices/{code}/reject", headers=api.auth("office"),
                          json={"reason": "缺少开标记录", "new_due": "2026-05-15"})
    r = await api.client.get(f"/api/notices/{code}/history", headers=api.auth("owner"))
    assert r.status_code == 200, r.text
    steps = r.json()
    assert [s["event"] for s in steps][-2:] == ["respond", "reject"]
    assert steps[-2]["text"] == "已完成招标文件编制"
    assert (steps[-1]["text"], steps[-1]["new_due"], steps[-1]["to_state"]) == (
        "缺少开标记录", "2026-05-15", "reopened")
    other = await api.client.get(f"/api/notices/{code}/history", headers=api.auth("unit"))
    assert other.status_code == 403


async def test_a_rejection_without_a_reason_is_refused_in_chinese_and_english(api: Api) -> None:
    """Rejecting with an empty or blank reason is a 422 naming ``reason`` in zh and en; the
    notice stays responded and nothing is audited."""
    code = await _a_notice_to(api, "transport")
    r = await api.client.post(f"/api/notices/{code}/respond", headers=api.auth("owner"),
                              json={"text": "已完成招标文件编制"})
    assert r.status_code == 200, r.text
    audit_before = (await api.client.get("/api/audit", headers=api.auth("office"))).json()["total"]
    for reason in ("", "   "):
        r = await api.client.post(f"/api/notices/{code}/reject", headers=api.auth("office"),
                                  json={"reason": reason})
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["where"] == "reason" and "退回须说明理由" in body["message"]
        assert "say why the response is rejected" in body["message"]
    notice = (await api.client.get(f"/api/notices/{code}", headers=api.auth("office"))).json()
    assert notice["state"] == "responded" and notice["response_text"] == "已完成招标文件编制"
    assert (await api.client.get("/api/audit", headers=api.auth("office"))).json()["total"] == audit_before


async def test_a_new_deadline_today_is_refused(api: Api) -> None:
    """A rejection moving the deadline to today (not after it) is a 422 naming ``new_due``."""
    code = await _a_notice_to(api, "transport")
    await api.client.post(f"/api/notices/{code}/respond", headers=api.auth("owner"), json={"text": "已办"})
    r = await api.client.post(f"/api/notices/{code}/reject", headers=api.auth("office"),
                              json={"reason": "缺少开标记录", "new_due": "2026-05-06"})
    assert r.status_code == 422 and r.json()["where"] == "new_due"
    assert "新的期限须晚于今天" in r.json()["message"]
