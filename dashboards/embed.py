"""Figures as page-ready JSON, and the plotly.js file that draws them.

Owns ``Embedded``, ``embed``, ``figure_json``, ``plotly_js_path`` and ``plotly_js_version``.
Pure values: the web layer (``api.web.render``, ``api.web.static``) serves them, the
standalone report (``dashboards.reports``) inlines them.
"""

from __future__ import annotations

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


def plotly_js_path() -> Path:
    """The ``plotly.min.js`` bundled with the installed ``plotly`` package."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


def plotly_js_version() -> str:
    from plotly.offline import get_plotlyjs_version  # noqa: PLC0415

    return str(get_plotlyjs_version())
