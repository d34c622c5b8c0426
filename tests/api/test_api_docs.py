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


async def test_the_docs_page_and_document_are_built_once_and_sent_compressed_with_a_validator(api: Api) -> None:
    """/schema is a small page that paints the title at once and fetches the document (not a
    135 KB page with the document inlined); both are gzipped when asked, carry a strong ETag
    per coding, are revalidated (no-cache, not no-store) and answer 304 to their own ETag; the
    same bytes every time (built once)."""

    plain = await api.client.get("/schema/openapi.json", headers={"accept-encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    assert plain.headers["cache-control"] == "public, no-cache"
    document = plain.json()
    assert document["info"]["title"] == "督办 duban API" and len(document["paths"]) > 40
    zipped = await api.client.get("/schema/openapi.json", headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["etag"] != plain.headers["etag"] and zipped.headers["etag"].endswith('-gzip"')
    assert int(zipped.headers["content-length"]) < len(plain.content) / 5
    assert zipped.content == plain.content  # httpx decoded it: the same document
    again = await api.client.get("/schema/openapi.json", headers={"accept-encoding": "identity",
                                                                   "if-none-match": plain.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    stale = await api.client.get("/schema/openapi.json", headers={"accept-encoding": "identity",
                                                                   "if-none-match": '"0123456789abcdef0123"'})
    assert stale.status_code == 200 and stale.content == plain.content
    page = await api.client.get("/schema", headers={"accept-encoding": "identity"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert len(page.content) < 8000, len(page.content)  # the document is fetched, not inlined
    assert "<h1>督办 duban API</h1>" in page.text and "正在绘制接口文档" in page.text
    assert '"/schema/openapi.json"' in page.text and " defer></script>" in page.text
    assert "ListProjects" not in page.text
    assert (await api.client.get("/schema", headers={"if-none-match": page.headers["etag"],
                                                     "accept-encoding": "identity"})).status_code == 304
    raw = await api.client.get("/schema", headers={"accept-encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip" and raw.content == page.content
    assert (await api.client.get("/schema/openapi.yaml")).status_code == 404
