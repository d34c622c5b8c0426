"""The figures are plain data (``dashboards.figures.Figure``); the tests read them through plotly.

``plotted(figure)`` hands a plain figure to ``plotly.graph_objects.Figure``, which validates
every attribute (an unknown property or a wrong value raises), checks that plotly writes the
figure back exactly as it was given (so the plain data is what plotly itself would have built:
``title`` as ``{"text": ...}``, text arrays as strings, no ``None`` attributes) and returns the
``go.Figure``, whose attribute access (``fig.data[0].x``, ``fig.layout.yaxis.dtick``) the tests
read. ``checked(builder)`` is ``builder`` with its result so read.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go


def plotted(figure: dict[str, Any]) -> go.Figure:
    assert isinstance(figure, dict) and set(figure) == {"data", "layout"}, figure
    fig = go.Figure(figure)  # validates; raises ValueError on anything plotly does not know
    back = fig.to_plotly_json()
    back["layout"].pop("template", None)
    given = json.loads(json.dumps(figure, default=str))
    assert json.loads(json.dumps(back, default=str)) == given, "plotly rewrote the figure"
    return fig


def checked(builder: Callable[..., dict[str, Any]]) -> Callable[..., go.Figure]:
    @functools.wraps(builder)
    def build(*args: Any, **kwargs: Any) -> go.Figure:
        return plotted(builder(*args, **kwargs))
    return build
