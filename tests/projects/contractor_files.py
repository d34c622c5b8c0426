"""The shared schedule files (read in place) and a way to make "next month's" XER from one:
change fields of activities, drop activities (and their links), add copies of activities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "schedules"
if not DATA.is_dir():
    DATA = Path("/work/shared/data/schedules")


def xer_text(name: str) -> str:
    return (DATA / name).read_bytes().decode("cp1252")


def edit_xer(text: str, *, change: Mapping[str, Mapping[str, str]] | None = None,
             drop: Sequence[str] = (), add: Sequence[tuple[str, str, str]] = ()) -> str:
    """``text`` with TASK rows changed (``{task_code: {field: value}}``), dropped (by
    task_code, with the TASKPRED rows that name them) and added (``(copy_of, new_code,
    new_name)``: a copy of an activity with a new task_id, linked after the one it copies)."""
    lines = text.splitlines()
    table, fields = "", []
    dropped_ids: set[str] = set()
    code_to_id: dict[str, str] = {}
    out: list[str] = []
    added_rows: list[str] = []
    for raw in lines:
        line, cells = raw, raw.split("\t")
        if cells[0] == "%T":
            if table == "TASK" and added_rows:
                out.extend(added_rows)
            table = cells[1].strip()
        elif cells[0] == "%F":
            fields = cells[1:]
        elif cells[0] == "%R" and table == "TASK":
            row = dict(zip(fields, cells[1:], strict=False))
            code_to_id[row["task_code"]] = row["task_id"]
            if row["task_code"] in drop:
                dropped_ids.add(row["task_id"])
                continue
            row.update((change or {}).get(row["task_code"], {}))
            line = "%R\t" + "\t".join(row.get(f, "") for f in fields)
            for n, (copy_of, code, name) in enumerate(add):
                if copy_of == row["task_code"]:
                    new = {**row, "task_id": str(990000 + n), "task_code": code, "task_name": name}
                    added_rows.append("%R\t" + "\t".join(new.get(f, "") for f in fields))
        elif cells[0] == "%R" and table == "TASKPRED":
            row = dict(zip(fields, cells[1:], strict=False))
            if row["task_id"] in dropped_ids or row["pred_task_id"] in dropped_ids:
                continue
        out.append(line)
        if cells[0] == "%F" and table == "TASKPRED":
            for n, (copy_of, _code, _name) in enumerate(add):
                pred = code_to_id[copy_of]
                out.append("%R\t" + "\t".join({"task_pred_id": str(880000 + n), "task_id": str(990000 + n),
                                               "pred_task_id": pred, "pred_type": "PR_FS",
                                               "lag_hr_cnt": "0"}.get(f, "") for f in fields))
    return "\n".join(out) + "\n"
