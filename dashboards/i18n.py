"""The message catalogue of the dashboards and pages: Chinese by default, English available.

Owns ``CATALOGUE`` (key -> (zh, en)), ``text(key, lang)`` and ``LANGS``. Pure. A key missing
from the catalogue is a programming error and raises ``KeyError`` with the nearest keys, so a
typo in a template or figure shows up in the tests, not as a blank label.
"""

from __future__ import annotations

import difflib

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

CATALOGUE: dict[str, tuple[str, str]] = {
    # lights and levels
    "red": ("红灯", "red"),
    "yellow": ("黄灯", "yellow"),
    "green": ("绿灯", "green"),
    "light": ("灯号", "light"),
    # categories
    "project": ("重点项目", "key project"),
    "task": ("重点工作", "key task"),
    # figure titles and axes
    "lights_by_unit": ("各单位红黄绿灯项目数", "Projects by light, per unit"),
    "lights_by_category": ("按类别红黄绿灯项目数", "Projects by light, per category"),
    "portfolio_map": ("全部项目灯号图（点击进入项目）", "All projects by light (click to open)"),
    "projects_count": ("项目数", "projects"),
    "unit": ("单位", "unit"),
    "category": ("类别", "category"),
    "gantt": ("节点计划、实际与预测", "Milestones: planned, actual, forecast"),
    "planned": ("计划", "planned"),
    "actual": ("实际", "actual"),
    "forecast": ("预测", "forecast"),
    "critical": ("关键路径", "critical path"),
    "today": ("今天", "today"),
    "no_finding": ("无预警", "no warning"),
    "on_time_rate": ("按期完成率", "on-time rate"),
    "completion_rate": ("完成率", "completion rate"),
    "early_rate": ("提前完成率", "early-completion rate"),
    "response_rate": ("响应率", "response rate"),
    "rates_by_unit": ("各单位完成率", "Rates by unit"),
    "rates_trend": ("按月趋势", "Month by month"),
    "portfolio": ("全市", "portfolio"),
    "month": ("月份", "month"),
    "ranking": ("单位排名", "Unit ranking"),
    "rank": ("名次", "rank"),
    "score": ("得分", "score"),
    "funds": ("资金：计划与支付", "Funds: planned vs paid"),
    "funds_planned": ("计划投资（累计）", "planned (cumulative)"),
    "funds_paid": ("已支付（累计）", "paid (cumulative)"),
    "yuan": ("元", "yuan"),
    "notices": ("督办通知", "Supervision notices"),
    "notices_by_unit": ("各单位督办通知", "Notices by unit"),
    "notices_by_age": ("未办结通知账龄", "Open notices by age"),
    "issued": ("已发出", "issued"),
    "answered": ("已回复", "answered"),
    "overdue": ("已逾期", "overdue"),
    "escalated": ("已升级", "escalated"),
    "age_days": ("发出至今", "days since issued"),
    "age_0-7": ("7天内", "0-7 days"),
    "age_8-30": ("8-30天", "8-30 days"),
    "age_31-90": ("31-90天", "31-90 days"),
    "age_>90": ("90天以上", "over 90 days"),
    "no_notices": ("暂无督办通知", "No supervision notices yet"),
    "no_projects": ("暂无项目", "No projects yet"),
    "no_rates": ("数据不足，暂无可比较的完成率", "Too little data: no rates to compare yet"),
    "funds_too_little": ("资金数据不足，画不出曲线", "Too little funds data to draw a curve"),
    "funds_planned_total": ("计划投资", "planned"),
    "funds_paid_total": ("已支付", "paid"),
    "rates_trend_of": ("按月趋势", " month by month"),
    "rule_title": ("规则", "rule"),
    "subject": ("对象", "subject"),
    "message": ("预警内容", "message"),
    "because": ("判定依据", "because"),
    "code": ("编号", "code"),
    "role_office": ("督办办公室", "supervision office"),
    "role_leader": ("领导", "leader"),
    "role_owner": ("项目业主", "project owner"),
    "role_unit": ("责任单位", "responsible unit"),
    "forbidden_for": ("此页面供以下角色使用：", "This page is for: "),
    "back_home": ("返回首页", "Back to the start page"),
    "no_project": ("找不到项目", "No such project"),
    "no_project_hint": ("请从项目列表中选择。", "Pick one from the project list."),
    "all_projects": ("项目列表", "Project list"),
    "worst_finding": ("主要预警", "main warning"),
    "filtered_by": ("筛选", "filter"),
    "show_code": ("规则代码（督办办公室）", "Rule code (office)"),
    "history": ("办理经过", "History"),
    "deliveries": ("发送失败的通知", "Failed deliveries"),
    "deliveries_hint": ("以下督办通知经多次重试仍未送达责任单位。请核对单位联系方式后点击「重新发送」。",
                        "These notices did not reach their unit after every try. Check the unit's contact, then retry."),
    "target": ("发送地址（已隐去）", "target (redacted)"),
    "tries": ("已尝试次数", "tries"),
    "why_failed": ("失败原因", "why it failed"),
    "retry": ("重新发送", "Retry"),
    "retried": ("已重新排队发送。", "Queued again."),
    "no_failed": ("没有发送失败的通知。", "No failed deliveries."),
    "reply_empty": ("回复内容不能为空：请写明已做了什么，或何时完成。", "The reply is empty: say what was done, or when it will be."),
    "event_issue": ("下发", "issued"),
    "event_respond": ("回复", "replied"),
    "event_accept": ("通过", "accepted"),
    "event_reject": ("退回", "sent back"),
    "event_rectify": ("整改完成", "rectified"),
    "event_escalate": ("升级", "escalated"),
    "new_due": ("新的回复期限", "new deadline"),
    "big_screen": ("大屏", "Big screen"),
    "screen_title": ("重点项目督办驾驶舱", "Key projects at a glance"),
    "projects_total": ("重点项目", "key projects"),
    "notices_open": ("未办结督办通知", "open notices"),
    "notices_overdue": ("其中逾期", "of which overdue"),
    "red_this_month": ("本月红牌", "red cards this month"),
    "worst_units": ("红灯最多的单位", "Units with most red"),
    "worst_projects": ("红灯项目", "Red projects"),
    "refreshes": ("每 5 分钟自动刷新", "refreshes every 5 minutes"),
    "reported_named": ("已上报", "Reported"),
    "stale_top": ("有节点已被他人更新，请在下方标黄处核对后重新提交。", "Someone else updated a milestone: check the highlighted form below and submit again."),
    # notice states as the notifier stores them
    "state_issued": ("待回复", "awaiting reply"),
    "state_responded": ("已回复待审核", "replied, under review"),
    "state_accepted": ("已通过", "accepted"),
    "state_reopened": ("已退回重办", "sent back"),
    "state_rectified": ("已整改", "rectified"),
    "state_escalated": ("已升级", "escalated"),
    # pages
    "app_title": ("督办", "duban"),
    "dashboard": ("领导驾驶舱", "Dashboard"),
    "my_milestones": ("我的节点", "My milestones"),
    "inbox": ("督办通知收件箱", "Notice inbox"),
    "rule_editor": ("规则编辑", "Rule editor"),
    "notice_admin": ("通知管理", "Notice management"),
    "sign_out": ("退出", "Sign out"),
    "download_html": ("下载离线报告（HTML）", "Download offline report (HTML)"),
    "download_ranking": ("下载排名（Excel）", "Download ranking (Excel)"),
    "download_findings": ("下载预警（Excel）", "Download findings (Excel)"),
    "milestone": ("节点", "milestone"),
    "due": ("计划完成", "due"),
    "start": ("开始", "start"),
    "finished": ("实际完成", "finished"),
    "progress": ("进度（%）", "progress (%)"),
    "paid": ("已支付（元）", "paid (yuan)"),
    "note": ("说明", "note"),
    "report": ("上报", "Report"),
    "reported": ("已上报", "Reported"),
    "stale": ("此节点已被他人更新。以下是当前值；请核对后重新提交。",
              "Someone else updated this milestone. These are the current values; check them and submit again."),
    "your_values": ("您提交的值", "Your values"),
    "findings": ("预警", "Findings"),
    "no_rulebook": ("尚未发布规则，暂无灯号。", "No rulebook is published yet: no lights."),
    "respond": ("回复", "Respond"),
    "response": ("回复内容", "response"),
    "respond_by": ("回复期限", "respond by"),
    "state": ("状态", "state"),
    "accept": ("通过", "Accept"),
    "reject": ("退回", "Reject"),
    "reason": ("理由", "reason"),
    "check": ("检查", "Check"),
    "dry_run": ("试运行", "Dry run"),
    "publish": ("发布", "Publish"),
    "past_day": ("过去某日", "past day"),
    "rules_ok": ("规则无误", "The rules compile"),
    "published": ("已发布版本", "published version"),
    "would_light": ("将亮灯", "would light"),
    "forbidden": ("您的角色无权查看此页面。", "Your role may not see this page."),
    "not_found": ("找不到", "Not found"),
    "projects_list": ("项目", "Projects"),
    "as_of": ("截至", "as of"),
    "nothing": ("暂无", "nothing yet"),
    "language": ("EN", "中文"),
    "rates_page": ("完成率趋势", "Rate trends"),
}


def text(key: str, lang: str = DEFAULT_LANG) -> str:
    """The catalogue's text for ``key`` in ``lang`` (``zh`` or ``en``; anything else: ``zh``)."""
    try:
        zh, en = CATALOGUE[key]
    except KeyError:
        near = difflib.get_close_matches(key, CATALOGUE, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise KeyError(f"no message {key!r} in dashboards.i18n.CATALOGUE{hint}") from None
    return en if lang == "en" else zh


def choose_lang(query: str | None, cookie: str | None) -> str:
    """The page language: ``?lang=`` first, then the cookie, else Chinese."""
    for candidate in (query, cookie):
        if candidate in LANGS:
            return candidate
    return DEFAULT_LANG
