"""`duban schedule FILE [--json]`: read a contractor's P6 XER, MS Project XML or .mpp file, compute its critical path
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


def report(path: Path, loaded: tuple[Any, ...] | None = None) -> dict[str, Any]:
    """The ``--json`` document for the schedule file at ``path`` (or its ``loaded`` schedule
    and rows, see :func:`_load`); raises ScheduleFileError."""
    sched, computed = loaded or _load(path)
    rows, compared, equal, free_compared, free_equal = [], 0, 0, 0, 0
    has_baseline = sched.baseline != "none"
    for c in computed:
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
                     "free_float_hours": c.free_float_hours, "file_free_float_hours": file_ff,
                     **_baseline(sched.calendars[c.activity.calendar], c, has_baseline)})
    zh, en = sched.baseline_statement()
    return {"data_date": _iso(sched.status_date or sched.data_date),
            "baseline": {"source": sched.baseline, "zh": zh, "en": en}, "activities": rows,
            "agreement": {"compared": compared, "equal": equal},
            "free_float_agreement": {"compared": free_compared, "equal": free_equal}}


def _baseline(cal: Any, c: Any, has_baseline: bool) -> dict[str, Any]:
    """An activity's baseline start and finish and its slip: working days (of its calendar)
    from the baseline finish to the computed early finish (negative: ahead); None without a
    baseline (the file's, or the activity's when it was added after the baseline)."""
    a = c.activity
    start, finish = (a.baseline_start, a.baseline_finish) if has_baseline else (None, None)
    slip = None if finish is None else round(cal.work_minutes(finish, c.early_finish) / 60
                                             / (cal.hours_per_day or 8.0), 2)
    return {"baseline_start": start and _iso(start), "baseline_finish": finish and _iso(finish),
            "baseline_slip_working_days": slip}


def _load(*paths: Path) -> tuple[Any, ...]:
    """Each file's schedule and computed rows, flattened: ``(sched, rows, sched, rows ...)``;
    the ``.mpp`` among them converted together in one JVM (``api.mpp``)."""
    from api.mpp import read_files  # noqa: PLC0415
    from projects.contractor import schedule  # noqa: PLC0415

    scheds = read_files([(p.read_bytes(), p.name) for p in paths])
    return tuple(x for s in scheds for x in (s, schedule(s)))


def dcma_report(path: Path, loaded: tuple[Any, ...] | None = None) -> list[dict[str, Any]]:
    """The DCMA-14 checks of the file at ``path`` (or its ``loaded`` schedule and rows) as
    JSON-ready rows."""
    from projects.contractor.dcma import assess  # noqa: PLC0415

    sched, rows = loaded or _load(path)
    return [{"number": c.number, "key": c.key, "zh": c.zh, "en": c.en, "count": c.count,
             "total": c.total, "value": c.value, "threshold": c.threshold, "passed": c.passed,
             "offenders": list(c.offenders)} for c in assess(sched, rows)]


def compare_report(old: Path, new: Path) -> dict[str, Any]:
    from projects.contractor.compare import compare  # noqa: PLC0415

    return compare(*_load(old, new))


def _print_dcma(checks: list[dict[str, Any]], baseline: dict[str, str]) -> None:
    print("DCMA 十四项检查 / DCMA 14-point assessment")
    print(f"{baseline['zh']} / {baseline['en']}")
    for c in checks:
        value = "—" if c["value"] is None else (f"{c['value']:.1%}" if c["number"] not in (12, 13, 14)
                                                 else f"{c['value']:g}")
        mark = "通过 pass" if c["passed"] else "未通过 FAIL"
        who = f"  {', '.join(c['offenders'][:8])}{' …' if len(c['offenders']) > 8 else ''}" if c["offenders"] else ""
        print(f"{c['number']:>2} {c['zh']} / {c['en']}: {c['count']}/{c['total']} = {value}"
              f"（阈值 threshold {c['threshold']}）{mark}{who}")


def _print_compare(doc: dict[str, Any]) -> None:
    print(f"旧 old: {doc['old']['name']} 数据日期 {doc['old']['data_date']} 完成 finish {doc['old']['finish']}")
    print(f"新 new: {doc['new']['name']} 数据日期 {doc['new']['data_date']} 完成 finish {doc['new']['finish']}")
    print(f"项目完成推迟 / project finish slip: {doc['finish_slip_working_days']} 工作日 working days")
    print(f"新增作业 / added: {', '.join(a['id'] for a in doc['added']) or '无 none'}")
    print(f"删除作业 / removed: {', '.join(a['id'] for a in doc['removed']) or '无 none'}")
    print("完成推迟 / finishes that slipped:")
    for x in doc["slipped"]:
        print(f"  {x['id']} {x['name']}: {x['old_finish']} → {x['new_finish']} ({x['working_days']:+g} 工作日 days)")
    print("浮时减少 / float eroded:")
    for x in doc["float_eroded"]:
        print(f"  {x['id']} {x['name']}: {x['old_float_days']:g} → {x['new_float_days']:g} 工作日 days")
    cp = doc["critical_path"]
    print(f"关键路径（原）/ critical path was: {' → '.join(cp['was'])}")
    print(f"关键路径（现）/ critical path is: {' → '.join(cp['is'])}")


#: How many activities each list of an import's compare prints (the rest are counted).
SHOWN = 20


def import_compare_lines(cmp: dict[str, Any]) -> list[str]:
    """What ``duban import`` prints of a re-import's compare (``importer.compare_imports``):
    forecast finishes that slipped and by how many working days, float eroded, milestones
    added and removed, the critical path before and after; in the command line's language."""
    from api.commands.lang import say  # noqa: PLC0415

    def listed(items: list[Any], line: Any) -> list[str]:
        out = [line(x) for x in items[:SHOWN]]
        if len(items) > SHOWN:
            out.append(say(f"    …… 另有 {len(items) - SHOWN} 项", f"    ... {len(items) - SHOWN} more"))
        return out

    none = say("无", "none")
    lines = [say("与上一次导入对比（按文件重新计算的进度计划）：",
                 "Compared with the last import (the schedule as computed from the file):")]
    lines.append(say(f"  预测完成推迟：{len(cmp['slipped'])} 项", f"  forecast finishes that slipped: {len(cmp['slipped'])}"))
    lines += listed(cmp["slipped"], lambda x: say(
        f"    {x['id']} {x['name']}：{x['old']} → {x['new']}，推迟 {x['working_days']} 个工作日",
        f"    {x['id']} {x['name']}: {x['old']} -> {x['new']}, {x['working_days']} working days later"))
    if cmp.get("float_recorded", True):
        lines.append(say(f"  总时差减少：{len(cmp['eroded'])} 项", f"  float eroded: {len(cmp['eroded'])}"))
        lines += listed(cmp["eroded"], lambda x: say(
            f"    {x['id']} {x['name']}：总时差 {x['old']:g} → {x['new']:g} 个工作日，减少 {x['eroded']:g}",
            f"    {x['id']} {x['name']}: total float {x['old']:g} -> {x['new']:g} working days, {x['eroded']:g} lost"))
    else:
        lines.append(say("  总时差减少：上一次导入未记录总时差（较早版本导入），无法比较",
                         "  float eroded: the last import recorded no float (an older version), not compared"))
    lines.append(say(f"  新增节点：{'、'.join(cmp['added']) or none}", f"  added: {', '.join(cmp['added']) or none}"))
    lines.append(say(f"  文件中已删除（保留）：{'、'.join(cmp['removed']) or none}",
                     f"  removed from the file (kept): {', '.join(cmp['removed']) or none}"))
    if cmp.get("critical_recorded", True):
        lines.append(say(f"  原关键路径：{' → '.join(cmp['critical_was']) or none}",
                         f"  critical path was: {' -> '.join(cmp['critical_was']) or none}"))
    else:
        lines.append(say("  原关键路径：上一次导入未记录（较早版本导入）",
                         "  critical path was: not recorded by the last import (an older version)"))
    lines.append(say(f"  现关键路径：{' → '.join(cmp['critical_now']) or none}",
                     f"  critical path is: {' -> '.join(cmp['critical_now']) or none}"))
    return lines


