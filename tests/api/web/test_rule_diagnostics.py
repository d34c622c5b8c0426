"""The rule editor and the API show a rulebook's diagnostics in the same one serialised form."""

from __future__ import annotations

from tests.site import Site

SOURCE = 'rule late "逾期":\n    for milestone m\n    light red when today > m.deu\n'


async def test_the_editor_and_the_api_answer_the_same_diagnostics(site: Site) -> None:
    """``POST /rules/check`` (in English) and ``POST /api/rulebooks/N/check`` give identical
    diagnostics; the Chinese page differs only in the words said."""
    await site.sign_in("office")
    await site.client.get("/rules")
    headers = {"x-csrftoken": site.csrf()}
    page = await site.client.post("/rules/check?lang=en", json={"sources": {"main.rules": SOURCE}},
                                  headers=headers)
    saved = await site.client.post("/api/rulebooks", json={"sources": {"main.rules": SOURCE}}, headers=headers)
    assert saved.status_code == 201, saved.text
    api = await site.client.post(f"/api/rulebooks/{saved.json()['number']}/check", headers=headers)
    assert api.status_code == 422, api.text
    editor, served = page.json()["diagnostics"], api.json()["diagnostics"]
    assert editor and [{k: v for k, v in d.items() if k != "place"} for d in editor] == served
    assert editor[0]["line"] == 3 and "due" in editor[0]["text"] and "^" in editor[0]["rendered"]
    assert api.json()["where"] == f"main.rules:3:{editor[0]['column']}"
    zh = await site.client.post("/rules/check", json={"sources": {"main.rules": SOURCE}}, headers=headers)
    [said] = zh.json()["diagnostics"]
    assert {k: v for k, v in said.items() if k not in ("text", "place")} == \
        {k: v for k, v in editor[0].items() if k not in ("text", "place")}
    assert said["text"] == "节点没有字段 `deu`；是否想写 `due`？" and said["place"] == "main.rules 第 3 行第 30 列"
