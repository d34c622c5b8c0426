"""The API reference at ``/schema``: the OpenAPI document written out as one plain HTML page.

Owns ``reference_page`` (the document in, the page's bytes out: pure, no app, no request) and
``STATUS_ZH``. The page needs no script: it is whole when its bytes have arrived (a table of
contents, each group of operations with its parameters, body and answers, the error answers
once, every data shape with its fields and their zh-CN / English descriptions from the field
catalogue), worded Chinese first, and read with the browser's own find. Redoc's interactive
view of the same document stays at ``/schema/redoc`` (``api.web.api_docs``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

#: An HTTP status's name on the page (zh-CN); the document's English description follows it.
STATUS_ZH: dict[str, str] = {
    "200": "成功", "201": "已创建", "202": "已受理", "204": "无内容", "301": "已永久移动",
    "302": "重定向", "303": "重定向", "304": "未修改", "400": "请求不合接口", "401": "未登录",
    "403": "无权操作", "404": "未找到", "405": "方法不允许", "409": "冲突", "413": "内容过大",
    "415": "类型不支持", "422": "值不正确", "429": "请求过多", "500": "服务器错误", "503": "暂不可用",
}
#: Where a parameter goes (zh-CN, English).
_IN = {"path": "路径 path", "query": "查询 query", "header": "请求头 header", "cookie": "Cookie"}
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_REF = "#/components/schemas/"
_CODE = re.compile(r"`([^`\n]+)`")

_STYLE = """
*{box-sizing:border-box}body{margin:0;font:15px/1.6 system-ui,"Noto Sans CJK SC","Microsoft YaHei",
sans-serif;color:#1f2933;background:#fff}a{color:#0b5cad}code{font:13px/1.4 ui-monospace,
"SFMono-Regular",Menlo,Consolas,monospace;background:#f0f4f8;padding:0 .2em;border-radius:3px;
overflow-wrap:anywhere}header{padding:1.2rem 1.5rem;border-bottom:1px solid #d9e2ec;background:#f8fafc}
header h1{margin:0 0 .4rem;font-size:1.6rem}.en{color:#52606d}.links a{margin-right:1.2rem}
.layout{display:flex;align-items:flex-start}nav{flex:0 0 19rem;position:sticky;top:0;max-height:100vh;
overflow:auto;padding:1rem 1rem 2rem 1.5rem;border-right:1px solid #d9e2ec;font-size:14px}
nav h2{font-size:1rem;margin:0 0 .5rem}nav ul{list-style:none;margin:0 0 .8rem;padding:0}
nav li{margin:.1rem 0}nav ul ul{padding-left:.8rem}main{flex:1;min-width:0;padding:0 1.5rem 3rem;
max-width:72rem}article,section{scroll-margin-top:.6rem}article{content-visibility:auto;contain-intrinsic-size:auto 24rem}section>h2{margin:2rem 0 .3rem;padding-top:.6rem;border-top:2px solid #d9e2ec;
font-size:1.35rem}article{margin:1.2rem 0 1.6rem}article h3{margin:0 0 .3rem;font-size:1.08rem;
display:flex;flex-wrap:wrap;gap:.5rem;align-items:baseline}h4{margin:.8rem 0 .2rem;font-size:.95rem}
.m{display:inline-block;min-width:4.2em;text-align:center;color:#fff;border-radius:3px;
font:600 12px/1.8 ui-monospace,Menlo,Consolas,monospace;text-transform:uppercase}.get{background:#2f6f3e}
.post{background:#0b5cad}.patch{background:#8a5a00}.put{background:#8a5a00}.delete{background:#b42318}
.m.other{background:#52606d}.op-id{color:#52606d;font-size:13px}.wrap{overflow-x:auto}
table{border-collapse:collapse;margin:.2rem 0;font-size:14px;min-width:24rem}th,td{border:1px solid #d9e2ec;
padding:.25rem .55rem;text-align:left;vertical-align:top}th{background:#f0f4f8;font-weight:600}
.req{color:#b42318}.none{color:#7b8794}a.code{display:inline-block;white-space:nowrap;margin-right:.3rem}
@media (max-width:800px){.layout{display:block}nav{position:static;max-height:none;border-right:0;
border-bottom:1px solid #d9e2ec;padding:1rem}main{padding:0 1rem 2rem}header{padding:1rem}
table{min-width:0}}
@media (min-width:1800px){body{font-size:17px}main{max-width:90rem}nav{flex-basis:23rem}}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _prose(text: str) -> str:
    """A description as HTML: escaped, `code` spans kept, one paragraph per blank line."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "".join("<p>" + _CODE.sub(r"<code>\1</code>", _e(p)) + "</p>" for p in paragraphs)


def anchor(kind: str, name: str) -> str:
    """The page's id for an operation (``op``), a shape (``schema``), a group (``tag``) or an
    error status (``error``): ASCII letters, digits, ``.`` and ``-`` kept, any other character
    (``_`` too, so that two names never meet) as ``_`` and its code point in hex."""
    return f"{kind}-" + re.sub(r"[^A-Za-z0-9.-]", lambda m: f"_{ord(m.group()):x}", name)


def _shape_name(ref: str) -> str:
    return ref.removeprefix(_REF)


def type_html(schema: Mapping[str, Any] | None) -> str:
    """A field's or a body's type in a few words: a shape's name as a link to it, ``X[]`` a list
    of ``X``, ``A | B`` either, a format in brackets, a fixed set of values after a colon."""
    if not schema:
        return '<span class="none">任意 any</span>'
    if "$ref" in schema:
        name = _shape_name(schema["$ref"])
        return f'<a href="#{anchor("schema", name)}">{_e(name)}</a>'
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " | ".join(type_html(s) for s in schema[key])
    if "allOf" in schema:
        return " &amp; ".join(type_html(s) for s in schema["allOf"])
    if "const" in schema:
        return f"<code>{_e(_literal(schema['const']))}</code>"
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(type_html({**schema, "type": k}) for k in kind)
    if kind == "array":
        inner = type_html(schema.get("items"))
        return f"({inner})[]" if " | " in inner else f"{inner}[]"
    if kind == "object" and isinstance(schema.get("additionalProperties"), Mapping):
        return f"map&lt;string, {type_html(schema['additionalProperties'])}&gt;"
    text = _e(kind or "any")
    if "format" in schema:
        text += f" ({_e(schema['format'])})"
    elif "contentMediaType" in schema:
        text += f" ({_e(schema['contentMediaType'])})"
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None or high is not None:
        text += f" [{_e(_literal(low) if low is not None else '')}..{_e(_literal(high) if high is not None else '')}]"
    if "maxLength" in schema:
        text += f" (≤ {_e(schema['maxLength'])} 字符 characters)"
    if "enum" in schema:
        text += ": " + " | ".join(f"<code>{_e(_literal(v))}</code>" for v in schema["enum"])
    return text


def _literal(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _table(head: Iterable[str], rows: list[list[str]]) -> str:
    if not rows:
        return ""
    ths = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<div class="wrap"><table><thead><tr>{ths}</tr></thead><tbody>{body}</tbody></table></div>'


def _required(yes: bool) -> str:
    return '<span class="req">必填 required</span>' if yes else "可选 optional"


def _bodies(content: Mapping[str, Any] | None) -> str:
    if not content:
        return '<span class="none">无 none</span>'
    return "<br>".join(f"<code>{_e(media)}</code> {type_html(item.get('schema'))}"
                       for media, item in content.items())


def _status(code: str) -> str:
    zh = STATUS_ZH.get(code)
    return f"<code>{_e(code)}</code> {zh}" if zh else f"<code>{_e(code)}</code>"


def _operations(doc: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation (method, path, operation) in the document's order."""
    return [(method, path, op) for path, item in doc.get("paths", {}).items()
            for method, op in item.items() if method in _METHODS and isinstance(op, dict)]


def _op_id(method: str, path: str, op: Mapping[str, Any]) -> str:
    return str(op.get("operationId") or f"{method} {path}")


def _operation(method: str, path: str, op: Mapping[str, Any], errors: set[str]) -> str:
    ident = _op_id(method, path, op)
    badge = method if method in ("get", "post", "patch", "put", "delete") else "other"
    parts = [f'<article id="{anchor("op", ident)}"><h3><span class="m {badge}">{_e(method)}</span>'
             f'{_e(op.get("summary") or ident)}</h3><p><code>{_e(method.upper())} {_e(path)}</code> '
             f'<span class="op-id">operationId <code>{_e(ident)}</code></span></p>']
    if op.get("deprecated"):
        parts.append('<p class="req">已停用 deprecated</p>')
    if op.get("description"):
        parts.append(_prose(str(op["description"])))
    params = [[f"<code>{_e(p.get('name', ''))}</code>", _IN.get(p.get("in", ""), _e(p.get("in", ""))),
               _required(bool(p.get("required"))), type_html(p.get("schema")),
               _noted(str(p.get("description", "")), p.get("schema") or {})]
              for p in op.get("parameters", ())]
    if params:
        parts.append("<h4>参数 Parameters</h4>"
                     + _table(("名称 name", "位置 in", "必填 required", "类型 type", "说明 description"), params))
    body = op.get("requestBody")
    if body:
        parts.append(f"<h4>请求体 Request body</h4><p>{_required(bool(body.get('required')))}："
                     f"{_bodies(body.get('content'))}</p>")
    ok: list[list[str]] = []
    failed: dict[str, list[str]] = {}  # the body's text -> the error codes that carry it
    for code, answer in op.get("responses", {}).items():
        if code[:1] in ("4", "5"):
            errors.add(code)
            failed.setdefault(_bodies(answer.get("content")), []).append(code)
        else:
            ok.append([_status(code), _e(answer.get("description", "")), _bodies(answer.get("content"))])
    rows = ok + [[" ".join(f'<a class="code" href="#{anchor("error", c)}">{_status(c)}</a>' for c in codes),
                  "出错时的答复，见<a href=\"#errors\">错误答复</a> — see the error answers", bodies]
                 for bodies, codes in failed.items()]
    if rows:
        parts.append("<h4>答复 Responses</h4>" + _table(("状态 status", "说明 description", "内容 body"), rows))
    parts.append("</article>")
    return "".join(parts)


def _noted(description: str, schema: Mapping[str, Any]) -> str:
    """A field's or a parameter's description, and its default where it has one."""
    note = _e(description)
    if "default" in schema:
        note += f'{"；" if note else ""}默认 default <code>{_e(_literal(schema["default"]))}</code>'
    return note


def _shape(name: str, schema: Mapping[str, Any]) -> str:
    parts = [f'<article id="{anchor("schema", name)}"><h3><code>{_e(name)}</code></h3>']
    if schema.get("description"):
        parts.append(_prose(str(schema["description"])))
    required = set(schema.get("required", ()))
    rows = []
    for field, spec in schema.get("properties", {}).items():
        rows.append([f"<code>{_e(field)}</code>", type_html(spec), _required(field in required),
                     _noted(str(spec.get("description", "")), spec)])
    if rows:
        parts.append(_table(("字段 field", "类型 type", "必填 required", "说明 description"), rows))
    else:
        parts.append(f"<p>{type_html(schema)}</p>")
    parts.append("</article>")
    return "".join(parts)


def reference_page(doc: Mapping[str, Any], *, spec_url: str, redoc_url: str) -> bytes:
    """The whole reference for the OpenAPI document ``doc`` as one HTML page (UTF-8 bytes)."""
    info = doc.get("info", {})
    title = str(info.get("title", "API"))
    zh, _, en = str(info.get("description", "")).partition("\n\n")
    ops = _operations(doc)
    groups: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
        str(t["name"]): [] for t in doc.get("tags", ()) if "name" in t}
    described = {str(t["name"]): str(t.get("description", "")) for t in doc.get("tags", ()) if "name" in t}
    for method, path, op in ops:
        groups.setdefault(str((op.get("tags") or ["其他 other"])[0]), []).append((method, path, op))
    groups = {name: members for name, members in groups.items() if members}
    shapes: Mapping[str, Any] = doc.get("components", {}).get("schemas", {})
    errors: set[str] = set()
    sections = []
    for name, members in groups.items():
        head = f'<section id="{anchor("tag", name)}"><h2>{_e(name)}</h2>'
        text = _prose(described.get(name, ""))
        sections.append(head + text + "".join(_operation(m, p, op, errors) for m, p, op in members) + "</section>")
    error_rows = []
    for code in sorted(errors):
        texts = sorted({str(a.get("description", "")) for _, _, op in ops
                        for c, a in op.get("responses", {}).items() if c == code} - {""})
        error_rows.append([f'<span id="{anchor("error", code)}">{_status(code)}</span>',
                           "<br>".join(_e(t) for t in texts)])
    nav_groups = "".join(
        f'<li><a href="#{anchor("tag", name)}">{_e(name)}</a><ul>'
        + "".join(f'<li><a href="#{anchor("op", _op_id(m, p, op))}">{_e(m.upper())} {_e(op.get("summary") or p)}</a></li>'
                  for m, p, op in members) + "</ul></li>" for name, members in groups.items())
    nav = (f'<nav aria-label="目录 Contents"><h2>目录 <span class="en" lang="en">Contents</span></h2>'
           f'<ul>{nav_groups}<li><a href="#errors">错误答复 errors</a></li>'
           f'<li><a href="#schemas">数据结构 schemas</a>（{len(shapes)}）</li></ul></nav>')
    errors_section = ('<section id="errors"><h2>错误答复 <span class="en" lang="en">Error answers</span></h2>'
                      "<p>每个错误答复都说明哪里错了、在哪里、应当怎样写（内容见 ErrorBody）。"
                      '<span class="en" lang="en"> Every error answer says what was wrong, where, and what '
                      "would be right (its body: ErrorBody).</span></p>"
                      + _table(("状态 status", "何时 when"), error_rows) + "</section>")
    shapes_section = ('<section id="schemas"><h2>数据结构 <span class="en" lang="en">Schemas</span></h2>'
                      + "".join(_shape(n, s) for n, s in shapes.items()) + "</section>")
    version = info.get("version")
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
            f"<style>{_STYLE}</style></head><body><header><h1>{_e(title)}"
            + (f' <small class="en">v{_e(version)}</small>' if version else "") + "</h1>"
            f'{_prose(zh)}<div class="en" lang="en">{_prose(en)}</div><p class="links">'
            f'<a href="{_e(spec_url)}">OpenAPI 原始文档 <span lang="en">(JSON)</span></a>'
            f'<a href="{_e(redoc_url)}">交互式视图 <span lang="en">interactive view (Redoc)</span></a>'
            f'<span class="en">{len(ops)} 个接口 operations · {len(shapes)} 个数据结构 schemas</span></p>'
            f'</header><div class="layout">{nav}<main>{"".join(sections)}{errors_section}{shapes_section}'
            "</main></div></body></html>\n").encode()
