"""A deterministic generator of a realistic portfolio, for benchmarks and load tests.

``generate(projects=2000, milestones=20, seed=7, today=2026-11-23)`` returns the plain dict of a
portfolio file (portfolio-format.md; dates as ``datetime.date``): a unit tree (city government,
departments, districts, contractors), projects whose milestone graphs fan out and in
(approval -> tendering -> contract -> parallel progress / funds / supervision / safety branches
-> completion), a few cross-project dependencies (always on an earlier project, so no cycle),
a mix of done, late and open milestones relative to ``today``, money, progress, report dates and
some notices. Same arguments, same portfolio. ``generate_portfolio(...)`` returns it checked,
as a ``projects.model.Portfolio``.

    python benchmarks/generate.py --projects 2000 --milestones 20 --out /tmp/p.json
    python benchmarks/generate.py --out /tmp/p.yaml     # YAML by suffix
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projects.model import Portfolio

TODAY = dt.date(2026, 11, 23)

# id, name, kind, predecessors, planned calendar days, explicit start?
TEMPLATE: list[tuple[str, str, str, tuple[str, ...], int, bool]] = [
    ("approval", "立项批复", "approval", (), 30, False),
    ("land", "用地预审", "approval", ("approval",), 40, False),
    ("design", "初步设计批复", "approval", ("approval",), 60, True),
    ("tender", "施工招标", "tendering", ("land", "design"), 45, True),
    ("sup_tender", "监理招标", "tendering", ("design",), 35, True),
    ("contract", "施工合同签订", "contract", ("tender",), 15, False),
    ("sup_contract", "监理合同签订", "contract", ("sup_tender",), 15, False),
    ("pay1", "首期资金拨付", "funds", ("contract",), 30, False),
    ("build1", "基础工程", "progress", ("contract",), 120, True),
    ("safety1", "开工安全检查", "safety", ("contract",), 20, False),
    ("sup1", "监理进场", "supervision", ("sup_contract", "contract"), 20, False),
    ("build2", "主体工程", "progress", ("build1",), 180, True),
    ("pay2", "二期资金拨付", "funds", ("build1",), 30, False),
    ("sup2", "中期监理报告", "supervision", ("build1", "sup1"), 30, False),
    ("safety2", "主体安全检查", "safety", ("build2",), 15, False),
    ("build3", "附属工程", "progress", ("build2",), 90, True),
    ("pay3", "三期资金拨付", "funds", ("build2",), 30, False),
    ("acceptance", "竣工验收", "completion", ("build3", "pay3", "safety2", "sup2"), 30, False),
    ("final_pay", "结算资金拨付", "funds", ("acceptance",), 45, False),
    ("handover", "移交使用", "completion", ("acceptance",), 20, False),
]

DEPARTMENTS = [
    ("transport", "市交通运输局"), ("housing", "市住房和城乡建设局"), ("water", "市水务局"),
    ("education", "市教育局"), ("health", "市卫生健康委员会"), ("culture", "市文化广电旅游局"),
    ("industry", "市工业和信息化局"), ("commerce", "市商务局"), ("ecology", "市生态环境局"),
    ("resources", "市自然资源和规划局"), ("agriculture", "市农业农村局"), ("emergency", "市应急管理局"),
]
DISTRICTS = ["海东区", "城北区", "城南区", "西湖区", "高新区", "经开区", "临江县", "北山县"]
WORKS = ["道路改造工程", "污水管网工程", "学校建设项目", "医院扩建项目", "产业园基础设施",
         "河道综合治理", "保障性住房项目", "文化中心建设", "物流园区工程", "智慧城市平台"]
TASKS = ["营商环境优化", "政务服务提速", "招商引资专项", "安全生产整治", "生态环境督察整改"]


def _units(rng: random.Random) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    units: list[dict[str, Any]] = [{"id": "city", "name": "市人民政府", "level": "city"}]
    owners: list[str] = []
    for uid, name in DEPARTMENTS:
        units.append({"id": uid, "name": name, "parent": "city", "level": "department",
                      "contacts": [f"mailto://{uid}@gov.example"]})
        owners.append(uid)
    for k, district in enumerate(DISTRICTS):
        did = f"district{k + 1}"
        units.append({"id": did, "name": f"{district}人民政府", "parent": "city",
                      "level": "county"})
        for uid, name in rng.sample(DEPARTMENTS, 3):
            sub = f"{did}-{uid}"
            units.append({"id": sub, "name": f"{district}{name[1:]}", "parent": did,
                          "level": "department"})
            owners.append(sub)
    contractors = []
    for k in range(40):
        cid = f"contractor{k + 1:02d}"
        units.append({"id": cid, "name": f"第{k + 1}建设工程有限公司", "level": "enterprise"})
        contractors.append(cid)
    return units, owners, contractors


def _template(milestones: int) -> list[tuple[str, str, str, tuple[str, ...], int, bool]]:
    """The first ``milestones`` template rows; past 20, more build stages before acceptance."""
    if milestones <= len(TEMPLATE):
        return TEMPLATE[:milestones]
    rows = TEMPLATE[:-3]
    last = "build3"
    for k in range(milestones - len(TEMPLATE)):
        mid = f"build{4 + k}"
        rows.append((mid, f"追加工程{k + 1}", "progress", (last,), 60, True))
        last = mid
    acc = TEMPLATE[-3]
    rows.append((acc[0], acc[1], acc[2], (*acc[3], last), acc[4], acc[5]))
    rows.extend(TEMPLATE[-2:])
    return rows


#: The share of the budget each funds milestone pays, in template order (the rest: equal parts).
PAY_SHARES = {"pay1": 0.2, "pay2": 0.3, "pay3": 0.3, "final_pay": 0.2}

#: How projects run: most on plan, some a little behind, a few with a stage that slipped badly
#: (its lateness carries through every milestone after it). Shares of projects.
ON_PLAN, BEHIND = 0.89, 0.07  # the rest (4%) have a late chain

#: Anomalies a supervision office exists to catch, each in a small share of projects.
ANOMALY = {
    "tender_unreported": 0.012,  # contract signed, tender never reported done
    "paid_early": 0.008,  # first payment made before the contracts were signed
    "advance": 0.04,  # the second payment made in full while the foundations are under way
    "supervision_skipped": 0.02,  # completed while the mid-term supervision report is missing
    "short_bid": 0.01,  # tender window shorter than the legal 20 days
    "slow_contract": 0.02,  # contract signed more than 30 days after the award
    "no_amount": 0.01,  # a funds milestone without its planned amount
}


def generate(projects: int = 2000, milestones: int = 20, *, seed: int = 7,
             today: dt.date = TODAY) -> dict[str, Any]:
    """The portfolio-file dict of ``projects`` x ``milestones`` (see the module header)."""
    rng = random.Random(seed)
    units, owners, contractors = _units(rng)
    rows = _template(milestones)
    out_projects: list[dict[str, Any]] = []
    notices: list[dict[str, Any]] = []
    for p in range(projects):
        pid = f"P{p + 1:05d}"
        task = rng.random() < 0.1
        name = (rng.choice(TASKS) if task else rng.choice(DISTRICTS) + rng.choice(WORKS)) + \
            f"（{p + 1}）"
        budget = rng.randrange(5, 500) * 1_000_000
        owner = rng.choice(owners)
        start = today - dt.timedelta(days=rng.randrange(-200, 900))
        anomalies = {a for a, share in ANOMALY.items() if rng.random() < share}
        items = _milestones(rng, rows, p, start, budget, anomalies, contractors, today)
        for m in items:
            _notices_about(rng, notices, (pid, m), owner, today)
        out_projects.append({"id": pid, "name": name, "category": "task" if task else "project",
                             "unit": owner, "budget": budget, "milestones": items})
    return {"calendar": "cn", "timezone": "Asia/Shanghai", "units": units,
            "projects": out_projects, "notices": notices}


def _milestones(rng: random.Random, rows: list[tuple[str, str, str, tuple[str, ...], int, bool]],  # noqa: PLR0917
                p: int, start: dt.date, budget: int, anomalies: set[str],
                contractors: list[str], today: dt.date) -> list[dict[str, Any]]:
    """One project's milestones: the plan (dues), then what happened (finishes) up to today.

    A milestone actually starts once its predecessors are done and finishes near its due
    (on-plan projects a few days early, behind ones a few days late); after a late chain's
    trouble stage every finish is pushed by its predecessors. Done means finished by today.
    Money is paid when its funds milestone is done, in part while it runs; progress follows
    the time spent since the actual start.
    """
    one = dt.timedelta(days=1)
    luck = rng.random()
    trouble = rng.randrange(3, len(rows)) if luck >= ON_PLAN + BEHIND else len(rows)
    dues: dict[str, dt.date] = {}
    actual: dict[str, dt.date] = {}  # the day each milestone finishes (or will)
    items: list[dict[str, Any]] = []
    shares = [PAY_SHARES.get(r[0], 0.0) for r in rows if r[2] == "funds"]
    spare = max(0.0, 1.0 - sum(shares)) / max(1, shares.count(0.0))
    for k, (mid, mname, kind, preds, days, explicit) in enumerate(rows):
        begin = max((dues[x] for x in preds if x in dues), default=start)
        begin += dt.timedelta(days=rng.randrange(1, 6))
        span = max(1, int(days * rng.uniform(0.7, 1.3)))
        due = begin + dt.timedelta(days=span)
        dues[mid] = due
        m: dict[str, Any] = {"id": mid, "name": mname, "kind": kind, "due": due}
        if explicit:
            m["start"] = begin
        after: list[Any] = [x for x in preds if x in dues]
        if mid == "tender" and p > 10 and rng.random() < 0.02:
            other = f"P{rng.randrange(1, p) + 1:05d}"  # an earlier project: never a cycle
            after.append({"project": other, "id": "approval"})
        if mid == "contract" and rng.random() < 0.1:
            after = [{"id": "tender", "lag": "5 workdays"}]
        if after:
            m["after"] = after
        if kind == "progress" and rng.random() < 0.5:
            m["unit"] = rng.choice(contractors)

        # what happened
        ready = max((actual[x] for x in preds if x in actual), default=None)
        began = begin if ready is None else max(begin, ready + one)
        if luck < ON_PLAN:
            noise = rng.randrange(-6, 1) if rng.random() < 0.985 else rng.randrange(1, 5)
        elif luck < ON_PLAN + BEHIND:
            noise = rng.randrange(-4, 8)
        else:
            noise = rng.randrange(30, 90) if k == trouble else rng.randrange(-2, 8)
        finish = max(due + dt.timedelta(days=noise), began + dt.timedelta(days=int(span * 0.8)))
        if mid == "tender" and "short_bid" in anomalies:
            finish = begin + dt.timedelta(days=rng.randrange(10, 19))
        if mid == "contract" and "slow_contract" in anomalies:
            finish += dt.timedelta(days=rng.randrange(15, 30))
        actual[mid] = finish
        done = finish <= today
        if done and ((mid == "tender" and "tender_unreported" in anomalies)
                     or (mid == "sup2" and "supervision_skipped" in anomalies)
                     or (kind == "contract" and "paid_early" in anomalies)):
            done = False  # the office never got the report
        if done:
            m["finished"] = finish
            m["progress"] = 1.0
            m["updated"] = finish
        elif began <= today or (explicit and begin <= today):
            if ready is not None and ready >= today:
                share = 0.0  # planned to start, still waiting for a predecessor
            else:
                share = (today - began).days / max((finish - began).days, 1)
                share = math.ceil(min(share * rng.uniform(1.0, 1.1), 0.99) * 100) / 100
            if (kind == "progress" and rng.random() < 0.97) or rng.random() < 0.3:
                m["progress"] = share
            stale = rng.random() < 0.02
            ago = rng.randrange(20, 60) if stale else rng.randrange(0, 12)
            m["updated"] = max(today - dt.timedelta(days=ago), begin)
        if kind == "funds":
            amount = round(budget * (PAY_SHARES.get(mid) or spare) * rng.uniform(0.95, 1.0), -3)
            if "no_amount" in anomalies and rng.random() < 0.5:
                anomalies.discard("no_amount")
            else:
                m["amount"] = amount
            if "finished" in m or (mid == "pay2" and "advance" in anomalies
                                   and "finished" in items[-3]):  # build1 done: paid ahead
                m["paid"] = amount
            elif "updated" in m and rng.random() < 0.4:
                m["paid"] = round(amount * rng.uniform(0.1, 0.5), -3)
        if "finished" not in m and "updated" not in m and rng.random() < 0.01:
            del m["due"]  # not planned yet
        if rng.random() < 0.05:
            m["note"] = "受征地拆迁影响，进度滞后" if finish > due else "按计划推进"
        items.append(m)
    return items


def _notices_about(rng: random.Random, notices: list[dict[str, Any]],
                   about: tuple[str, dict[str, Any]], unit: str, today: dt.date) -> None:
    """A notice for a milestone that went overdue (a yellow card, red when it stayed late):
    answered within a week in almost every case, late or never in a few."""
    pid, m = about
    due, finished = m.get("due"), m.get("finished")
    if due is None or due >= today - dt.timedelta(days=3):
        return
    if finished is not None and finished <= due + dt.timedelta(days=5):
        return
    issued = due + dt.timedelta(days=rng.randrange(3, 8))
    if issued > today:
        return
    late = (finished or today) - due
    notice: dict[str, Any] = {
        "id": f"N-{len(notices) + 1:06d}", "title": f"{pid}「{m['name']}」逾期督办", "unit": unit,
        "rule": "milestone_overdue", "level": "red" if late.days > 20 else "yellow",
        "issued": issued, "due": issued + dt.timedelta(days=7),
        "subject": f"milestone:{pid}/{m['id']}"}
    answered = issued + dt.timedelta(days=rng.randrange(1, 7) if rng.random() < 0.96
                                     else rng.randrange(8, 30))
    if answered <= today and rng.random() < 0.985:  # a few are never answered
        notice["responded"] = answered
    notices.append(notice)


def generate_portfolio(projects: int = 2000, milestones: int = 20, *, seed: int = 7,
                       today: dt.date = TODAY, supervision: bool = False,
                       complaints: int = 0) -> Portfolio:
    """The same portfolio, checked and built by ``projects.loader.parse_portfolio``; with
    ``supervision``, the loop of issue 12 added by ``add_supervision``; with ``complaints``,
    that many complaints added by ``add_complaints`` (issue 13)."""
    from projects.loader import parse_portfolio  # noqa: PLC0415

    data = generate(projects, milestones, seed=seed, today=today)
    if supervision:
        add_supervision(data, seed=seed, today=today)
    if complaints:
        add_complaints(data, complaints, seed=seed, today=today)
    return parse_portfolio(data, today=today, source="benchmarks/generate.py")


COMPLAINT_TITLES = ("道路施工夜间噪音扰民", "小区停水未提前通知", "路灯损坏无人维修", "学校周边交通拥堵",
                    "医院挂号难", "河道垃圾未清理", "公交线路调整咨询", "建议增设非机动车道")


def add_complaints(data: dict[str, Any], n: int, *, seed: int = 7, today: dt.date = TODAY) -> None:
    """Add ``n`` complaints (群众投诉 / 咨询 / 建议, issue 13) to a ``generate`` dict in place,
    leaving everything else as it was: received over the year before ``today`` by the owner
    units (one in three about one of the unit's projects), a deadline 3-10 days later; nine in
    ten of those received a week or more ago answered (one in six of them late), two in three
    answered rated (one in five dissatisfied)."""
    rng = random.Random(seed * 104_729 + 13)
    by_unit: dict[str, list[str]] = {}
    for p in data["projects"]:
        by_unit.setdefault(p["unit"], []).append(p["id"])
    owners = sorted(by_unit)
    kinds = ("complaint", "complaint", "complaint", "consultation", "suggestion")
    ratings = ("satisfied", "satisfied", "basically_satisfied", "basically_satisfied", "dissatisfied")
    out: list[dict[str, Any]] = []
    for i in range(n):
        unit = rng.choice(owners)
        received = today - dt.timedelta(days=rng.randrange(0, 365))
        due = received + dt.timedelta(days=rng.randrange(3, 11))
        c: dict[str, Any] = {"id": f"C-{i + 1:06d}", "title": rng.choice(COMPLAINT_TITLES),
                             "kind": rng.choice(kinds), "unit": unit, "received": received, "due": due}
        if rng.random() < 1 / 3:
            c["project"] = rng.choice(by_unit[unit])
        if (today - received).days >= 7 and rng.random() < 0.9:
            late = rng.random() < 1 / 6
            responded = due + dt.timedelta(days=rng.randrange(1, 8)) if late else \
                received + dt.timedelta(days=rng.randrange(0, (due - received).days + 1))
            if responded <= today:
                c["responded"] = responded
                rated = responded + dt.timedelta(days=rng.randrange(0, 6))
                if rated <= today and rng.random() < 2 / 3:
                    c["rating"], c["rated"] = rng.choice(ratings), rated
        out.append(c)
    data["complaints"] = out


CADENCES = ("1 weeks", "2 weeks", "1 months", "10 workdays")


def add_supervision(data: dict[str, Any], *, seed: int = 7, today: dt.date = TODAY) -> None:
    """Add the supervision loop (issue 12) to a ``generate`` dict in place, leaving everything
    else as it was: two people per owner unit; on each project co-units (0-2 other owners),
    a person, a report cadence (four in five), urgency (one in ten) and a leader's instruction
    (one in eight); on one milestone in five its own person (of the lead or a co-unit) and
    cadence; extension requests on
    one milestone in twenty with a due (three in four decided, four in five of those approved,
    one in ten asked after the due)."""
    rng = random.Random(seed * 7919 + 12)
    owners = sorted({p["unit"] for p in data["projects"]})
    people: list[dict[str, Any]] = []
    by_unit: dict[str, list[str]] = {}
    for uid in owners:
        for k in range(2):
            pid = f"{uid}-p{k + 1}"
            people.append({"id": pid, "name": f"责任人{len(people) + 1}", "unit": uid,
                           "post": rng.choice(("局长", "副局长", "科长", "主任"))})
            by_unit.setdefault(uid, []).append(pid)
    extensions: list[dict[str, Any]] = []
    for p in data["projects"]:
        others = [u for u in owners if u != p["unit"]]
        p["co_units"] = rng.sample(others, rng.randrange(0, 3))
        p["person"] = rng.choice(by_unit[p["unit"]])
        if rng.random() < 0.8:
            p["report_every"] = rng.choice(CADENCES)
        if rng.random() < 0.1:
            p["urgent"] = True
        if rng.random() < 0.125:
            p["instruction"] = "务必按期完成，每月报告进展"
            p["source"] = "市政府常务会议纪要"
        for m in p["milestones"]:
            if rng.random() < 0.2:
                # a person of its lead unit (its own unit, else the project's) or a co-unit
                eligible = [x for u in (m.get("unit", p["unit"]), *p["co_units"]) for x in by_unit.get(u, ())]
                if eligible:
                    m["person"] = rng.choice(eligible)
                m["report_every"] = rng.choice(CADENCES)
            due = m.get("due")
            if due is None or rng.random() >= 0.05:
                continue
            late = rng.random() < 0.1
            requested = due + dt.timedelta(days=rng.randrange(1, 10) if late else -rng.randrange(1, 15))
            if requested > today:
                continue
            ext: dict[str, Any] = {"milestone": f"{p['id']}/{m['id']}", "requested": requested,
                                   "new_due": due + dt.timedelta(days=rng.randrange(10, 60)),
                                   "reason": "因征地拆迁延迟"}
            decided = requested + dt.timedelta(days=rng.randrange(1, 6))
            if decided <= today and rng.random() < 0.75:
                ext["decided"] = decided
                ext["decision"] = "approved" if rng.random() < 0.8 else "rejected"
            extensions.append(ext)
    data["people"] = people
    data["extensions"] = extensions


def write(data: dict[str, Any], path: Path) -> None:
    """Write ``data`` as JSON or YAML, by the suffix of ``path``."""
    if path.suffix == ".json":
        with path.open("w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, default=dt.date.isoformat)
        return
    import yaml  # noqa: PLC0415

    with path.open("w", encoding="utf-8") as f:
        yaml.dump(data, f, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--milestones", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=TODAY)
    parser.add_argument("--out", type=Path, required=True, help="file.json or file.yaml")
    args = parser.parse_args(argv)
    data = generate(args.projects, args.milestones, seed=args.seed, today=args.today)
    write(data, args.out)
    count = sum(len(p["milestones"]) for p in data["projects"])
    print(f"{args.out}: {len(data['projects'])} projects, {count} milestones, "
          f"{len(data['notices'])} notices, {args.out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
