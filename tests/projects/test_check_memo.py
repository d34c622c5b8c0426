"""The portfolio check's memos (issue 16 item 2): a milestone id or name met again in the file
skips the checks it passed before (``projects.checks._Check.ids`` and ``names``), and a list of
the project's own ids in ``after`` met again takes the same tuple (``afters``). Checked against
the same check with the memos never holding anything, over random portfolios whose ids, names
and ``after`` lists repeat, good and bad: the same problems, the same model, the same edges for
the cycle check, and one text object per distinct id and name either way."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from projects.checks import _Check

TODAY = dt.date(2026, 6, 15)

GOOD_IDS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "tender", "施工"]
BAD_IDS = ["m1 ", " m2", "a/b", "", "x" * 100, "ok\u200b", 7, ["m3"]]
GOOD_NAMES = ["施工招标", "立项批复", "tender", "m1", None]
GOOD_AFTER = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "tender", "施工"]
BAD_AFTER = ["P0/m1", "P1/m2", "nowhere", 3, {"id": "m2", "lag": 2}, {"project": "P1", "id": "m1"},
             ["m1"]]
BAD_NAMES = ["", "   ", "a\x00b", "x" * 201, "付款\u202e", 42, 4.5, ["n"], dt.date(2026, 1, 2)]


class _Forgetful(dict[Any, Any]):
    """A memo that keeps nothing: every id and name goes through its checks."""

    def __setitem__(self, key: str, value: str) -> None:
        pass


def _portfolio(rng: random.Random) -> dict[str, Any]:
    projects = []
    for i in range(rng.randint(1, 4)):
        milestones = []
        for _ in range(rng.randint(1, 6)):
            m: dict[str, Any] = {"kind": "approval"}
            for key, good, bad in (("id", GOOD_IDS, BAD_IDS), ("name", GOOD_NAMES, BAD_NAMES)):
                value = rng.choice(good if rng.random() < 0.93 else bad)
                if value is not None:
                    m[key] = value
            earlier = [x["id"] for x in milestones if type(x.get("id")) is str]
            if earlier and rng.random() < 0.5:  # on earlier milestones: no cycle
                m["after"] = rng.sample(earlier, rng.randint(1, min(3, len(earlier))))
            elif rng.random() < 0.5:
                m["after"] = [rng.choice(GOOD_AFTER if rng.random() < 0.95 else BAD_AFTER)
                              for _ in range(rng.randint(0, 3))]
            elif rng.random() < 0.05:
                m["after"] = rng.choice(["m1", {"id": "m1"}, 5])
            milestones.append(m)
        projects.append({"id": f"P{i}", "name": "项目", "unit": "u", "milestones": milestones})
    return {"units": [{"id": "u", "name": "单位"}], "projects": projects}


def _check(data: dict[str, Any], *, memo: bool) -> tuple[list[tuple[str, str]], Any, Any]:
    check = _Check(TODAY)
    if not memo:
        check.ids, check.names, check.afters = _Forgetful(), _Forgetful(), _Forgetful()
    portfolio = check.portfolio(data)
    problems = [(p.where, p.message) for p in check.f.problems]
    return problems, portfolio, check


def _texts(portfolio: Any) -> dict[str, set[int]]:
    """Each distinct id and name text -> the ids of the objects holding it."""
    held: dict[str, set[int]] = {}
    for p in portfolio.projects:
        for m in p.milestones:
            for text in (m.id, m.name):
                held.setdefault(text, set()).add(id(text))
    return held


@pytest.mark.parametrize("seed", range(300))
def test_the_memos_change_nothing_but_the_work(seed: int) -> None:
    rng = random.Random(seed)
    data = _portfolio(rng)
    fast_problems, fast, fast_check = _check(data, memo=True)
    slow_problems, slow, slow_check = _check(data, memo=False)
    assert fast_problems == slow_problems
    assert fast == slow
    assert (fast_check.edge_from, fast_check.edge_to, fast_check.backward) == (
        slow_check.edge_from, slow_check.edge_to, slow_check.backward)
    if fast is not None:
        assert all(len(objects) == 1 for objects in _texts(fast).values())
        assert list(zip(fast_check.edge_from, fast_check.edge_to, strict=True)) == _edges(fast)


def _edges(portfolio: Any) -> list[tuple[int, int]]:
    """The cycle check's edges of a portfolio that checked, from its model: each milestone a
    node (its project's first node + its place), each dependency predecessor to successor."""
    base, place, n = {}, {}, 0
    for p in portfolio.projects:
        base[p.id], n = n, n + len(p.milestones)
        place[p.id] = {m.id: j for j, m in enumerate(p.milestones)}
    return [(base[d.project or p.id] + place[d.project or p.id][d.on], base[p.id] + j)
            for p in portfolio.projects for j, m in enumerate(p.milestones) for d in m.after]


def test_a_repeated_name_and_id_are_checked_once_and_share_one_text() -> None:
    data = {"units": [{"id": "u", "name": "单位"}], "projects": [
        {"id": f"P{i}", "name": "项目", "unit": "u",
         "milestones": [{"id": "".join(["ten", "der"]), "name": "".join(["施工", "招标"]),
                         "kind": "approval"}]} for i in range(3)]}
    problems, portfolio, check = _check(data, memo=True)
    assert problems == []
    assert check.names == {"施工招标": "施工招标"} and check.ids == {"tender": "tender"}
    (held,) = {id(p.milestones[0].name) for p in portfolio.projects}
    assert held == id(check.names["施工招标"])
    assert len({id(p.milestones[0].id) for p in portfolio.projects}) == 1


def test_a_bad_name_met_twice_is_a_problem_twice() -> None:
    data = {"units": [{"id": "u", "name": "单位"}], "projects": [
        {"id": "P1", "name": "项目", "unit": "u", "milestones": [
            {"id": "a", "name": "a\x00b", "kind": "approval"},
            {"id": "b", "name": "a\x00b", "kind": "approval"}]}]}
    problems, portfolio, check = _check(data, memo=True)
    assert portfolio is None and check.names == {}
    assert [w for w, _ in problems] == ["projects[0].milestones[0].name",
                                        "projects[0].milestones[1].name"]
