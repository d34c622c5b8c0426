"""`duban check --json`'s fast path prints exactly what the full path gives (issue 16 item 1).

The fast path is the command as a user runs it: one process that reads the file with
``consume`` (each project's plain values let go once checked), takes days from the readers'
cache (``projects.validation.DAYS``), skips the schedule when no rule reads it, runs without
the cyclic collector and ends without tearing its heap down. The full path is computed here,
in this process, the long way: the file's values all kept, the cache of days emptied first,
the schedule always computed, the JSON written by the same writer. The two texts must be
equal, character for character: over the standard rulebook (which reads the schedule), a
rulebook that reads none of it (so the schedule is skipped), and every example of the
language spec that compiles.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from api.commands.check import _today
from dsl import compile_rulebook
from projects import validation
from projects.calendar import calendar_for
from projects.demo import demo_portfolio
from projects.loader import dump_portfolio, parse_portfolio, read_data
from projects.replay import as_of
from projects.schedule import compute_schedule
from rules.engine import evaluate, reads_schedule
from rules.report import write_evaluation_json
from rules.standard import standard_sources
from tests.dsl.test_spec_examples import DAYS, examples

ROOT = Path(__file__).resolve().parents[2]
DUBAN = Path(sys.executable).with_name("duban")
#: A rulebook that reads no schedule field, of the kinds `duban check` is mostly run with.
PLAIN = """
const grace = 10 workdays
rule tender_overdue: for milestone m where m.kind == tendering and not m.done
    light yellow when today > m.due
    light red when today > m.due + grace
rule contract_before_tender: for milestone m where m.kind == contract and m.done
    light red when any(u in upstream(m) where u.kind == tendering and not u.done)
rule stale: for milestone m where not m.done and m.start <= today
    light yellow when today > m.updated + grace
rule missing_due: for milestone m where not m.done
    light yellow when m.due is missing
rule unit_late: for unit u
    light yellow when count(m in u.milestones where m.late) > 3
"""


def _generate() -> Any:
    path = ROOT / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("_bench_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def full_path(sources: dict[str, str], path: Path, day: dt.date) -> str:
    """The evaluation's JSON the long way (module header)."""
    validation.DAYS.clear()
    data, _ = read_data(path)
    kept = json.dumps(data, default=str)
    portfolio = parse_portfolio(data, today=_today())
    assert json.dumps(data, default=str) == kept  # nothing was let go
    rulebook = compile_rulebook(sources)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        calendar = calendar_for(portfolio)
        schedule = compute_schedule(as_of(portfolio, day), calendar, day)
        evaluation = evaluate(rulebook, portfolio, day, calendar=calendar, schedule=schedule)
    out = io.StringIO()
    write_evaluation_json(evaluation, out)
    return out.getvalue()


def fast_path(rules: list[Path] | None, path: Path, day: dt.date) -> str:
    """`duban check PATH --json` as its own process."""
    cmd = [str(DUBAN), "check", str(path), "--json", "--as-of", day.isoformat()]
    if rules is not None:
        cmd += ["--rules", *map(str, rules)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dt.date]:
    """The benchmarks' generated portfolio (60 projects, 1,200 milestones) as JSON and YAML."""
    gen = _generate()
    tmp = tmp_path_factory.mktemp("fast")
    data = gen.generate(60, 20, today=gen.TODAY)
    gen.write(data, tmp / "p.json")
    gen.write(data, tmp / "p.yaml")
    return tmp / "p.json", tmp / "p.yaml", gen.TODAY


def test_the_standard_rulebook_prints_what_the_full_path_gives(generated: tuple[Path, Path, dt.date]) -> None:
    """Standard rulebook (it reads the schedule), JSON and YAML files: the same text."""
    json_file, yaml_file, day = generated
    sources = standard_sources()
    assert reads_schedule(compile_rulebook(sources))
    want = full_path(sources, json_file, day)
    assert len(json.loads(want)["findings"]) > 20
    assert fast_path(None, json_file, day) == want
    assert fast_path(None, yaml_file, day) == full_path(sources, yaml_file, day) == want


def test_a_rulebook_reading_no_schedule_prints_what_the_full_path_gives(
        generated: tuple[Path, Path, dt.date], tmp_path: Path) -> None:
    """Without a rule reading the schedule the process skips it; the text is the full path's,
    on the day of the file and on a day a year later (other lights)."""
    json_file, yaml_file, day = generated
    rules = tmp_path / "plain.rules"
    rules.write_text(PLAIN, encoding="utf-8")
    sources = {str(rules): PLAIN}
    assert not reads_schedule(compile_rulebook(sources))
    for when in (day, day + dt.timedelta(days=365)):
        want = full_path(sources, yaml_file, when)
        found = json.loads(want)["findings"]
        assert len({f["rule"] for f in found}) >= 2
        assert fast_path([rules], yaml_file, when) == want
        assert fast_path([rules], json_file, when) == want


def test_every_spec_example_prints_what_the_full_path_gives(tmp_path: Path) -> None:
    """Each example of rule-language.md that compiles, over the demo portfolio written as a
    file: the same text on the spec tests' second day; some examples light."""
    books, _ = examples()
    portfolio = tmp_path / "demo.json"
    portfolio.write_text(json.dumps(dump_portfolio(demo_portfolio(DAYS[0])), ensure_ascii=False,
                                    default=dt.date.isoformat), encoding="utf-8")
    lit = 0
    for i, book in enumerate(books):
        rules = tmp_path / f"example{i}.rules"
        rules.write_text(book, encoding="utf-8")
        want = full_path({str(rules): book}, portfolio, DAYS[1])
        assert fast_path([rules], portfolio, DAYS[1]) == want, book[:80]
        lit += len(json.loads(want)["findings"])
    assert lit > 0


def test_consume_and_the_cache_of_days_change_no_value(generated: tuple[Path, Path, dt.date]) -> None:
    """The loader's reading (values let go, days from the cache) gives the very portfolio the
    long reading gives, and one object per day."""
    json_file, _, _ = generated
    validation.DAYS.clear()
    data, _ = read_data(json_file)
    slow = parse_portfolio(data, today=_today())
    data, _ = read_data(json_file)
    fast = parse_portfolio(data, today=_today(), consume=True)
    assert fast == slow
    assert all(p is None for p in data["projects"])  # let go
    days = [m.due for p in fast.projects for m in p.milestones if m.due is not None]
    assert len({id(d) for d in days}) == len(set(days)) < len(days)
