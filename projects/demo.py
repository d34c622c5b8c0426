"""The demo portfolio a newcomer sees on a first ``duban serve``: a city's key projects.

Owns ``demo_portfolio(today)``: a municipal government (市人民政府) with its departments, a
district government with a sub-department and two contractors; twelve key projects (重点项目)
and three key tasks (重点工作), each with a realistic milestone graph — approval, tendering,
contract, then works, funds, supervision and safety, then completion, some fanning out and in,
one depending on another project. Dates are working days (Monday to Friday) before and after
``today``, so the demo always looks current, and it holds on purpose what supervision looks
for: milestones done early, on time, a few working days late and badly late; a contract signed
before its tender finished; money paid ahead of progress; a stale report; a tender window
shorter than the legal 20 days; a notice unanswered past its deadline and one answered late;
complaints from the public answered in time, late, not at all, rated satisfied and not.

The demo is written in the portfolio file's shape and goes through ``parse_portfolio``, so it is
always a valid portfolio; the same ``today`` gives the same portfolio.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from projects.checks import parse_portfolio
from projects.model import Portfolio

_DATE_FIELDS = ("start", "due", "finished", "updated")


def demo_portfolio(today: dt.date) -> Portfolio:
    """The demo portfolio, with dates placed around ``today``."""
    return parse_portfolio(demo_data(today), today=today, source="demo")


def demo_data(today: dt.date) -> dict[str, Any]:
    """The demo in the portfolio file's shape (what ``duban export`` would write)."""

    def day(n: int) -> str:
        return _workday(today, n).isoformat()

    def ms(mid: str, name: str, kind: str, due: int, **kw: Any) -> dict[str, Any]:
        item: dict[str, Any] = {"id": mid, "name": name, "kind": kind, "due": day(due)}
        for k, v in kw.items():
            item[k] = day(v) if k in _DATE_FIELDS else v
        return item

    def project(pid: str, name: str, unit: str, budget: float | None, milestones: list[dict[str, Any]], *,
                category: str = "project") -> dict[str, Any]:
        out: dict[str, Any] = {"id": pid, "name": name, "category": category, "unit": unit, "milestones": milestones}
        if budget is not None:
            out["budget"] = budget
        return out

    units = [
        _unit("city", "市人民政府", None, "city", "szf"),
        _unit("office", "市政府督查室", "city", "department", "dcs"),
        _unit("drc", "市发展和改革委员会", "city", "department", "fgw"),
        _unit("transport", "市交通运输局", "city", "department", "jtj"),
        _unit("housing", "市住房和城乡建设局", "city", "department", "zjj"),
        _unit("water", "市水务局", "city", "department", "swj"),
        _unit("education", "市教育局", "city", "department", "jyj"),
        _unit("health", "市卫生健康委员会", "city", "department", "wjw"),
        _unit("haidong", "海东区人民政府", "city", "county", "hdq"),
        _unit("haidong-housing", "海东区住房和城乡建设局", "haidong", "department", "hdzjj"),
        _unit("road-co", "海东路桥建设集团有限公司", "transport", "enterprise", "hdlq"),
        _unit("water-co", "市水务投资集团有限公司", "water", "enterprise", "swtz"),
    ]
    projects = [
        # On time, but its tender window was 13 days: shorter than the legal 20.
        project("P001", "海东大道改造工程", "transport", 120_000_000, [
            ms("approval", "立项批复", "approval", -118, finished=-121),
            ms("tender", "施工招标", "tendering", -85, start=-100, finished=-91, after=["approval"]),
            ms("contract", "签订施工合同", "contract", -75, finished=-78, after=["tender"]),
            ms("pay1", "第一笔工程款", "funds", -55, finished=-56, amount=30_000_000, paid=30_000_000, after=["contract"]),
            ms("pipes", "管线迁改", "progress", -20, start=-70, finished=-22, progress="100%", unit="road-co", after=["contract", {"project": "P007", "id": "design"}]),
            ms("paving", "路面铺装", "progress", 40, start=-20, progress="45%", unit="road-co", updated=-2, after=["pipes"]),
            ms("supervise", "监理中间验收", "supervision", 45, after=["paving"]),
            ms("safety", "安全生产检查", "safety", 10, start=-10, progress="60%", updated=-3, after=["contract"]),
            ms("done", "竣工验收", "completion", 60, after=["supervise", "safety"]),
        ]),
        # The contract was signed while the tender is still open.
        project("P002", "滨江大桥建设工程", "transport", 860_000_000, [
            ms("approval", "可研及初步设计批复", "approval", -90, finished=-88),
            ms("tender", "主桥施工招标", "tendering", -30, start=-60, progress="90%", updated=-4, after=["approval"]),
            ms("contract", "签订主桥施工合同", "contract", -10, finished=-12, after=["tender"]),
            ms("piers", "桥墩施工", "progress", 120, start=-5, progress="5%", unit="road-co", updated=-1, after=["contract"]),
            ms("done", "通车验收", "completion", 250, after=["piers"]),
        ]),
        # Badly late: the works were due 40 working days ago; a notice about it is unanswered.
        project("P003", "城北水厂扩建工程", "water", 260_000_000, [
            ms("approval", "立项批复", "approval", -125, finished=-125),
            ms("tender", "设备及土建招标", "tendering", -100, start=-125, finished=-101, after=["approval"]),
            ms("contract", "签订总承包合同", "contract", -90, finished=-92, after=["tender"]),
            ms("pay1", "预付款", "funds", -80, finished=-80, amount=52_000_000, paid=52_000_000, after=["contract"]),
            ms("works", "主体工程", "progress", -40, start=-88, progress="60%", unit="water-co", updated=-3, after=["contract"]),
            ms("supervise", "监理验收", "supervision", 10, after=["works"]),
            ms("done", "通水运行", "completion", 30, after=["supervise"]),
        ]),
        # Fan-out after the contract, fan-in at acceptance; one part finished late.
        project("P004", "海东区第一中学新建工程", "haidong", 180_000_000, [
            ms("approval", "立项批复", "approval", -110, finished=-112),
            ms("tender", "施工招标", "tendering", -80, start=-108, finished=-82, after=["approval"]),
            ms("contract", "签订施工合同", "contract", -70, finished=-72, after=["tender"]),
            ms("foundation", "基础工程", "progress", -24, start=-68, finished=-20, progress="100%", after=["contract"]),
            ms("teaching", "教学楼主体", "progress", 30, start=-19, progress="55%", updated=-1, after=["foundation"]),
            ms("dorm", "宿舍楼主体", "progress", 35, start=-19, progress="40%", updated=-2, after=["foundation"]),
            ms("playground", "运动场", "progress", 20, start=-5, progress="25%", updated=-1, after=["contract"]),
            ms("pay2", "第二笔工程款", "funds", 15, start=10, amount=40_000_000, after=["foundation"]),
            ms("done", "竣工验收", "completion", 50, after=["teaching", "dorm", "playground"]),
        ]),
        # Money paid well ahead of progress.
        project("P005", "市第一人民医院门诊综合楼", "health", 300_000_000, [
            ms("approval", "立项批复", "approval", -100, finished=-103),
            ms("tender", "施工招标", "tendering", -75, start=-100, finished=-76, after=["approval"]),
            ms("contract", "签订施工合同", "contract", -65, finished=-66, after=["tender"]),
            ms("pay1", "工程预付款", "funds", -40, finished=-41, amount=150_000_000, paid=150_000_000, after=["contract"]),
            ms("works", "主体结构", "progress", 80, start=-60, progress="15%", updated=-3, after=["contract"]),
            ms("safety", "安全专项检查", "safety", 5, start=-15, progress="80%", updated=-2, after=["contract"]),
            ms("done", "竣工验收", "completion", 140, after=["works", "safety"]),
        ]),
        # A few working days late: the tender was due three working days ago.
        project("P006", "环城北路快速化改造", "transport", 95_000_000, [
            ms("approval", "立项批复", "approval", -40, finished=-38),
            ms("tender", "施工招标", "tendering", -3, start=-30, progress="80%", updated=-2, after=["approval"]),
            ms("contract", "签订施工合同", "contract", 15, after=["tender"]),
            ms("works", "道路施工", "progress", 120, after=[{"id": "contract", "lag": "5 workdays"}]),
        ]),
        # A stale report: the works have not been reported for 25 working days.
        project("P007", "老城区污水管网改造", "water", 68_000_000, [
            ms("design", "施工图设计审查", "approval", -120, finished=-124),
            ms("tender", "施工招标", "tendering", -95, start=-120, finished=-96, after=["design"]),
            ms("contract", "签订施工合同", "contract", -85, finished=-86, after=["tender"]),
            ms("works", "管网铺设", "progress", 25, start=-80, progress="35%", unit="water-co", updated=-25, after=["contract"]),
            ms("pay1", "进度款", "funds", -10, amount=20_000_000, paid=8_000_000, after=["contract"]),
            ms("done", "竣工验收", "completion", 45, after=["works"]),
        ]),
        project("P008", "城市轨道交通1号线前期工作", "drc", 45_000_000, [
            ms("plan", "线网规划批复", "approval", -60, finished=-65),
            ms("eia", "环境影响评价批复", "approval", -20, finished=-18, after=["plan"]),
            ms("feasibility", "工程可行性研究报告批复", "approval", 30, start=-17, progress="60%", updated=-4, after=["plan"]),
            ms("design", "总体设计招标", "tendering", 70, after=["eia", "feasibility"]),
        ]),
        project("P009", "智慧交通指挥平台", "transport", 38_000_000, [
            ms("approval", "立项批复", "approval", -70, finished=-72),
            ms("tender", "系统集成招标", "tendering", -40, start=-68, finished=-42, after=["approval"]),
            ms("contract", "签订合同", "contract", -30, finished=-31, after=["tender"]),
            ms("build", "平台开发部署", "progress", 20, start=-29, progress="70%", updated=-1, after=["contract"]),
            ms("done", "上线验收", "completion", 35, after=["build", {"project": "P002", "id": "contract"}]),
        ]),
        project("P010", "滨海公园提升工程", "housing", 52_000_000, [
            ms("approval", "方案批复", "approval", -50, finished=-50),
            ms("tender", "施工招标", "tendering", -25, start=-48, finished=-26, after=["approval"]),
            ms("contract", "签订施工合同", "contract", -15, finished=-14, after=["tender"]),
            ms("works", "园林景观施工", "progress", 60, start=-13, progress="20%", updated=-5, after=["contract"]),
            ms("done", "竣工验收", "completion", 75, after=["works"]),
        ]),
        # Everything early: the whole project finished ahead of plan.
        project("P011", "第二实验小学改扩建工程", "education", 36_000_000, [
            ms("approval", "立项批复", "approval", -125, finished=-127),
            ms("tender", "施工招标", "tendering", -105, start=-126, finished=-106, after=["approval"]),
            ms("contract", "签订施工合同", "contract", -95, finished=-98, after=["tender"]),
            ms("works", "教学楼改扩建", "progress", -20, start=-97, finished=-25, progress="100%", after=["contract"]),
            ms("supervise", "监理验收", "supervision", -12, finished=-16, after=["works"]),
            ms("done", "竣工验收", "completion", -8, finished=-10, after=["supervise"]),
        ]),
        project("P012", "海东区污水处理厂提标改造", "haidong", 74_000_000, [
            ms("approval", "立项批复", "approval", -30, finished=-30),
            ms("tender", "施工招标", "tendering", 10, start=-12, progress="60%", updated=-2, after=["approval"]),
            ms("contract", "签订施工合同", "contract", 25, after=["tender"]),
            ms("works", "提标改造施工", "progress", 110, after=["contract"]),
        ]),
        project("T001", "优化营商环境三年行动", "drc", None, [
            ms("plan", "印发实施方案", "approval", -100, finished=-101),
            ms("online", "政务服务一网通办", "progress", 20, start=-95, progress="85%", updated=-3, after=["plan"]),
            ms("review", "中期评估", "supervision", 40, after=["online"]),
        ], category="task"),
        project("T002", "老旧小区改造（第一批38个小区）", "haidong-housing", 150_000_000, [
            ms("survey", "摸底调查及改造方案", "approval", -90, finished=-95),
            ms("contract", "签订改造施工合同", "contract", -86, finished=-88, after=["survey"]),
            ms("batch1", "第一批12个小区", "progress", -10, start=-85, finished=-7, progress="100%", after=["contract"]),
            ms("batch2", "第二批14个小区", "progress", 40, start=-30, progress="45%", updated=-4, after=["contract"]),
            ms("funds", "中央补助资金拨付", "funds", -6, amount=60_000_000, paid=60_000_000, finished=-6, after=["contract"]),
            ms("done", "整体验收", "completion", 90, after=["batch1", "batch2"]),
        ], category="task"),
        project("T003", "汛期安全隐患排查整治", "water", None, [
            ms("plan", "排查方案", "approval", -30, finished=-31),
            ms("check", "隐患排查", "safety", -8, start=-28, progress="85%", updated=-6, after=["plan"]),
            ms("fix", "隐患整改销号", "safety", 20, after=["check"]),
        ], category="task"),
    ]
    notices = [
        {"id": f"DB-{today.year}-0001", "title": "关于城北水厂扩建工程主体工程逾期的督办通知", "unit": "water",
         "rule": "works_overdue", "level": "red", "issued": day(-12), "due": day(-7),
         "subject": "milestone:P003/works"},
        {"id": f"DB-{today.year}-0002", "title": "关于老城区污水管网改造进度报送的督办通知", "unit": "water-co",
         "rule": "stale_report", "level": "yellow", "issued": day(-20), "due": day(-15),
         "responded": day(-12), "subject": "milestone:P007/works"},
        {"id": f"DB-{today.year}-0003", "title": "关于海东大道管线迁改进度的督办通知", "unit": "road-co",
         "rule": "works_overdue", "level": "yellow", "issued": day(-40), "due": day(-35),
         "responded": day(-36), "subject": "milestone:P001/pipes"},
    ]
    # 群众投诉 / 咨询 / 建议 (issue 13): one answered in time and rated satisfied, one unanswered
    # past its deadline, one on its deadline day, one answered late, one rated dissatisfied, one
    # just received
    y = today.year
    complaints = [
        {"id": f"C-{y}-0001", "title": "海东大道夜间施工噪音扰民", "unit": "transport", "project": "P001",
         "received": day(-8), "due": day(-3), "responded": day(-4), "rating": "satisfied",
         "rated": day(-2)},
        {"id": f"C-{y}-0002", "title": "城北片区连续三天停水", "unit": "water", "received": day(-10),
         "due": day(-5)},
        {"id": f"C-{y}-0003", "kind": "consultation", "title": "老旧小区加装电梯补贴如何申请",
         "unit": "housing", "received": day(-3), "due": day(0)},
        {"id": f"C-{y}-0004", "kind": "suggestion", "title": "建议学校周边增设护学岗", "unit": "education",
         "received": day(-15), "due": day(-10), "responded": day(-9), "rating": "dissatisfied",
         "rated": day(-7)},
        {"id": f"C-{y}-0005", "title": "公交站台雨棚破损", "unit": "transport", "received": day(-12),
         "due": day(-7), "responded": day(-5), "rating": "basically_satisfied", "rated": day(-4)},
        {"id": f"C-{y}-0006", "kind": "consultation", "title": "社区卫生服务中心周末是否开诊",
         "unit": "health", "received": day(-1), "due": day(4)},
    ]
    # 责任人 (issue 12): each project's responsible person, so the person scores and ranking
    # (责任人履职) have someone to rank; names in the 某 form official examples use
    people = [
        {"id": "chen-jt", "name": "陈某", "unit": "transport", "post": "副局长"},
        {"id": "liu-sw", "name": "刘某", "unit": "water", "post": "副局长"},
        {"id": "zhou-hd", "name": "周某", "unit": "haidong", "post": "副区长"},
        {"id": "wu-wj", "name": "吴某", "unit": "health", "post": "副主任"},
        {"id": "zheng-fg", "name": "郑某", "unit": "drc", "post": "副主任"},
        {"id": "huang-zj", "name": "黄某", "unit": "housing", "post": "科长"},
    ]
    responsible = {"P001": "chen-jt", "P002": "chen-jt", "P006": "chen-jt", "P009": "chen-jt",
                   "P003": "liu-sw", "P007": "liu-sw", "T003": "liu-sw", "P004": "zhou-hd",
                   "P012": "zhou-hd", "P005": "wu-wj", "P008": "zheng-fg",
                   "T001": "zheng-fg", "P010": "huang-zj"}
    for item in projects:
        if item["id"] in responsible:
            item["person"] = responsible[item["id"]]
    return {"calendar": "cn", "timezone": "Asia/Shanghai", "units": units, "people": people,
            "projects": projects, "notices": notices, "complaints": complaints}


def _unit(uid: str, name: str, parent: str | None, level: str, mailbox: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": uid, "name": name, "level": level,
                           "contacts": [f"mailto://{mailbox}@duban.example"]}
    if parent is not None:
        out["parent"] = parent
    return out


def _workday(today: dt.date, n: int) -> dt.date:
    """``today`` moved by ``n`` Monday-to-Friday days (a weekend ``today`` counts from Friday)."""
    d = today
    while d.weekday() >= 5:
        d -= dt.timedelta(days=1)
    weeks, rest = divmod(n, 5)
    d += dt.timedelta(weeks=weeks)
    for _ in range(rest):
        d += dt.timedelta(days=1)
        while d.weekday() >= 5:
            d += dt.timedelta(days=1)
    return d
