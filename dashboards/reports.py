"""Downloadable reports: the dashboard as one standalone HTML file, rankings and findings as Excel.

Owns ``dashboard_figures``, ``standalone_html``, ``ranking_workbook`` and ``findings_workbook``.
Pure: values in, bytes or text out. The standalone file embeds plotly.js (it is read offline,
away from the server); the pages never do.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from dashboards.cells import plain_row
from dashboards.embed import Embedded, embed, plotly_js_path
from dashboards.figures import (
    light_counts,
    portfolio_map,
    project_lights,
    ranking,
    rates_by_unit,
    unit_indicators,
)
from dashboards.i18n import text
from dashboards.money import funds_curve, notices_figure
from projects.model import Level, Portfolio
from projects.subjects import subject_name
from rules.findings import Evaluation
from rules.sentence import explain_sentence

FILLS = {level: PatternFill("solid", fgColor=colour)
         for level, colour in (("red", "FFC7CE"), ("yellow", "FFEB9C"), ("blue", "BDD7EE"),
                               ("green", "C6EFCE"))}


@cache
def _environment() -> jinja2.Environment:
    """The standalone report's own template (``dashboards/templates/report.html``)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                              autoescape=True, trim_blocks=True, lstrip_blocks=True)


def dashboard_figures(portfolio: Portfolio, evaluation: Evaluation, notices: Iterable[Any], *,
                      lang: str = "zh", score_titles: Mapping[str, str] | None = None,
                      score_subjects: Mapping[str, str] | None = None) -> list[Embedded]:
    """Every figure of the leader's dashboard, in page order, ready to embed (``score_titles``:
    score name -> its title in the rulebook, shown instead of the name; ``score_subjects``:
    score name -> what it ranks, ``unit`` or ``person``)."""
    titles, subjects = score_titles or {}, score_subjects or {}
    figures = [
        embed("lights_by_unit", light_counts(portfolio, evaluation, by="unit", lang=lang)),
        embed("lights_by_category", light_counts(portfolio, evaluation, by="category", lang=lang)),
        embed("portfolio_map", portfolio_map(portfolio, evaluation, lang=lang)),
        embed("rates_by_unit", rates_by_unit(portfolio, evaluation.rates, lang=lang)),
    ]
    figures += [embed(f"ranking_{i}", ranking(portfolio, evaluation, name, lang=lang,
                                              title=titles.get(name), subject=subjects.get(name)))
                for i, name in enumerate(evaluation.scores, start=1)]
    figures.append(embed("funds", funds_curve(portfolio.projects, evaluation.as_of, lang=lang)))
    figures.append(embed("notices", notices_figure(
        notices, evaluation.as_of, unit_names={u.id: u.name for u in portfolio.units}, lang=lang)))
    return figures


def standalone_html(figures: Iterable[Embedded], as_of: Any, *, lang: str = "zh") -> str:
    """One HTML file with plotly.js and every figure inside, readable without a network."""
    def t(key: str) -> str:
        return text(key, lang)

    return _environment().get_template("report.html").render(
        t=t, lang=lang, as_of=as_of, figures=list(figures),
        plotly_js=plotly_js_path().read_text(encoding="utf-8").replace("</script", "<\\/script"))


def _header(ws: Any, names: list[str]) -> None:
    ws.append(names)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ranking_workbook(portfolio: Portfolio, evaluation: Evaluation, *, lang: str = "zh") -> bytes:
    """One sheet per score: rank, unit, value and the indicators behind it."""
    wb = Workbook()
    wb.remove(wb.active)
    names = {u.id: u.name for u in portfolio.units}
    people = {x.id: x for x in portfolio.people}
    indicators = unit_indicators(evaluation)
    keys = ("on_time_rate", "completion_rate", "early_rate", "response_rate")
    for score, rows in evaluation.scores.items() or {text("ranking", lang): ()}.items():
        ws = wb.create_sheet(score[:31])
        # a ``score ... for person`` ranks people: their names and units, no unit's indicators
        of_people = bool(rows) and all(r.unit in people and r.unit not in names for r in rows)
        _header(ws, [text("rank", lang), text("person" if of_people else "unit", lang), text("code", lang),
                     text("score", lang), *(text(k, lang) for k in keys), text("red", lang), text("yellow", lang)])
        for row in rows:
            person = people[row.unit] if of_people else None
            ind = {} if person is not None else indicators.get(row.unit, {})
            shown = f"{person.name}（{names.get(person.unit, person.unit)}）" if person is not None \
                else names.get(row.unit, row.unit)
            ws.append(plain_row(ws, [row.rank, shown, row.unit, row.value,
                                     *(ind.get(k) for k in keys), ind.get("red", 0), ind.get("yellow", 0)]))
        for col in "EFGH":
            for cell in ws[col][1:]:
                cell.number_format = "0.0%"
    return _save(wb)


