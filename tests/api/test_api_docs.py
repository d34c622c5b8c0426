"""The API docs (the reference at /schema, Redoc's view at /schema/redoc, the document at
/schema/openapi.json) speak to a Chinese clerk first: the title, the description, every group
of operations (tag), every operation's summary and every catalogued field in zh-CN with
English the alternative."""

from __future__ import annotations

import re

from api.app import API_OPERATIONS
from projects import catalogue
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
        # a Chinese name, then the English one (not Litestar's default, the handler's CamelCase)
        assert CJK.search(op["summary"]) and re.search(r"[a-z]{3,}", op["summary"]), (method, path, op["summary"])
    # every operation named, and no name left over from an operation that is gone
    assert {op["operationId"] for _, _, op in operations} == set(API_OPERATIONS)
    page = await api.client.get("/schema")
    assert page.status_code == 200 and "督办 duban API" in page.text


async def test_every_catalogued_field_of_a_shape_carries_its_zh_and_en_label(api: Api) -> None:
    """A shape made from the field catalogue (MilestoneUpdate, ProjectRead, a complaint's
    body...) says of each of its catalogued fields what the catalogue says: zh — en."""
    shapes = (await api.client.get("/schema/openapi.json")).json()["components"]["schemas"]
    for name, record in (("MilestoneUpdate", catalogue.MILESTONE), ("MilestoneRead", catalogue.MILESTONE),
                         ("ProjectCreate", catalogue.PROJECT), ("UnitRead", catalogue.UNIT),
                         ("PersonCreate", catalogue.PERSON)):
        properties = shapes[name]["properties"]
        carried = [f for f in record if f.name in properties]
        assert len(carried) >= 3, name
        for f in carried:
            said = properties[f.name].get("description", "")
            assert said.startswith(f"{f.zh} — {f.en}"), (name, f.name, said)
    progress = shapes["MilestoneUpdate"]["properties"]["progress"]
    assert progress["description"] == "进度 — progress"


async def test_the_docs_page_and_document_are_built_once_and_sent_compressed_with_a_validator(api: Api) -> None:
    """The document, the reference and Redoc's page are gzipped when asked, carry a strong ETag
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
    for path in ("/schema", "/schema/redoc"):
        page = await api.client.get(path, headers={"accept-encoding": "identity"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "public, no-cache"
        assert (await api.client.get(path, headers={"if-none-match": page.headers["etag"],
                                                    "accept-encoding": "identity"})).status_code == 304
        raw = await api.client.get(path, headers={"accept-encoding": "gzip"})
        assert raw.headers["content-encoding"] == "gzip" and raw.content == page.content
        assert int(raw.headers["content-length"]) < len(page.content) / (8 if path == "/schema" else 1.5)
    # Redoc's view: a small page that paints the title at once and fetches the document (not a
    # 135 KB page with the document inlined)
    redoc = await api.client.get("/schema/redoc", headers={"accept-encoding": "identity"})
    assert len(redoc.content) < 8000, len(redoc.content)
    assert "<h1>督办 duban API</h1>" in redoc.text and "正在绘制接口文档" in redoc.text
    assert '"/schema/openapi.json"' in redoc.text and " defer></script>" in redoc.text
    assert "reportMilestone" not in redoc.text
    # the reference: the whole document written out, no script, the same bytes every time
    reference = await api.client.get("/schema", headers={"accept-encoding": "identity"})
    assert "<script" not in reference.text
    assert 'id="op-reportMilestone"' in reference.text and "报送节点 Report a milestone" in reference.text
    assert 'href="/schema/redoc"' in reference.text and 'href="/schema/openapi.json"' in reference.text
    assert (await api.client.get("/schema/")).content == reference.content
    assert (await api.client.get("/schema/openapi.yaml")).status_code == 404
    assert (await api.client.get("/schema/redocx")).status_code == 404
