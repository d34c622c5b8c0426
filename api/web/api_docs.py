"""The API docs: the reference at ``/schema`` (``api.web.api_reference``: plain HTML, whole
when it arrives), Redoc's interactive view at ``/schema/redoc`` and the OpenAPI document at
``/schema/openapi.json``, built once per app and served precomputed.

Owns ``ApiDocs`` (the Litestar render plugin ``api.app`` configures) and ``REDOC_OPTIONS``.
The reference came after the Redoc page below: however early Redoc's page painted, Redoc
still took 1-2 s of the main thread (several times that on a busy machine) to draw the operations, and
its own words (Responses, Request samples...) are English.
Litestar's own Redoc page built the document on the first request (0.4 s of CPU for ~55
operations and ~66 shapes), then sent it inlined in a 135 KB page with ``no-store``, encoded
again on every visit, uncompressed, behind Redoc's 0.9 MB script loaded synchronously in the
head: nothing was painted until Redoc had run and drawn every operation (2 s of the page's
main thread, 9-28 s on a busy machine). Here the document and a small page are built on first
need, encoded once, gzipped once and served with a strong ETag (``no-cache``: a browser keeps
them and asks again with ``If-None-Match``; 304 while the app is the same). The page paints
the title, the description and a loading line at once, fetches the document while Redoc's
vendored script (``api.web.static``, a year's cache) loads ``defer``, then lets Redoc draw
with ``REDOC_OPTIONS``. The document is the same for every visitor (no session, no token).
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.response import Response
from litestar.serialization import encode_json

from api.web.api_reference import reference_page
from api.web.static import encoding_for

if TYPE_CHECKING:
    from litestar import Litestar, Request
    from litestar.router import Router

#: The plugin's paths within its router: the reference, the document, Redoc's view.
PATHS = ("/", "/openapi.json", "/redoc")
#: Revalidated on every use (the document changes with the app), never stored by a proxy for
#: longer; a browser revalidates with the ETag and gets a 304.
CACHE_REVALIDATE = "public, no-cache"
#: Redoc's options: its own scroll bars instead of perfect-scrollbar (Redoc's advice for big
#: documents: the wrapper measures the layout again on every mount), search kept.
REDOC_OPTIONS: dict[str, Any] = {"nativeScrollbars": True}


@dataclass(frozen=True, slots=True)
class Doc:
    """One answer built once: its body, media type, strong ETag and gzipped copy."""

    body: bytes
    media_type: str
    etag: str
    gzipped: bytes

    @classmethod
    def of(cls, body: bytes, media_type: str) -> Doc:
        return cls(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"',
                   gzip.compress(body, 9, mtime=0))

    def answer(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        coding = encoding_for(request.headers.get("accept-encoding", ""), ("gzip",))
        etag = self.etag if coding is None else f'{self.etag[:-1]}-{coding}"'
        headers = {"cache-control": CACHE_REVALIDATE, "vary": "accept-encoding", "etag": etag}
        if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
            return Response(b"", status_code=304, headers=headers)
        if coding is None:
            return Response(self.body, media_type=self.media_type, headers=headers)
        return Response(self.gzipped, media_type=self.media_type, headers={**headers, "content-encoding": coding})


def page(*, title: str, description: str, js_url: str, spec_url: str) -> bytes:
    """The docs page: painted at once (title, description, a loading line), then drawn by Redoc
    from the document it fetched meanwhile; a document or script that fails says so."""
    zh, _, en = description.partition("\n\n")
    options = json.dumps(REDOC_OPTIONS)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>body{{margin:0;padding:0}}.docs-wait{{max-width:60rem;margin:2rem auto;padding:0 1rem;
font:16px/1.6 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1f2933}}
.docs-wait h1{{font-size:1.6rem;margin:0 0 1rem}}.docs-wait .en{{color:#52606d}}</style>
<script>window.dubanSpec=fetch({json.dumps(spec_url)},{{credentials:"same-origin"}})
.then(function(r){{if(!r.ok){{throw new Error("HTTP "+r.status);}}return r.json();}});</script>
<script src="{html.escape(js_url)}" defer></script>
</head><body><div id="redoc-container"><div class="docs-wait">
<h1>{html.escape(title)}</h1><p>{html.escape(zh)}</p><p class="en" lang="en">{html.escape(en)}</p>
<p role="status" id="docs-status">正在绘制接口文档…… <span lang="en">Drawing the API reference…</span></p>
<noscript><p>接口文档需要 JavaScript；原始文档见 <a href="{html.escape(spec_url)}">openapi.json</a>。
<span lang="en">The reference needs JavaScript; the document itself is at openapi.json.</span></p></noscript>
</div></div>
<script>document.addEventListener("DOMContentLoaded",function(){{
var box=document.getElementById("redoc-container");
function failed(e){{document.getElementById("docs-status").textContent=
"接口文档未能载入（"+e+"），请刷新页面；原始文档：{spec_url} — the API reference could not be loaded ("+e+"); reload the page.";}}
if(typeof Redoc==="undefined"){{failed("redoc.standalone.js");return;}}
window.dubanSpec.then(function(spec){{Redoc.init(spec,{options},box);}},failed);}});</script>
</body></html>
""".encode()


