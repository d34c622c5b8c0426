"""Figures as page-ready JSON, and the plotly.js file that draws them.

Owns ``Embedded``, ``embed``, ``figure_json``, ``Bundle``, ``vendored``, ``plotly_bundle``,
``plotly_js_path`` and ``plotly_js_version``.
Pure values: the web layer (``api.web.render``, ``api.web.static``) serves them, the
standalone report (``dashboards.reports``) inlines them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Embedded:
    id: str
    json: str


def figure_json(figure: Any) -> str:
    """A figure's JSON (a plain figure, ``dashboards.figures.Figure``, or a
    ``plotly.graph_objects.Figure``) without Plotly's default template (about 8 kB of styling
    per figure that plotly.js does not need: its own defaults draw the same plot).

    Written by ``json`` directly: UTF-8 text as it is (``红灯``, not ``\\u7ea2\\u706f``: a third
    of the bytes of a Chinese label), a number that is not finite (``nan``, ``inf``) as
    ``null`` as plotly writes it, and every ``<`` as ``\\u003c`` so that no ``</script>`` or
    ``<!--`` can end or bend the ``<script>`` element it is embedded in."""
    data = figure if isinstance(figure, dict) else figure.to_plotly_json()
    layout = dict(data.get("layout") or {})
    layout.pop("template", None)
    plain = {"data": data.get("data", []), "layout": layout}
    try:
        raw = json.dumps(plain, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                         default=_value)
    except ValueError:  # a nan or an infinity somewhere: written as null, as plotly does
        raw = json.dumps(_finite(plain), ensure_ascii=False, separators=(",", ":"),
                         allow_nan=False, default=_value)
    return raw.replace("<", "\\u003c")


def _value(value: Any) -> Any:
    """What JSON has no word for: dates as ISO text, anything array-like as a list."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"a figure holds a {type(value).__name__} ({value!r}); give it as text, "
                    "a number, a list or a dict")


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def embed(figure_id: str, figure: Any) -> Embedded:
    """A figure as JSON safe to put inside a ``<script>`` element (a string is taken as JSON
    already written, and made safe the same way)."""
    raw = figure.replace("<", "\\u003c") if isinstance(figure, str) else figure_json(figure)
    return Embedded(figure_id, raw)


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
