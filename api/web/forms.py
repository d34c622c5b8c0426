"""The owner's milestone report form: from form fields to the changes a report makes.

Owns ``parse_report``, ``form_values`` and ``FORM`` (the inputs ``my.html`` shows). Pure.
The fields are the catalogue's (``projects.catalogue.MILESTONE_FORM``: each reportable field
with a ``widget``), and each is checked by its one validator (``projects.validation``), the same
a portfolio file, the API and a workbook get, with the rules between the fields the form holds
(a finish not after today, nor before the start). A form writes progress in percent and
amounts with thousands separators: the widget turns what was typed into what the validator
reads. Every problem is shown beside its field in the page's language; no change is made
unless every field is right.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashboards.numbers import yuan_input
from projects.catalogue import MILESTONE_FORM, MILESTONE_RULES, Field
from projects.fields import Fields
from projects.model import Milestone
from projects.validation import record_reader

#: Each widget: the HTML input, its attributes, and the label's unit (zh, en).
_WIDGETS: dict[str, tuple[str, str, tuple[str, str]]] = {
    "date": ("date", "", ("", "")),
    "percent": ("number", 'min="0" max="100" step="any"', ("（%）", " (%)")),
    "yuan": ("number", 'min="0" step="any"', ("（元）", " (yuan)")),
    "text": ("text", "", ("", "")),
}


@dataclass(frozen=True, slots=True)
class Input:
    """One input of the form, as ``my.html`` renders it."""

    name: str
    type: str
    attributes: str
    zh: str
    en: str

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def _input(f: Field) -> Input:
    assert f.widget is not None
    kind, attributes, (zh, en) = _WIDGETS[f.widget]
    return Input(f.name, kind, attributes, f.zh + zh, f.en + en)


FORM: tuple[Input, ...] = tuple(_input(f) for f in MILESTONE_FORM)
FIELDS = tuple(i.name for i in FORM)
_read = record_reader(MILESTONE_FORM, MILESTONE_RULES)


def form_values(m: Milestone) -> dict[str, str]:
    """The form's fields filled with a milestone's current values (progress in percent)."""
    out = {}
    for f in MILESTONE_FORM:
        value = getattr(m, f.name)
        if value is None:
            out[f.name] = ""
        elif f.widget == "date":
            out[f.name] = value.isoformat()
        elif f.widget == "percent":
            out[f.name] = f"{100 * value:g}"
        elif f.widget == "yuan":
            out[f.name] = yuan_input(value)
        else:
            out[f.name] = str(value)
    return out


def _raw(widget: str | None, typed: str) -> str | None:
    """What the validator reads for what was typed (``None``: left empty, which clears it)."""
    if not typed:
        return None
    if widget == "percent" and not typed.endswith(("%", "％")):
        return typed + "%"
    return typed


def parse_report(form: Mapping[str, str], today: dt.date, *, lang: str = "zh"
                 ) -> tuple[dict[str, Any], dict[str, str]]:
    """(changes, errors by field): each form field through its catalogue validator."""
    raw = {f.name: _raw(f.widget, (form.get(f.name) or "").strip()) for f in MILESTONE_FORM}
    problems = Fields()
    changes = _read(raw.get, problems, "form", today)
    errors: dict[str, str] = {}
    for p in problems.problems:
        name = p.where.rsplit(".", 1)[-1]
        errors.setdefault(name, p.message if lang == "en" or not p.zh else p.zh)
    if errors:
        return {}, errors
    return changes, {}
