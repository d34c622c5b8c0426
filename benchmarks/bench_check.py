"""`duban check --json` as a whole process against its plain-Python floor over the same file.

The floor (``--floor FILE``, run as its own process) is what a person would write by hand for
the five typical checks of ``bench_engine.FIVE``: read the file with the same reader the loader
uses (``yaml_rs`` / ``json``), one loop per rule over the milestones as plain dicts (done =
finished on or before the day, ``+ 10 workdays`` on the same ``WorkCalendar``, ``upstream``
by walking ``after`` within and across projects), print the lit ``(rule, subject, level)`` as
JSON. It validates nothing and explains nothing: the gap to it is what the product's
validation, views and explanations cost.

Run: ``.venv/bin/python benchmarks/bench_check.py [--projects 2000] [--runs 5]``. It writes the
generated portfolio (YAML) and the five rules to a temporary directory, checks that both sides
light the same set, then runs the two processes in turn (A B A B ...) and prints each side's
median wall time and the median of the pairwise ratios (target: check / floor <= 1.5).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _day(v: Any) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(v)


def floor(path: str, as_of: dt.date) -> list[tuple[str, str, str]]:
    """The five checks hand-written over the file's dicts (see the header)."""
    from projects.calendar import WorkCalendar  # noqa: PLC0415

    text = Path(path).read_text(encoding="utf-8")
    if path.endswith(".json"):
        data = json.loads(text)
    else:
        import yaml_rs  # noqa: PLC0415

        data = yaml_rs.loads(text)
    add = WorkCalendar(data.get("calendar", "cn")).add_workdays
    rows = []
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for p in data["projects"]:
        for m in p.get("milestones", ()):
            finished = _day(m.get("finished"))
            row = {"key": (p["id"], m["id"]), "kind": m.get("kind"), "due": _day(m.get("due")),
                   "start": _day(m.get("start")), "updated": _day(m.get("updated")),
                   "done": finished is not None and finished <= as_of,
                   "after": [(p["id"], a) if isinstance(a, str) else
                             (a.get("project", p["id"]), a["id"]) for a in m.get("after", ())]}
            rows.append(row)
            by_key[row["key"]] = row
    out: list[tuple[str, str, str]] = []

    def subject(m: dict[str, Any]) -> str:
        return f"milestone:{m['key'][0]}/{m['key'][1]}"

    for name, kinds in (("tender_overdue", {"tendering"}),
                        ("works_overdue", {"progress", "supervision", "safety"})):
        for m in rows:
            if m["kind"] in kinds and not m["done"] and m["due"] is not None:
                if as_of > add(m["due"], 10):
                    out.append((name, subject(m), "red"))
                elif as_of > m["due"]:
                    out.append((name, subject(m), "yellow"))
    for m in rows:
        if m["kind"] == "contract" and m["done"]:
            seen, todo = set(), list(m["after"])
            while todo:
                k = todo.pop()
                if k in seen or k not in by_key:
                    continue
                seen.add(k)
                u = by_key[k]
                if u["kind"] == "tendering" and not u["done"]:
                    out.append(("contract_before_tender", subject(m), "red"))
                    break
                todo.extend(u["after"])
    for m in rows:
        if not m["done"] and m["start"] is not None and m["start"] <= as_of \
                and m["updated"] is not None and as_of > add(m["updated"], 10):
            out.append(("stale", subject(m), "yellow"))
    for m in rows:
        if not m["done"] and m["due"] is None:
            out.append(("missing_due", subject(m), "yellow"))
    return out


def _run(cmd: list[str]) -> tuple[float, str]:
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return time.perf_counter() - t, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--floor", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--as-of", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        lit = floor(args.floor, dt.date.fromisoformat(args.as_of))
        sys.stdout.write(json.dumps([list(x) for x in lit], ensure_ascii=False))
        return
    import warnings  # noqa: PLC0415

    from benchmarks.bench_engine import FIVE  # noqa: PLC0415
    from benchmarks.generate import TODAY, generate, write  # noqa: PLC0415

    warnings.simplefilter("ignore")
    tmp = Path(tempfile.mkdtemp(prefix="bench_check_"))
    portfolio, rules = tmp / "p.yaml", tmp / "five.rules"
    write(generate(args.projects, 20, today=TODAY), portfolio)
    rules.write_text(FIVE, encoding="utf-8")
    day = TODAY.isoformat()
    check = [str(ROOT / ".venv" / "bin" / "duban"), "check", str(portfolio), "--json",
             "--as-of", day, "--rules", str(rules)]
    hand = [sys.executable, str(Path(__file__).resolve()), "--floor", str(portfolio),
            "--as-of", day]
    _, a = _run(check)
    _, b = _run(hand)
    got = {(f["rule"], f["subject"], f["level"]) for f in json.loads(a)["findings"]}
    want = {tuple(x) for x in json.loads(b)}
    assert got == want, f"check and floor disagree: {len(got ^ want)} differ"
    t_check, t_floor, ratios = [], [], []
    for _ in range(args.runs):
        tc, _ = _run(check)
        tf, _ = _run(hand)
        t_check.append(tc)
        t_floor.append(tf)
        ratios.append(tc / tf)
    print(f"duban check --json, {args.projects * 20:,} milestones ({portfolio.stat().st_size / 1e6:.1f} "
          f"MB YAML), five typical rules, {len(got):,} findings, whole process, {args.runs} "
          "paired runs")
    print(f"   duban check   median {statistics.median(t_check):6.2f} s")
    print(f"   plain floor   median {statistics.median(t_floor):6.2f} s")
    print(f"   check / floor median of pairs {statistics.median(ratios):.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
