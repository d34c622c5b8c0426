"""The vendored partial plotly.js bundle: the version the Python package expects, intact, its
compressed copies the same bytes, its licence beside it, and every trace type the pages draw
inside it."""

from __future__ import annotations

import gzip
import hashlib
import json
import re

import brotli
import pytest

from dashboards.embed import VENDOR, full_plotly_js_path, plotly_bundle, plotly_js_version

pytestmark = pytest.mark.slow

CHART_PAGES = ("/dashboard", "/dashboard/rates", "/dashboard/screen", "/projects/P001",
               "/projects/P003")


def test_the_vendored_bundle_is_the_version_the_python_package_expects() -> None:
    """Upgrading plotly without running scripts/vendor-js fails here, not in a browser."""
    bundle = plotly_bundle()
    head = bundle.path.read_bytes()[:200].decode()
    assert f"plotly.js (basic - minified) v{plotly_js_version()}" in head
    assert bundle.version == plotly_js_version()


def test_the_vendored_bundle_is_the_one_its_source_names() -> None:
    """The file matches the sha256 recorded from the integrity-checked npm tarball."""
    source = json.loads((VENDOR / "SOURCE.json").read_text())
    assert source["integrity"].startswith("sha512-")
    assert source["tarball"] == (f"https://registry.npmjs.org/{source['package']}/-/"
                                 f"{source['package']}-{source['version']}.tgz")
    assert hashlib.sha256(plotly_bundle().path.read_bytes()).hexdigest() == source["sha256"]


def test_the_compressed_copies_hold_exactly_the_bundle_and_are_small() -> None:
    """gzip and brotli copies decode to the bundle, each well under a third of its size."""
    bundle = plotly_bundle()
    body = bundle.path.read_bytes()
    br = bundle.compressed["br"].read_bytes()
    gz = bundle.compressed["gzip"].read_bytes()
    assert brotli.decompress(br) == body
    assert gzip.decompress(gz) == body
    assert len(br) < len(gz) < len(body) / 2.5
    assert len(body) < full_plotly_js_path().stat().st_size / 3


def test_the_licence_is_vendored_with_the_bundle() -> None:
    """plotly.js is MIT: its licence text ships beside the file."""
    text = (VENDOR / "LICENSE.plotly").read_text()
    assert text.startswith("MIT License") and "Plotly" in text


async def test_every_trace_the_chart_pages_embed_is_in_the_bundle(site) -> None:
    """Each figure on every chart page, and in the offline report, uses only trace types the
    partial bundle holds (a new trace type fails here until the bundle carries it)."""
    traces = plotly_bundle().traces
    await site.sign_in("office")
    seen: set[str] = set()
    for path in (*CHART_PAGES, "/dashboard/report.html"):
        r = await site.client.get(path)
        assert r.status_code == 200, path
        blocks = re.findall(r'<script type="application/json" class="figure"[^>]*>(.*?)</script>'
                            r"|var fig=(\{.*?\});Plotly\.newPlot", r.text, flags=re.S)
        blocks = [a or b for a, b in blocks]
        assert blocks, f"{path} embeds no figure"
        for block in blocks:
            for trace in json.loads(block)["data"]:
                seen.add(trace.get("type", "scatter"))
    assert seen, "no trace found on any chart page"
    assert seen <= traces, f"traces outside the bundle: {seen - traces}"
