"""``api.schemas._answers``'s quick path (values carried as they are, names made once) gives
exactly what ``_answer`` of every field gives, for every kind of record an answer shows."""

from __future__ import annotations

import dataclasses
from typing import Any

from api import schemas
from projects import catalogue
from projects.cadence import Cadence
from projects.demo import demo_portfolio
from tests.api.conftest import PORTFOLIO, TODAY


def _slow(fields: tuple[catalogue.Field, ...], x: object, rename: dict[str, str] | None = None) -> dict[str, Any]:
    names = [(rename or {}).get(f.name, f.name) for f in fields if "r" in f.api]
    return {n: schemas._answer(getattr(x, n)) for n in names}


def test_the_quick_answers_are_the_field_by_field_answers() -> None:
    generated = demo_portfolio(TODAY)
    seen = 0
    for portfolio in (generated, PORTFOLIO):
        for p in portfolio.projects:
            assert schemas._answers(catalogue.PROJECT, p) == _slow(catalogue.PROJECT, p)
            for m in p.milestones:
                got = schemas._answers(catalogue.MILESTONE, m)
                assert got == _slow(catalogue.MILESTONE, m)
                assert [type(v) for v in got.values()] == [type(v) for v in _slow(catalogue.MILESTONE, m).values()]
                seen += 1
        for u in portfolio.units:
            assert schemas._answers(catalogue.UNIT, u) == _slow(catalogue.UNIT, u)
    assert seen > 60
    # dependencies, cadences and choices take the long way and still come out as shapes
    with_links = next(m for p in generated.projects for m in p.milestones if m.after)
    assert isinstance(schemas._answers(catalogue.MILESTONE, with_links)["after"], list)
    assigned = dataclasses.replace(with_links, report_every=Cadence(2, "weeks"), co_units=("water",))
    got = schemas._answers(catalogue.MILESTONE, assigned)
    assert got == _slow(catalogue.MILESTONE, assigned)
    assert got["report_every"] == str(Cadence(2, "weeks")) and got["co_units"] == ["water"]
