"""PSPLIB single-mode instances validate ``cpm`` and the date schedule built on the same passes.

The archives in ``../shared/data/psplib`` (beside the checkout; ``DUBAN_SHARED_DATA``
overrides) are read in place (``zipfile``, never extracted): all 2,040 instances of j30, j60, j90 and j120. The critical path length (MPM time, the
precedence-only makespan) must equal ``cpm_lengths.csv``; no known resource-constrained makespan
(``j30opt.sm``: all 480 optima; the upper and lower bounds of ``j*lb.sm``, which list 410 of j60,
445 of j90 and 184 of j120) may be shorter. A few instances are
also mapped to real milestones on the ``cn`` calendar and scheduled with ``compute_schedule``.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from projects.calendar import WorkCalendar
from projects.model import Category, Dependency, Kind, Milestone, Portfolio, Project
from projects.schedule import CPM, compute_schedule, cpm

# The reference data sits beside the checkout (``../shared/data``), never copied into it.
DATA = (
    Path(os.environ["DUBAN_SHARED_DATA"])
    if "DUBAN_SHARED_DATA" in os.environ
    else Path(__file__).resolve().parents[2].parent / "shared" / "data"
) / "psplib"
SETS = ("j30", "j60", "j90", "j120")


@dataclass(frozen=True, slots=True)
class Instance:
    """One single-mode RCPSP instance: durations and successors per job, and its MPM time."""

    name: str
    durations: dict[int, int]
    successors: dict[int, tuple[int, ...]]
    mpm_time: int

    def edges(self) -> list[tuple[int, int, int]]:
        return [(a, b, 0) for a, bs in self.successors.items() for b in bs]


def parse_sm(name: str, text: str) -> Instance:
    """The jobs, precedence and durations of a PSPLIB ``.sm`` file."""
    lines = text.splitlines()

    def section(title: str) -> list[str]:
        start = next(i for i, line in enumerate(lines) if line.startswith(title))
        out = []
        for line in lines[start + 1:]:
            if line.startswith("*"):
                break
            out.append(line)
        return out

    info = section("PROJECT INFORMATION:")
    mpm_time = int(info[1].split()[-1])
    successors: dict[int, tuple[int, ...]] = {}
    for line in section("PRECEDENCE RELATIONS:")[1:]:
        fields = [int(x) for x in line.split()]
        if fields:
            job, _modes, count, *succ = fields
            assert len(succ) == count, f"{name}: job {job} lists {len(succ)} of {count}"
            successors[job] = tuple(succ)
    durations: dict[int, int] = {}
    for line in section("REQUESTS/DURATIONS:")[2:]:  # header and dashes
        fields = [int(x) for x in line.split()]
        if fields:
            durations[fields[0]] = fields[2]
    assert set(durations) == set(successors), name
    return Instance(name, durations, successors, mpm_time)


@cache
def instances(which: str) -> tuple[Instance, ...]:
    with zipfile.ZipFile(DATA / f"{which}.sm.zip") as z:
        return tuple(parse_sm(n, z.read(n).decode("ascii")) for n in sorted(z.namelist())
                     if n.endswith(".sm"))


@cache
def expected_lengths() -> dict[str, int]:
    with (DATA / "cpm_lengths.csv").open(newline="") as f:
        return {row["instance"]: int(row["mpm_time"]) for row in csv.DictReader(f)}


def _bounds_file(which: str) -> Path:
    return DATA / ("j30opt.sm" if which == "j30" else f"{which}lb.sm")


def known_makespans(which: str) -> dict[str, list[int]]:
    """Instance name -> resource-constrained makespans known for it (optimum, or UB and LB)."""
    path = _bounds_file(which)
    if which == "j30":  # Par Inst Makespan CPU-time
        row = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+\d+\.\d+\s*$")
    else:  # Par Inst UB LB [*] [author]
        row = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\b")
    out: dict[str, list[int]] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        if m := row.match(line):
            par, inst, *spans = m.groups()
            out[f"{which}{par}_{inst}.sm"] = [int(s) for s in spans if s is not None]
    return out


def test_every_instance_is_there() -> None:
    """The four archives hold the 2,040 instances that ``cpm_lengths.csv`` lists."""
    names = {i.name for which in SETS for i in instances(which)}
    assert len(names) == 2040
    assert names == set(expected_lengths())


@pytest.mark.parametrize("which", SETS)
def test_cpm_length_equals_the_mpm_time_of_every_instance(which: str) -> None:
    """The critical path length of every instance is the published MPM time."""
    expected = expected_lengths()
    wrong = []
    for inst in instances(which):
        r = cpm(inst.durations, inst.edges())
        if r.length != expected[inst.name] or r.length != inst.mpm_time:
            wrong.append((inst.name, r.length, expected[inst.name]))
    assert wrong == []


def _float_problems(inst: Instance, r: CPM[int]) -> list[str]:
    problems = []
    for job, d in inst.durations.items():
        tf = r.total_float[job]
        if tf != r.late_start[job] - r.early_start[job] or tf < 0:
            problems.append(f"{inst.name} job {job}: float {tf}")
        if r.early_finish[job] != r.early_start[job] + d:
            problems.append(f"{inst.name} job {job}: early finish")
        for succ in inst.successors[job]:
            if r.early_start[succ] < r.early_finish[job]:
                problems.append(f"{inst.name} {job}->{succ}: precedence broken")
    if any(r.total_float[j] != 0 for j in r.critical) or not r.critical:
        problems.append(f"{inst.name}: critical jobs with float")
    # the critical jobs hold a chain from the first job to the last of length `length`
    if sum(inst.durations[j] for j in _critical_chain(inst, r)) != r.length:
        problems.append(f"{inst.name}: no critical chain of the full length")
    return problems


def _critical_chain(inst: Instance, r: CPM[int]) -> list[int]:
    job, chain = min(inst.durations), []
    while True:
        chain.append(job)
        nxt = [s for s in inst.successors[job]
               if s in r.critical and r.early_start[s] == r.early_finish[job]]
        if not nxt:
            return chain
        job = nxt[0]


@pytest.mark.parametrize("which", SETS)
def test_floats_and_critical_jobs_of_every_instance(which: str) -> None:
    """Float = late start - early start >= 0, critical jobs have none and form a full chain."""
    problems = []
    for inst in instances(which):
        problems += _float_problems(inst, cpm(inst.durations, inst.edges()))
    assert problems == []


@pytest.mark.parametrize("which", SETS)
def test_no_known_makespan_is_below_the_critical_path(which: str) -> None:
    """Resources can only lengthen a schedule: every optimum and bound is >= the CPM length."""
    spans = known_makespans(which)
    rows = [line for line in _bounds_file(which).read_text(encoding="latin-1").splitlines()
            if re.match(r"^\s*\d+\s+\d+\s+\d+", line)]
    assert len(spans) == len(rows) >= (480 if which == "j30" else 150)  # every row read
    lengths = {i.name: cpm(i.durations, i.edges()).length for i in instances(which)}
    below = [(name, s, lengths[name]) for name, ss in spans.items() for s in ss
             if s < lengths[name]]
    assert below == []


CN = WorkCalendar("cn")
PROJECT_START = dt.date(2025, 9, 1)  # a Monday; the schedules cross National Day 2025
SAMPLE = ("j301_1.sm", "j3048_10.sm", "j601_1.sm", "j9045_5.sm", "j1201_1.sm", "j12060_10.sm")


def as_portfolio(inst: Instance, r: CPM[int]) -> Portfolio:
    """Each job a milestone on its early schedule from ``PROJECT_START`` (working days)."""
    base = CN.index(PROJECT_START)
    preds: dict[int, list[int]] = {j: [] for j in inst.durations}
    for a, bs in inst.successors.items():
        for b in bs:
            preds[b].append(a)
    pid = inst.name.removesuffix(".sm")
    ms = tuple(
        Milestone(pid, f"job{j}", f"job {j}", Kind.PROGRESS,
                  start=CN.date_at(base + r.early_start[j] + 1),
                  due=CN.date_at(base + r.early_finish[j]),
                  after=tuple(Dependency(f"job{p}") for p in preds[j]))
        for j in sorted(inst.durations))
    return Portfolio(projects=(Project(pid, pid, Category.PROJECT, "u", milestones=ms),))


@pytest.mark.parametrize("name", SAMPLE)
def test_the_date_schedule_reproduces_cpm_on_real_milestones(name: str) -> None:
    """Jobs as milestones: same length in working days, same floats, same critical jobs."""
    inst = next(i for which in SETS for i in instances(which) if i.name == name)
    r = cpm(inst.durations, inst.edges())
    pf = as_portfolio(inst, r)
    pid = name.removesuffix(".sm")
    s = compute_schedule(pf, CN, PROJECT_START - dt.timedelta(days=3))
    assert CN.workdays(PROJECT_START, s.project(pid).forecast) == r.length
    for j, d in inst.durations.items():
        m = s.milestone((pid, f"job{j}"))
        assert m.duration == d
        assert m.float == r.total_float[j]
        assert m.critical == (j in r.critical)
    assert set(s.project(pid).critical_path) == {f"job{j}" for j in r.critical}


@pytest.mark.parametrize("name", SAMPLE[:3])
def test_a_late_first_job_shifts_every_forecast(name: str) -> None:
    """The first job still open 3 workdays after the start: every forecast moves 3 days."""
    inst = next(i for which in SETS for i in instances(which) if i.name == name)
    r = cpm(inst.durations, inst.edges())
    pf = as_portfolio(inst, r)
    pid = name.removesuffix(".sm")
    base = CN.index(PROJECT_START)
    s = compute_schedule(pf, CN, CN.date_at(base + 3))
    assert CN.workdays(PROJECT_START, s.project(pid).forecast) == r.length + 3
    for j in inst.durations:
        m = s.milestone((pid, f"job{j}"))
        assert m.forecast == CN.date_at(base + r.early_finish[j] + 3)
        assert m.float == r.total_float[j] - 3
