"""The DCMA rulebook (rules/contractor/dcma.rules) in the rule language: it compiles without
a diagnostic, and on a contractor's schedule imported into the portfolio it lights what the
DCMA report finds — missing logic on the 25-activity P6 sample; leads, negative float, missed
work and a low BEI once the sample has them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dsl import check_rulebook, compile_rulebook
from projects.checks import parse_portfolio
from projects.contractor import read_xer, schedule
from projects.contractor.dcma import assess
from projects.contractor.importer import ImportMap, project_entry
from rules.engine import evaluate
from tests.projects.contractor_files import edit_xer, xer_text

SOURCE = (Path(__file__).resolve().parents[2] / "rules" / "contractor" / "dcma.rules").read_text(encoding="utf-8")
BOOK = compile_rulebook({"dcma.rules": SOURCE})


def _lit(text: str, as_of: dt.date) -> dict[str, str]:
    sched = read_xer(text)
    project, _ = project_entry(sched, schedule(sched), pid="C1", unit="u", mapping=ImportMap(), existing=None)
    portfolio = parse_portfolio({"units": [{"id": "u", "name": "承包商"}], "projects": [project]}, today=as_of)
    ev = evaluate(BOOK, portfolio, as_of)
    assert not ev.errors, ev.errors
    return {f.rule: f.level for f in ev.findings}


def test_the_rulebook_compiles_cleanly() -> None:
    assert list(check_rulebook({"dcma.rules": SOURCE})) == []
    assert len(BOOK.rules) == 11 and all(r.subject == "project" for r in BOOK.rules)


def test_the_sample_lights_missing_logic_only_as_the_report_does() -> None:
    """A1010 has no predecessor and A1250 no successor: 2 of 25 = 8 % > 5 %. Point 10: 24 of
    the 25 activities (all a working day or longer) carry neither resources nor cost; only
    A1020 has one (Van Haren): the import marks A1020 resourced, the others not."""
    lit = _lit(xer_text("xernative-sample.xer"), dt.date(2021, 11, 30))
    assert lit == {"dcma_logic": "yellow", "dcma_resources": "yellow"}
    sched = read_xer(xer_text("xernative-sample.xer"))
    failed = {c.key for c in assess(sched, schedule(sched)) if not c.passed}
    assert failed == {"logic", "resources"}


def test_leads_missed_work_negative_float_and_bei() -> None:
    """A lead on one link, and a month on: A1010 finished 10 Dec (due 6 Dec), nothing else
    finished though A1020-A1040 were due by 31 Dec."""
    text = xer_text("xernative-sample.xer")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("%T\tTASKPRED"))
    fields = lines[at + 1].split("\t")[1:]
    cells = lines[at + 2].split("\t")
    cells[1 + fields.index("lag_hr_cnt")] = "-8"
    lines[at + 2] = "\t".join(cells)
    text = edit_xer("\n".join(lines) + "\n", change={"A1010": {
        "status_code": "TK_Complete", "act_start_date": "2021-11-30 08:00",
        "act_end_date": "2021-12-10 17:00", "remain_drtn_hr_cnt": "0"}})
    lit = _lit(text, dt.date(2021, 12, 31))
    assert lit.get("dcma_leads") == "yellow"
    assert lit.get("dcma_missed") == "yellow" and lit.get("dcma_bei") == "yellow"
    assert lit.get("dcma_negative_float") == "red"
    assert "dcma_fs" not in lit and "dcma_lags" not in lit and "dcma_high_float" not in lit


def test_resources_light_only_while_an_open_task_lacks_them() -> None:
    """Every activity but A1020 finished by 31 Dec 2021 (the data date then): the one open task
    is resource-loaded, so point 10 passes in the report and the rule does not light; with
    A1020's assignment gone it is the one offender of both."""
    done = {code: {"status_code": "TK_Complete", "act_start_date": "2021-11-29 08:00",
                   "act_end_date": "2021-11-29 17:00", "remain_drtn_hr_cnt": "0"}
            for code in [f"A{n}" for n in range(1010, 1260, 10)] if code != "A1020"}
    text = edit_xer(xer_text("xernative-sample.xer"), change=done)
    text = text.replace("2021-11-30 00:00", "2021-12-31 00:00", 1)
    sched = read_xer(text)
    res = {c.key: c for c in assess(sched, schedule(sched))}["resources"]
    assert (res.count, res.total, res.passed) == (0, 1, True)
    project, _ = project_entry(sched, schedule(sched), pid="C1", unit="u", mapping=ImportMap(), existing=None)
    assert {m["id"]: m.get("resourced") for m in project["milestones"]}["A1020"] is True
    # the rulebook needs 10 open milestones: lower the bar to see the rule alone
    book = compile_rulebook({"dcma.rules": SOURCE.replace("const min_activities = 10", "const min_activities = 1")})
    portfolio = parse_portfolio({"units": [{"id": "u", "name": "承包商"}], "projects": [project]},
                                today=dt.date(2021, 12, 31))
    lit = {f.rule for f in evaluate(book, portfolio, dt.date(2021, 12, 31)).findings}
    assert "dcma_resources" not in lit
    bare = text.replace("%R\t8089\t", "%R\t8089x\t", 1)
    bare = "\n".join(x for x in bare.splitlines() if not x.startswith("%R\t8089x\t")) + "\n"
    sched = read_xer(bare)
    res = {c.key: c for c in assess(sched, schedule(sched))}["resources"]
    assert (res.count, res.offenders) == (1, ("A1020",))
    project, _ = project_entry(sched, schedule(sched), pid="C1", unit="u", mapping=ImportMap(), existing=None)
    portfolio = parse_portfolio({"units": [{"id": "u", "name": "承包商"}], "projects": [project]},
                                today=dt.date(2021, 12, 31))
    found = [f for f in evaluate(book, portfolio, dt.date(2021, 12, 31)).findings if f.rule == "dcma_resources"]
    assert [f.level for f in found] == ["yellow"] and "1 个" in found[0].message
