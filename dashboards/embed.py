"""Figures as page-ready JSON, and the plotly.js file that draws them.

Owns ``Embedded``, ``embed``, ``figure_json``, ``Bundle``, ``vendored``, ``plotly_bundle``,
``plotly_js_path`` and ``plotly_js_version``.
Pure values: the web layer (``api.web.render``, ``api.web.static``) serves them, the
standalone report (``dashboards.reports``) inlines them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Embedded:
    id: str
    json: str


def figure_json(figure: Any) -> str:
    """A figure's JSON without Plotly's default template (about 8 kB of styling per figure
    that plotly.js does not need: its own defaults draw the same plot)."""
    from plotly.io.json import to_json_plotly  # noqa: PLC0415

    data = figure if isinstance(figure, dict) else figure.to_plotly_json()
    layout = dict(data.get("layout") or {})
    layout.pop("template", None)
    return str(to_json_plotly({"data": data.get("data", []), "layout": layout}))


def embed(figure_id: str, figure: Any) -> Embedded:
    """A figure as JSON safe to put inside a ``<script>`` element."""
    raw = figure if isinstance(figure, str) else figure_json(figure)
    return Embedded(figure_id, raw.replace("</", "<\\/"))


#: The partial plotly.js bundle the pages and the offline report load (``dashboards/vendor/``,
#: refreshed by ``scripts/vendor-js``): only the trace types the figures draw.
VENDOR = Path(__file__).parent / "vendor"


@dataclass(frozen=True, slots=True)
class Bundle:
    """A vendored script (``scripts/vendor-js``) and its copies compressed once (``gzip`` and
    ``br`` -> path); ``url_name`` carries the version (``plotly-basic-4.1.1.min.js``)."""
    url_name: str
    version: str
    path: Path
    traces: frozenset[str]
    compressed: dict[str, Path]


def vendored(directory: Path) -> Bundle:
    """The bundle of a vendor folder, as its ``SOURCE.json`` describes it."""
    source = json.loads((directory / "SOURCE.json").read_text(encoding="utf-8"))
    path = directory / source["file"]
    stem, ext = source["file"].split(".", 1)
    return Bundle(url_name=f"{stem}-{source['version']}.{ext}", version=source["version"], path=path,
                  traces=frozenset(source.get("traces", ())),
                  compressed={"br": path.with_name(path.name + ".br"),
                              "gzip": path.with_name(path.name + ".gz")})


def plotly_bundle() -> Bundle:
    """The vendored partial plotly.js, as ``dashboards/vendor/SOURCE.json`` describes it."""
    return vendored(VENDOR)


def plotly_js_path() -> Path:
    """The partial ``plotly-basic.min.js`` the pages and the report load."""
    return plotly_bundle().path


def plotly_js_version() -> str:
    """The plotly.js version the installed Python ``plotly`` expects (the vendored bundle must
    be this one; ``tests/dashboards/test_bundle.py`` holds them together)."""
    from plotly.offline import get_plotlyjs_version  # noqa: PLC0415

    return str(get_plotlyjs_version())


def full_plotly_js_path() -> Path:
    """The full ``plotly.min.js`` bundled with the Python package (every trace type; the
    benchmark's baseline)."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
