"""`duban schedule FILE [--json]`: read a contractor's P6 XER or MS Project XML file, compute its critical path
and print each activity's dates and total float beside the file's own, and how many agree.

This is the edge: it reads the file and prints; :mod:`projects.contractor` does the work.
Exit status: 0 ran, 1 the file refused (what and where on stderr).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

#: Hours within which a computed total float agrees with the file's (P6 rounds to the hour).
TOLERANCE_HOURS = 1.0


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="minutes")


def report(path: Path) -> dict[str, Any]:
    """The ``--json`` document for the schedule file at ``path``; raises ScheduleFileError."""
    from projects.contractor import read_schedule, schedule  # noqa: PLC0415

    sched = read_schedule(path.read_bytes(), path.name)
    rows, compared, equal, free_compared, free_equal = [], 0, 0, 0, 0
    for c in schedule(sched):
        file_tf, file_ff = c.activity.file_total_float_hours, c.activity.file_free_float_hours
        if file_tf is not None:
            compared += 1
            equal += abs(file_tf - c.total_float_hours) <= TOLERANCE_HOURS
        if file_ff is not None:
            free_compared += 1
            free_equal += abs(file_ff - c.free_float_hours) <= TOLERANCE_HOURS
        rows.append({"id": c.activity.id, "name": c.activity.name,
                     "early_start": _iso(c.early_start), "early_finish": _iso(c.early_finish),
                     "late_start": _iso(c.late_start), "late_finish": _iso(c.late_finish),
                     "total_float_hours": c.total_float_hours,
                     "file_total_float_hours": file_tf, "critical": c.critical,
                     "free_float_hours": c.free_float_hours, "file_free_float_hours": file_ff})
    return {"data_date": _iso(sched.status_date or sched.data_date), "activities": rows,
            "agreement": {"compared": compared, "equal": equal},
            "free_float_agreement": {"compared": free_compared, "equal": free_equal}}


def _run(args: argparse.Namespace) -> int:
    from projects.contractor import ScheduleFileError  # noqa: PLC0415

    path = Path(args.file)
    if not path.is_file():
        print(f"{args.file}: 文件不存在 / no such file", file=sys.stderr)
        return 1
    try:
        doc = report(path)
    except ScheduleFileError as exc:
        print(f"文件被拒绝 / file refused: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    print(f"数据日期 / data date: {doc['data_date']}")
    print("作业 / id\t最早开始 ES\t最早完成 EF\t最晚开始 LS\t最晚完成 LF\t总浮时 TF(h)\t文件 TF(h)\t关键 critical")
    for r in doc["activities"]:
        file_tf = "" if r["file_total_float_hours"] is None else f"{r['file_total_float_hours']:g}"
        print(f"{r['id']}\t{r['early_start']}\t{r['early_finish']}\t{r['late_start']}\t"
              f"{r['late_finish']}\t{r['total_float_hours']:g}\t{file_tf}\t"
              f"{'是 yes' if r['critical'] else ''}")
    agree = doc["agreement"]
    print(f"总浮时一致 / total float agrees: {agree['equal']} / {agree['compared']}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`duban schedule`."""
    cmd = subparsers.add_parser(
        "schedule", help="计算承包商进度计划的关键路径 / compute a contractor's schedule (P6 XER, MS Project XML)",
        description="读取 P6 XER 或 MS Project XML（MSPDI）文件，按其日历、逻辑关系与数据日期计算"
                    "最早/最晚日期与总浮时，并与文件自带的值比较。Read a P6 XER or MS Project XML "
                    "file, compute early/late dates and total float with its calendars, links and "
                    "data date, beside the file's own.")
    cmd.add_argument("file", metavar="FILE", help="P6 XER 或 MS Project XML 文件 / a .xer or .xml file")
    cmd.add_argument("--json", action="store_true", help="以 JSON 输出 / print JSON")
    cmd.set_defaults(handler=_run)