def _run(args: argparse.Namespace) -> int:
    from projects.contractor import ScheduleFileError  # noqa: PLC0415

    files = list(args.file)
    comparing = files[0] == "compare" and len(files) == 3
    if comparing:
        files = files[1:]
    elif len(files) != 1:
        print("用法 / usage: duban schedule FILE [--json] [--dcma] | duban schedule compare OLD NEW [--json]",
              file=sys.stderr)
        return 2
    for f in files:
        if not Path(f).is_file():
            print(f"{f}: 文件不存在 / no such file", file=sys.stderr)
            return 1
    try:
        if comparing:
            doc = compare_report(Path(files[0]), Path(files[1]))
        else:
            loaded = _load(Path(files[0]))
            doc = report(Path(files[0]), loaded)
            if args.dcma:
                doc["dcma"] = dcma_report(Path(files[0]), loaded)
    except ScheduleFileError as exc:
        print(f"文件被拒绝 / file refused: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    if comparing:
        _print_compare(doc)
        return 0
    if args.dcma:
        _print_dcma(doc["dcma"], doc["baseline"])
        return 0
    print(f"数据日期 / data date: {doc['data_date']}")
    print(f"{doc['baseline']['zh']} / {doc['baseline']['en']}")
    print("作业 / id\t最早开始 ES\t最早完成 EF\t最晚开始 LS\t最晚完成 LF\t总浮时 TF(h)\t文件 TF(h)\t关键 critical"
          "\t基线完成 BL finish\t推迟 slip(d)")
    for r in doc["activities"]:
        file_tf = "" if r["file_total_float_hours"] is None else f"{r['file_total_float_hours']:g}"
        slip = "" if r["baseline_slip_working_days"] is None else f"{r['baseline_slip_working_days']:+g}"
        print(f"{r['id']}\t{r['early_start']}\t{r['early_finish']}\t{r['late_start']}\t"
              f"{r['late_finish']}\t{r['total_float_hours']:g}\t{file_tf}\t"
              f"{'是 yes' if r['critical'] else ''}\t{r['baseline_finish'] or ''}\t{slip}")
    agree = doc["agreement"]
    print(f"总浮时一致 / total float agrees: {agree['equal']} / {agree['compared']}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`duban schedule`."""
    cmd = subparsers.add_parser(
        "schedule", help="计算承包商进度计划的关键路径、DCMA 检查与两次更新对比 / a contractor's schedule: "
                         "critical path, DCMA-14, two updates compared (P6 XER, MS Project XML, .mpp)",
        description="读取 P6 XER、MS Project XML（MSPDI）或 .mpp（经 MPXJ 转换，需要 Java）文件，按其日历、逻辑关系与数据日期计算"
                    "最早/最晚日期与总浮时，并与文件自带的值比较；--dcma 给出 DCMA 十四项检查；"
                    "compare OLD NEW 对比两次更新。Read a P6 XER, MS Project XML or .mpp (converted by MPXJ, "
                    "needs Java) file and compute "
                    "early/late dates and total float beside the file's own; --dcma: the DCMA-14 "
                    "assessment; compare OLD NEW: two updates side by side.")
    cmd.add_argument("file", metavar="FILE", nargs="+",
                     help="P6 XER、MS Project XML 或 .mpp 文件；或 compare OLD NEW / a .xer, .xml or .mpp file, or compare OLD NEW")
    cmd.add_argument("--json", action="store_true", help="以 JSON 输出 / print JSON")
    cmd.add_argument("--dcma", action="store_true", help="DCMA 十四项检查 / the DCMA-14 assessment")
    cmd.set_defaults(handler=_run)