class ApiDocs(OpenAPIRenderPlugin):
    """``/schema`` (the page) and ``/schema/openapi.json`` (the document), each built once for
    the app on first need and answered from then on without touching the document again."""

    def __init__(self, *, js_url: str, base: str = "/schema") -> None:
        super().__init__(path=list(PATHS), favicon='<link rel="icon" href="data:,">')
        self.js_url, self.base = js_url, base
        self._built: dict[str, Doc] | None = None
        self._lock = threading.Lock()

    def built(self, request: Request[Any, Any, Any], schema: dict[str, Any] | None = None) -> dict[str, Doc]:
        """Path within the router (``PATHS``) -> its answer, built once."""
        if self._built is None:
            with self._lock:
                if self._built is None:
                    self._built = self._build(request.app, schema)
        return self._built

    def _build(self, app: Litestar, schema: dict[str, Any] | None) -> dict[str, Doc]:
        if schema is None:
            from litestar._openapi.plugin import OpenAPIPlugin  # noqa: PLC0415

            schema = app.plugins.get(OpenAPIPlugin).provide_openapi_schema()
        document = encode_json(schema)
        info = schema["info"]
        spec_url = f"{self.base}/openapi.json"
        return {"/openapi.json": Doc.of(document, "application/vnd.oai.openapi+json"),
                "/": Doc.of(reference_page(schema, spec_url=spec_url, redoc_url=f"{self.base}/redoc"),
                            "text/html"),
                "/redoc": Doc.of(page(title=info["title"], description=info.get("description", ""),
                                      js_url=self.js_url, spec_url=spec_url), "text/html")}

    def _which(self, request: Request[Any, Any, Any]) -> str | None:
        """The path within the router of a request for one of ``PATHS``, else ``None``."""
        rest = request.url.path.rstrip("/").removeprefix(self.base)
        which = rest or "/"
        return which if which in PATHS and request.url.path.startswith(self.base) else None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The body alone (Litestar's handler); ``answer`` serves it first, with its headers."""
        return self.built(request, openapi_schema)[self._which(request) or "/"].body

    def answer(self, request: Request[Any, Any, Any]) -> Response[bytes] | None:
        """The router's ``before_request``: this plugin's paths from what was built (with the
        ETag, gzip and 304), anything else (the router's 404 page) left to its handler."""
        which = self._which(request)
        if which is None:
            return None
        return self.built(request)[which].answer(request)

    def receive_router(self, router: Router) -> None:
        async def answer(request: Request[Any, Any, Any]) -> Response[bytes] | None:
            return self.answer(request)  # a function: Litestar deep-copies the router, not it

        router.before_request = answer
