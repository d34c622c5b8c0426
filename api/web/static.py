"""The static files the pages load: plotly.js from the installed package, and our own script/CSS.

Owns ``PLOTLY_URL``, ``ASSET_URLS`` and the route handler ``static_file``. Government networks
are offline, so plotly.js is served by the app itself, never from a CDN: once per browser, at
a versioned URL (``/static/plotly-<version>.min.js``, the installed Plotly's bundled copy) with
a one-year immutable cache header, gzip-compressed once in memory for clients that accept it.
Our own files get a content hash in their URL for the same reason.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from litestar import get
from litestar.exceptions import NotFoundException
from litestar.response import Response

from api.auth import AppRequest
from dashboards.embed import plotly_js_path, plotly_js_version

CACHE_FOREVER = "public, max-age=31536000, immutable"
HERE = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    media_type: str
    body: bytes
    gzipped: bytes
    etag: str


def _asset(name: str, path: Path, media_type: str) -> Asset:
    body = path.read_bytes()
    return Asset(name, media_type, body, gzip.compress(body, 6, mtime=0),
                 '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


@cache
def assets() -> dict[str, Asset]:
    """URL file name -> asset, read and compressed once per process."""
    out = {f"plotly-{plotly_js_version()}.min.js": _asset("plotly", plotly_js_path(),
                                                          "text/javascript; charset=utf-8")}
    for name, media in (("duban.js", "text/javascript; charset=utf-8"),
                        ("duban.css", "text/css; charset=utf-8")):
        path = HERE / "static" / name
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        stem, ext = name.rsplit(".", 1)
        out[f"{stem}-{digest}.{ext}"] = _asset(name, path, media)
    return out


@cache
def asset_urls() -> dict[str, str]:
    """Logical name (``plotly``, ``duban.js``, ``duban.css``) -> versioned URL."""
    return {a.name: f"/static/{file}" for file, a in assets().items()}


@get("/static/{file:str}", include_in_schema=False, sync_to_thread=False, cache=False)
def static_file(request: AppRequest, file: str) -> Response[bytes]:
    """One versioned static file, cached for a year; 304 when the browser already has it."""
    asset = assets().get(file)
    if asset is None:
        raise NotFoundException(f"no static file {file!r}; the current ones are "
                                f"{', '.join(sorted(assets()))}")
    headers = {"cache-control": CACHE_FOREVER, "etag": asset.etag, "vary": "accept-encoding"}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(b"", status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(asset.gzipped, media_type=asset.media_type,
                        headers={**headers, "content-encoding": "gzip"})
    return Response(asset.body, media_type=asset.media_type, headers=headers)
