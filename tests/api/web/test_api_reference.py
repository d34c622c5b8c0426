"""The API reference at /schema (``api.web.api_reference``): the app's whole OpenAPI document
written out as plain HTML, every link inside it landing, every hostile text escaped.

``reference_page`` is pure (a document in, bytes out): these tests give it the app's own
document, built without a request, and documents made up to break it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from litestar._openapi.plugin import OpenAPIPlugin

from api.app import create_app
from api.settings import Settings
from api.web.api_reference import STATUS_ZH, anchor, reference_page, type_html

METHODS = ("get", "put", "post", "delete", "patch")


class _Page(HTMLParser):
    """The ids, the in-page links and the tags of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids.append(value)
            if name == "href" and value is not None and value.startswith("#"):
                self.links.append(value[1:])


def _parsed(body: bytes) -> _Page:
    page = _Page()
    page.feed(body.decode())
    return page


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    url = f"sqlite:///{tmp_path_factory.mktemp('docs')}/d.sqlite"
    app = create_app(Settings(database_url=url, secret_key="test-secret", cookie_secure=False, demo=False))
    return app.plugins.get(OpenAPIPlugin).provide_openapi_schema()


def test_the_reference_writes_out_every_operation_shape_and_error_of_the_apps_document(
        document: dict[str, Any]) -> None:
    body = reference_page(document, spec_url="/schema/openapi.json", redoc_url="/schema/redoc")
    page = _parsed(body)
    text = body.decode()
    assert "script" not in page.tags  # whole when it arrives: nothing to run
    assert len(page.ids) == len(set(page.ids)), "an id given twice"
    assert set(page.links) <= set(page.ids), set(page.links) - set(page.ids)  # every link lands
    operations = [(m, p, op) for p, item in document["paths"].items() for m, op in item.items() if m in METHODS]
    assert len(operations) > 40
    for method, path, op in operations:
        assert anchor("op", op["operationId"]) in page.ids
        assert anchor("op", op["operationId"]) in page.links  # the table of contents has it
        assert f"{method.upper()} {path}" in text.replace("&#x27;", "'")
        for code in op["responses"]:
            if code[0] in "45":
                assert anchor("error", code) in page.ids
    for name in document["components"]["schemas"]:
        assert anchor("schema", name) in page.ids
    for tag in {op["tags"][0] for _, _, op in operations}:
        assert anchor("tag", tag) in page.ids and anchor("tag", tag) in page.links
    # every shape some operation sends or takes is linked from it
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', str(document["paths"]).replace("'", '"')))
    assert refs and {anchor("schema", r) for r in refs} <= set(page.links)
    # zh first: the headings of each part, the status names, the catalogue's field labels
    for words in ("目录", "参数 Parameters", "请求体 Request body", "答复 Responses", "错误答复", "数据结构",
                  "报送节点 Report a milestone", "401 </code>未登录", "计划完成 — due"):
        assert words.replace("401 </code>", "401</code> ") in text, words


def test_hostile_text_in_the_document_is_escaped_and_odd_names_get_distinct_safe_ids() -> None:
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    shape = {"type": "object", "properties": {evil: {"type": "string", "description": evil,
                                                     "default": evil, "enum": [evil, None]}},
             "required": [evil], "description": evil}
    doc = {
        "info": {"title": evil, "description": f"{evil}\n\n{evil}", "version": evil},
        "tags": [{"name": evil, "description": evil}],
        "paths": {f"/api/{evil}": {"post": {
            "tags": [evil], "summary": evil, "operationId": evil, "description": evil,
            "parameters": [{"name": evil, "in": evil, "description": evil, "schema": {"type": evil}}],
            "requestBody": {"content": {evil: {"schema": {"$ref": "#/components/schemas/a b"}}}},
            "responses": {"200": {"description": evil}, evil: {"description": evil}},
        }, "get": {"operationId": "a/b", "responses": {}}, "put": {"operationId": "a.b", "responses": {}}}},
        "components": {"schemas": {"a b": shape, "a_20b": shape, "甲": shape}},
    }
    body = reference_page(doc, spec_url='/x"><script>', redoc_url="/r")
    page = _parsed(body)
    assert page.tags <= {"html", "head", "meta", "title", "link", "style", "body", "header", "h1", "h2", "h3",
                         "h4", "small", "p", "div", "span", "a", "nav", "ul", "li", "main", "section",
                         "article", "code", "table", "thead", "tbody", "tr", "th", "td", "br"}, page.tags
    assert "<script" not in body.decode() and "<img" not in body.decode()
    assert len(page.ids) == len(set(page.ids))  # "a b", "a_20b", "a/b" and "a.b" stay apart
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", i) for i in page.ids), page.ids
    assert anchor("schema", "a b") != anchor("schema", "a_20b")
    assert set(page.links) <= set(page.ids)


@pytest.mark.parametrize(("schema", "shown"), [
    ({"$ref": "#/components/schemas/UnitRead"}, '<a href="#schema-UnitRead">UnitRead</a>'),
    ({"type": "array", "items": {"type": "string"}}, "string[]"),
    ({"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "null"}]}}, "(string | null)[]"),
    ({"oneOf": [{"type": "string", "format": "date"}, {"type": "null"}]}, "string (date) | null"),
    ({"type": ["integer", "null"]}, "integer | null"),
    ({"type": "string", "enum": ["red", "blue"]}, "string: <code>red</code> | <code>blue</code>"),
    ({"type": "object", "additionalProperties": {"type": "integer"}}, "map&lt;string, integer&gt;"),
    ({"const": True}, "<code>true</code>"),
    ({}, '<span class="none">任意 any</span>'),
    ({"type": "integer", "minimum": 1, "maximum": 500}, "integer [1..500]"),
    ({"type": "integer", "minimum": 0}, "integer [0..]"),
    ({"type": "string", "maxLength": 200}, "string (≤ 200 字符 characters)"),
])
def test_a_type_reads_in_a_few_words(schema: dict[str, Any], shown: str) -> None:
    assert type_html(schema) == shown


def test_every_status_the_app_answers_with_has_a_chinese_name(document: dict[str, Any]) -> None:
    codes = {code for item in document["paths"].values() for op in item.values() if isinstance(op, dict)
             for code in op.get("responses", {})}
    assert codes and codes <= set(STATUS_ZH), codes - set(STATUS_ZH)
