"""Contractor schedule benchmark: read and schedule a generated P6 XER of 4,000 activities,
against reading the file alone.

The file is deterministic (seeded): three calendars (a 5-day 8-hour week with a split day and
the Spring Festival and National Day weeks off, a 6-day 10-hour week, a 7-day 24-hour week),
activities in 40 chains that branch and join across chains, FS/SS/FF/SF links with lags and
leads, a tenth of the activities started or finished before the data date and a few
constraints. Prints, best of ``--repeat`` with ``time.perf_counter``:

1. read: ``read_xer`` of the text (the floor: every row parsed, every field converted);
2. read + schedule: ``read_xer`` then ``schedule`` (forward and backward pass, float);
3. the ratio of the two and how many activities the pass produced;
4. with ``--mpp``: an MS Project ``.mpp`` (the vendored 2019 plan, tests/data/mpp) converted by
   MPXJ in its JVM (``api.mpp``, the conversion cache bypassed: every run starts Java), against
   ``read_mspdi`` of the XML that conversion made - what an ``.mpp`` costs over its XML export.
   Needs Java and the ``mpp`` extra.

Run: ``.venv/bin/python benchmarks/bench_schedule_files.py [--activities 4000] [--repeat 3]
[--write FILE.xer] [--mpp]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.timing import best
from projects.contractor import read_xer, schedule

_EPOCH = dt.date(1899, 12, 30)
START = dt.datetime(2026, 3, 2, 8, 0)


def _day(ranges: str, number: int) -> str:
    return f"(0||{number}()({ranges}))"


def _calendar_data(days: dict[int, list[tuple[str, str]]], off: list[dt.date]) -> str:
    week = "".join(_day("".join(f"(0||{i}(s|{a}|f|{b})())" for i, (a, b) in enumerate(days.get(n, []))), n)
                   for n in range(1, 8))
    exc = "".join(f"(0||{i}(d|{(d - _EPOCH).days})())" for i, d in enumerate(off))
    return f"(0||CalendarData()((0||DaysOfWeek()({week}))(0||VIEW(ShowTotal|Y)())(0||Exceptions()({exc}))))"


def generate_xer(activities: int = 4000, seed: int = 17) -> str:
    """The text of a P6 XER export with ``activities`` activities (see the module header)."""
    rng = random.Random(seed)
    holidays = [dt.date(y, m, d) + dt.timedelta(days=k) for y in range(2026, 2036)
                for m, d in ((2, 10), (10, 1)) for k in range(7)]
    split = [("08:00", "12:00"), ("13:00", "17:00")]
    calendars = [
        ("1", "Standard 5 Day", 8, _calendar_data(dict.fromkeys(range(2, 7), split), holidays)),
        ("2", "Six day 10 hours", 10, _calendar_data({n: [("07:00", "17:00")] for n in range(2, 8)},
                                                     holidays[::7])),
        ("3", "24 hours", 24, _calendar_data({n: [("00:00", "00:00")] for n in range(1, 8)}, [])),
    ]
    out = ["ERMHDR\t8.0\t2026-03-01\tProject\tadmin\tbench\tdbxDatabaseNoName\tProject Management\tUSD"]

    def table(name: str, fields: list[str], rows: list[list[str]]) -> None:
        out.append(f"%T\t{name}")
        out.append("%F\t" + "\t".join(fields))
        out.extend("%R\t" + "\t".join(r) for r in rows)

    data_date = START + dt.timedelta(days=60)
    table("PROJECT", ["proj_id", "proj_short_name", "clndr_id", "last_recalc_date", "plan_start_date"],
          [["1", "BENCH", "1", data_date.strftime("%Y-%m-%d %H:%M"), START.strftime("%Y-%m-%d %H:%M")]])
    table("CALENDAR", ["clndr_id", "clndr_name", "day_hr_cnt", "clndr_data"],
          [[c, n, str(h), d] for c, n, h, d in calendars])
    table("SCHEDOPTIONS", ["proj_id", "sched_calendar_on_relationship_lag", "sched_progress_override"],
          [["1", "rcal_Predecessor", "N"]])
    chains = 40
    tasks, links = [], []
    for i in range(activities):
        chain, pos = i % chains, i // chains
        cal = rng.choices(["1", "2", "3"], [8, 3, 1])[0]
        hours = float(rng.choice([0, 8, 16, 24, 40, 80, 120]) if pos else 0)
        status, act_start, act_end, remain = "TK_NotStart", "", "", hours
        if pos < 3 and hours:
            began = START + dt.timedelta(days=pos * 10 + chain % 5)
            act_start = began.strftime("%Y-%m-%d %H:%M")
            if pos < 2:
                status, remain = "TK_Complete", 0.0
                act_end = (began + dt.timedelta(days=7)).strftime("%Y-%m-%d %H:%M")
            else:
                status, remain = "TK_Active", hours / 2
        cstr_type, cstr_date = "", ""
        if rng.random() < 0.01:
            cstr_type = rng.choice(["CS_MSOA", "CS_MEOA", "CS_MSOA"])
            cstr_date = (START + dt.timedelta(days=rng.randrange(100, 900))).strftime("%Y-%m-%d 08:00")
        tasks.append([str(1000 + i), f"A{i:05d}", f"Activity {i}", cal,
                      "TT_Mile" if not hours else "TT_Task", status, str(hours), str(remain),
                      act_start, act_end, cstr_type, cstr_date, "W1"])
        if pos:
            prev = i - chains
            links.append([str(len(links) + 1), str(1000 + i), str(1000 + prev),
                          rng.choices(["PR_FS", "PR_SS", "PR_FF", "PR_SF"], [80, 10, 8, 2])[0],
                          str(rng.choice([0, 0, 0, 8, 16, -8]))])
            if rng.random() < 0.3:
                other = rng.randrange(max(0, i - 3 * chains), i - chains + 1)
                links.append([str(len(links) + 1), str(1000 + i), str(1000 + other), "PR_FS", "0"])
    table("TASK", ["task_id", "task_code", "task_name", "clndr_id", "task_type", "status_code",
                   "target_drtn_hr_cnt", "remain_drtn_hr_cnt", "act_start_date", "act_end_date",
                   "cstr_type", "cstr_date", "wbs_id"], tasks)
    table("TASKPRED", ["task_pred_id", "task_id", "pred_task_id", "pred_type", "lag_hr_cnt"], links)
    out.append("%E")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", help="also write the generated XER to this file")
    parser.add_argument("--mpp", action="store_true", help="also time an .mpp conversion (needs Java)")
    args = parser.parse_args()
    text = generate_xer(args.activities)
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    read_s, sched = best(lambda: read_xer(text, "bench.xer"), args.repeat)
    both_s, rows = best(lambda: schedule(read_xer(text, "bench.xer")), args.repeat)
    critical = sum(r.critical for r in rows)
    print(f"activities {len(sched.activities):,}, links {len(sched.links):,}, "
          f"calendars {len(sched.calendars)}, file {len(text) / 1e6:.2f} MB")
    print(f"read_xer alone        {read_s * 1000:9.1f} ms")
    print(f"read_xer + schedule   {both_s * 1000:9.1f} ms   ({both_s / read_s:.1f} x reading; "
          f"{len(rows):,} activities, {critical:,} critical)")
    print(f"under a second: {'yes' if both_s < 1 else 'NO'}")
    if args.mpp:
        _bench_mpp(args.repeat)


def _bench_mpp(repeat: int) -> None:
    from api import mpp  # noqa: PLC0415
    from projects.contractor import read_mspdi  # noqa: PLC0415

    plan = Path(__file__).resolve().parents[1] / "tests" / "data" / "mpp" / "task-links-project2019-mpp14.mpp"
    data = plan.read_bytes()
    conv_s, xml = best(lambda: mpp._convert([(data, plan.name)])[0], repeat)
    read_s, sched = best(lambda: read_mspdi(xml, plan.name), repeat)
    print(f".mpp ({len(data) / 1e3:.0f} kB, {len(sched.activities)} tasks): MPXJ conversion {conv_s * 1000:9.1f} ms, "
          f"read_mspdi of its XML {read_s * 1000:7.1f} ms ({conv_s / read_s:.0f} x)")


if __name__ == "__main__":
    main()