def findings_workbook(portfolio: Portfolio, evaluation: Evaluation, *, lang: str = "zh") -> bytes:
    """The findings (red first), and each project's light, as two sheets.

    Written in openpyxl's streaming (write-only) mode: ~19,000 findings of the generated
    portfolio would take several times longer through the ordinary worksheet model.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(text("findings", lang)[:31])
    names = {u.id: u.name for u in portfolio.units}
    projects = portfolio.project_by_id
    bold = Font(bold=True)

    def header(sheet: Any, labels: list[str]) -> None:
        cells = []
        for label in labels:
            cell = WriteOnlyCell(sheet, label)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        sheet.freeze_panes = "A2"

    def light(sheet: Any, level: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, text(level, lang))
        cell.fill = FILLS[level]
        return cell

    header(ws, [text(k, lang) for k in ("light", "rule_title", "subject", "projects_list", "unit",
                                        "message", "respond_by", "because")])
    for f in evaluation.findings:
        project = projects.get(f.project or "")
        ws.append(plain_row(ws, [light(ws, f.level.value), f.title, subject_name(portfolio, f.subject),
                                 project.name if project else "",
                                 names.get(f.unit or "", f.unit or ""), f.message,
                                 f.respond_by.isoformat() if f.respond_by else "",
                                 explain_sentence(f.explain, lang)]))
    lights = project_lights(portfolio, evaluation.findings)
    sheet = wb.create_sheet(text("projects_list", lang)[:31])
    header(sheet, [text("code", lang), text("projects_list", lang), text("unit", lang),
                   text("category", lang), text("light", lang)])
    for p in portfolio.projects:
        level: Level = lights[p.id]
        sheet.append(plain_row(sheet, [p.id, p.name, names.get(p.unit, p.unit), text(p.category.value, lang),
                                       light(sheet, level.value)]))
    return _save(wb)


def assessment_workbook(figures: Mapping[str, Any], *, lang: str = "zh") -> bytes:
    """A closed period's frozen figures (``rules.assessment.assess``): one sheet per score
    (rank, name, id, value and the indicators behind it), then every unit's and every person's
    indicators. Headers are the catalogue's labels, zh-CN first; every text a string cell."""
    from rules.assessment import PERSON_INDICATORS, RATIOS, UNIT_INDICATORS, labels  # noqa: PLC0415

    wb = Workbook()
    wb.remove(wb.active)
    zh = lang != "en"
    unit_labels = labels("unit", UNIT_INDICATORS, "zh" if zh else "en")
    person_labels = labels("person", PERSON_INDICATORS, "zh" if zh else "en")
    units, people = figures.get("units", {}), figures.get("people", {})

    def percent(ws: Any, first: int, keys: Iterable[str]) -> None:
        columns = [first - 1 + i for i, key in enumerate(keys) if key in RATIOS]
        for row in ws.iter_rows(min_row=2):
            for at in columns:
                row[at].number_format = "0.0%"

    for score in figures.get("scores", {}).values():
        person = score.get("subject") == "person"
        keys = PERSON_INDICATORS if person else UNIT_INDICATORS
        shown = person_labels if person else unit_labels
        held = people if person else units
        ws = wb.create_sheet(str(score.get("title") or "score")[:31])
        who = ("责任人" if zh else "person") if person else ("单位" if zh else "unit")
        _header(ws, ["名次" if zh else "rank", who, "编号" if zh else "id", "得分" if zh else "score",
                     *(shown[k] for k in keys)])
        for row in score.get("rows", ()):
            ind = held.get(row["id"], {})
            ws.append(plain_row(ws, [row["rank"], row["name"], row["id"], row["value"],
                                     *(ind.get(k) for k in keys)]))
        percent(ws, 5, keys)
    for title, keys, shown, held in (("单位指标" if zh else "unit indicators", UNIT_INDICATORS, unit_labels, units),
                                     ("责任人指标" if zh else "person indicators", PERSON_INDICATORS,
                                      person_labels, people)):
        ws = wb.create_sheet(title)
        _header(ws, ["编号" if zh else "id", "名称" if zh else "name", *(shown[k] for k in keys)])
        for key, ind in held.items():
            ws.append(plain_row(ws, [key, ind.get("name"), *(ind.get(k) for k in keys)]))
        percent(ws, 3, keys)
    period = figures.get("period", "")
    wb.properties.title = f"考核 {period} — assessment {period}"
    return _save(wb)
