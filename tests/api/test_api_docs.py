"""The API docs page (/schema, Redoc) speaks to a Chinese clerk first: the title, the
description and every group of operations (tag) in zh-CN with English the alternative."""

from __future__ import annotations

import re

from tests.api.conftest import Api

CJK = re.compile(r"[\u4e00-\u9fff]")


async def test_the_api_docs_are_chinese_first_and_every_operation_is_in_a_described_group(api: Api) -> None:
    doc = (await api.client.get("/schema/openapi.json")).json()
    info = doc["info"]
    assert info["title"].startswith("督办")
    zh, _, en = info["description"].partition("\n\n")
    assert CJK.search(zh) and not CJK.search(en) and "supervision" in en
    tags = {t["name"]: t["description"] for t in doc["tags"]}
    for name, description in tags.items():
        assert CJK.match(name), name  # the heading Redoc shows: Chinese first
        said_zh, _, said_en = description.partition(" — ")
        assert CJK.search(said_zh) and said_en and not CJK.search(said_en), description
    operations = [(path, method, op) for path, ops in doc["paths"].items() for method, op in ops.items()]
    assert len(operations) > 40
    for path, method, op in operations:
        assert op.get("tags") and set(op["tags"]) <= set(tags), (method, path, op.get("tags"))
    page = await api.client.get("/schema")
    assert page.status_code == 200 and "督办 duban API" in page.text
