"""The demo: on an empty database, load the demo portfolio with months of report history,
publish the standard rulebook, evaluate, and create one account per role.

The history is made to look like real use: each milestone is first known as planned
(no progress, nothing finished) four months back, then reported monthly with its progress
growing toward today's value, and finished once its finish date has come.

Every demo unit's contacts are replaced by its demo inbox on this server
(``json://127.0.0.1:<port>/api/demo/inbox/<unit>``, see ``api.controllers.demo``), so the
notices the demo issues are delivered on this machine and nowhere else; without a port the
units get no contacts at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from api import audit, users
from api.controllers.demo import inbox_contact, inbox_key, is_inbox_contact, rewire
from api.service import Server, now_iso
from dsl import compile_rulebook
from projects import repository as repo
from projects.demo import demo_portfolio
from projects.model import Milestone, Portfolio, Unit
from rules import repository as rules_repo
from rules.standard import standard_sources

#: Demo accounts: username -> (role, password). Units are filled in from the portfolio.
DEMO_ACCOUNTS = {
    "office": ("office", "duban-office"),
    "leader": ("leader", "duban-leader"),
    "owner": ("owner", "duban-owner"),
    "unit": ("unit", "duban-unit"),
}
HISTORY_MONTHS = 4


def _as_reported(m: Milestone, day: dt.date, share: float) -> Milestone:
    """What the owner would have reported on ``day`` (``share`` of today's progress)."""
    finished = m.finished if m.finished is not None and m.finished <= day else None
    progress = None if m.progress is None else round(m.progress * share, 2)
    paid = None if m.paid is None else round(m.paid * share, 2)
    return replace(m, finished=finished, progress=progress, paid=paid, updated=day)


def local_contacts(portfolio: Portfolio, inbox_port: int | None, key: str = "") -> Portfolio:
    """``portfolio`` with each unit's contacts replaced by its demo inbox on ``inbox_port``
    carrying the inbox's ``key`` (no contacts when ``None``): the demo never delivers off this
    machine."""
    units = tuple(replace(u, contacts=() if inbox_port is None else (inbox_contact(inbox_port, u.id, key),))
                  for u in portfolio.units)
    return replace(portfolio, units=units)


async def seed_demo(server: Server, today: dt.date, *, inbox_port: int | None = None) -> dict[str, Any]:
    """Fill an empty database with the demo; returns what it made (for the sign-in message).

    The units' contacts are their demo inboxes on ``inbox_port`` (the port ``duban serve``
    listens on); without it they have none.
    """
    key = inbox_key(server.settings) if inbox_port is not None else ""
    portfolio: Portfolio = local_contacts(demo_portfolio(today), inbox_port, key)
    start = today - dt.timedelta(days=30 * HISTORY_MONTHS)
    planned = replace(portfolio, projects=tuple(
        replace(p, milestones=tuple(_as_reported(m, start, 0.0) for m in p.milestones)) for p in portfolio.projects))
    async with server.writing():
        await repo.import_portfolio(planned, actor="demo", known_on=start, recorded_at=now_iso())
        for k in range(HISTORY_MONTHS - 1, -1, -1):
            day = today - dt.timedelta(days=30 * k)
            share = (HISTORY_MONTHS - k) / HISTORY_MONTHS
            for p in portfolio.projects:
                for m in p.milestones:
                    target = m if k == 0 else _as_reported(m, day, share)
                    # today's state is known from its own report day, never before last month's
                    floor = today - dt.timedelta(days=29)
                    day_known = max(floor, min(m.updated or today, today)) if k == 0 else day
                    current, held = await repo.get_milestone(m.project, m.id)
                    if current != target:
                        await repo.update_milestone(target, expected_version=held, actor="demo",
                                                    known_on=day_known, recorded_at=now_iso())
        await audit.append("demo", "portfolio.import", "portfolio:demo", None,
                           {"units": len(portfolio.units), "projects": len(portfolio.projects),
                            "milestones": len(portfolio.milestones())})
        await repo.bump_revision()
        accounts = await _accounts(portfolio, today)
        number = None
        sources = standard_sources()
        if sources:
            compile_rulebook(sources)
            at = now_iso()
            version = await rules_repo.save_draft(sources, author="demo", note="standard rulebook", at=at)
            await rules_repo.mark_checked(version.number, at=at)
            await rules_repo.mark_published(version.number, at=at)
            await audit.append("demo", "rulebook.publish", f"rulebook:{version.number}", None,
                               {"published": version.number, "files": sorted(sources)})
            number = version.number
    if number is not None:
        await server.run_evaluation("demo")
    return {"accounts": accounts, "rulebook": number, "projects": len(portfolio.projects)}


async def rewire_demo_contacts(server: Server, port: int) -> list[str]:
    """Point the demo inbox contacts that name another port at ``port`` (a restarted demo on a
    new port) with the inbox's key; returns the units changed. Other contacts are left alone."""
    changed: list[Unit] = []
    key = inbox_key(server.settings)
    async with server.writing():
        for unit in (await server.snapshot()).portfolio.units:
            moved = tuple(rewire(c, port, key) for c in unit.contacts)
            if moved != unit.contacts:
                changed.append(replace(unit, contacts=moved))
                await repo.save_unit(changed[-1], create=False)
        if changed:
            await server.changed("demo", "unit.update", "units:demo-inbox", None,
                                 {"units": [u.id for u in changed], "contacts": "demo inbox", "port": port})
    return [u.id for u in changed]


def uses_demo_inbox(portfolio: Portfolio) -> bool:
    return any(is_inbox_contact(c) for u in portfolio.units for c in u.contacts)


def busiest_unit(portfolio: Portfolio, today: dt.date) -> str | None:
    """The responsible unit with the most open milestones past their due day (the demo's
    ``unit`` account gets it, so that it has notices to answer), ties by first appearance."""
    late: dict[str, int] = {}
    for m in portfolio.milestones():
        if m.unit:
            late.setdefault(m.unit, 0)
            if m.finished is None and m.due is not None and m.due < today:
                late[m.unit] += 1
    return max(late, key=lambda u: late[u], default=None)


async def _accounts(portfolio: Portfolio, today: dt.date) -> dict[str, tuple[str, str, str | None]]:
    units = {u.id for u in portfolio.units}
    owner_unit = portfolio.projects[0].unit if portfolio.projects else None
    responsible = busiest_unit(portfolio, today)
    unit_unit = responsible or (portfolio.projects[-1].unit if portfolio.projects else None)
    made = {}
    for name, (role, password) in DEMO_ACCOUNTS.items():
        unit = owner_unit if role == "owner" else unit_unit if role == "unit" else None
        user = await users.create(name, role=role, unit=unit, password=password, display=name, units=units)
        await audit.append("demo", "user.create", f"user:{name}", None, user.public())
        made[name] = (role, password, unit)
    return made


async def demo_accounts() -> dict[str, tuple[str, str, str | None]]:
    """The demo accounts that still sign in with their demo password (printed on every start
    of ``duban serve``, not only the first; an account whose password was changed is left out)."""
    found = {}
    for name, (_role, password) in DEMO_ACCOUNTS.items():
        signed_in = await users.authenticate(name, password, rehash=False)
        if signed_in is not None:
            found[name] = (signed_in.user.role, password, signed_in.user.unit)
    return found


def accounts_text(accounts: dict[str, tuple[str, str, str | None]], lang: str = "zh") -> list[str]:
    """The demo accounts as ``duban serve`` prints them, in Chinese or English."""
    en = lang == "en"
    lines = [("Demo accounts (sign in at /login):" if en else "演示账号（在 /login 登录）：")] if accounts else []
    for name, (role, password, unit) in accounts.items():
        if en:
            lines.append(f"  {name:<7} password {password:<13} role {role}" + (f" (unit {unit})" if unit else ""))
        else:
            lines.append(f"  {name:<7} 密码 {password:<13} 角色 {role}" + (f"（单位 {unit}）" if unit else ""))
    return lines


def ready_text(url: str, lang: str = "zh") -> str:
    """The line ``duban serve`` prints when it listens."""
    if lang == "en":
        return f"duban is ready at {url}  (API docs: {url}/schema)"
    return f"督办系统已启动：{url}  （接口文档：{url}/schema）"


def inbox_text(url: str, lang: str = "zh") -> str:
    """Where the demo units' notices arrive."""
    if lang == "en":
        return f"Notices to the demo units are delivered to the demo inbox: {url}/demo/inbox"
    return f"发给演示单位的督办通知投递到演示收件箱：{url}/demo/inbox"


def sign_in_text(made: dict[str, Any], url: str, lang: str = "zh") -> str:
    lines = [ready_text(url, lang), *accounts_text(made["accounts"], lang), inbox_text(url, lang)]
    if made.get("rulebook") is None:
        lines.append("  (no standard rulebook found: nothing was evaluated)" if lang == "en"
                     else "  （未找到标准规则集，未作评估）")
    return "\n".join(lines)
