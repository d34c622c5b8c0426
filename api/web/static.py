"""The static files the pages load: the partial plotly.js bundle, and our own script/CSS.

Owns ``asset_urls``, ``assets``, ``encoding_for`` and the route handler ``static_file``.
Government networks are offline, so plotly.js is served by the app itself, never from a CDN:
the vendored partial bundle (``dashboards/vendor/``: only the bar, pie and scatter traces the
figures draw, 1.2 MB instead of the full 4.8 MB) at a versioned URL
(``/static/plotly-basic-<version>.min.js``) with a one-year immutable cache header, sent as the
brotli or gzip copy compressed once by ``scripts/vendor-js`` when the browser accepts it; so is
Redoc, which draws the API docs at ``/schema`` (Litestar would load it, and Google's fonts,
from CDNs an offline network cannot reach, and the page would hang on them).
Our own files get a content hash in their URL for the same reason, and are gzipped once in
memory.
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
from dashboards.embed import plotly_bundle, vendored

CACHE_FOREVER = "public, max-age=31536000, immutable"
HERE = Path(__file__).parent
#: Redoc's standalone bundle (``scripts/vendor-js redoc``), which draws the API docs at /schema
VENDOR = HERE / "vendor"


#: Content codings we hold a copy in, best first.
CODINGS = ("br", "gzip")


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    media_type: str
    body: bytes
    etag: str
    encoded: dict[str, bytes]  # coding -> the body compressed once


def _asset(name: str, body: bytes, media_type: str, encoded: dict[str, bytes]) -> Asset:
    return Asset(name, media_type, body, '"' + hashlib.sha256(body).hexdigest()[:20] + '"', encoded)


@cache
def assets() -> dict[str, Asset]:
    """URL file name -> asset, read (and our own files compressed) once per process."""
    out = {bundle.url_name: _asset(name, bundle.path.read_bytes(), "text/javascript; charset=utf-8",
                                   {coding: path.read_bytes() for coding, path in bundle.compressed.items()})
           for name, bundle in (("plotly", plotly_bundle()), ("redoc", vendored(VENDOR)))}
    for name, media in (("duban.js", "text/javascript; charset=utf-8"),
                        ("duban.css", "text/css; charset=utf-8")):
        body = (HERE / "static" / name).read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:10]
        stem, ext = name.rsplit(".", 1)
        out[f"{stem}-{digest}.{ext}"] = _asset(name, body, media, {"gzip": gzip.compress(body, 6, mtime=0)})
    return out


def encoding_for(accept_encoding: str, available: tuple[str, ...]) -> str | None:
    """The best of ``available`` (in our order of preference) that an ``Accept-Encoding``
    header accepts: a coding named with a q above 0, or ``*`` when it is not refused by name;
    None for the identity."""
    q: dict[str, float] = {}
    for part in accept_encoding.split(","):
        token, _, params = part.strip().partition(";")
        token = token.strip().lower()
        if not token:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        q[token] = weight
    for coding in available:
        if (q[coding] if coding in q else q.get("*", 0.0)) > 0:
            return coding
    return None


@cache
def asset_urls() -> dict[str, str]:
    """Logical name (``plotly``, ``redoc``, ``duban.js``, ``duban.css``) -> versioned URL."""
    return {a.name: f"/static/{file}" for file, a in assets().items()}


@get("/static/{file:str}", include_in_schema=False, sync_to_thread=False, cache=False)
def static_file(request: AppRequest, file: str) -> Response[bytes]:
    """One versioned static file, cached for a year; 304 when the browser already has it."""
    asset = assets().get(file)
    if asset is None:
        raise NotFoundException(f"no static file {file!r}; the current ones are "
                                f"{', '.join(sorted(assets()))}")
    headers = {"cache-control": CACHE_FOREVER, "vary": "accept-encoding"}
    coding = encoding_for(request.headers.get("accept-encoding", ""),
                          tuple(c for c in CODINGS if c in asset.encoded))
    # Each coding is its own representation, so its own strong ETag.
    etag = asset.etag if coding is None else f'{asset.etag[:-1]}-{coding}"'
    headers["etag"] = etag
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(b"", status_code=304, headers=headers)
    if coding is None:
        return Response(asset.body, media_type=asset.media_type, headers=headers)
    return Response(asset.encoded[coding], media_type=asset.media_type,
                    headers={**headers, "content-encoding": coding})
