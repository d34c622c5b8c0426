"""`duban serve --workers 3` on one PostgreSQL database (issue 16, item 6): clients report to
different processes at once; no update is lost or doubled, each notice is issued and
delivered once (by the one elected delivery worker, to a local receiver), every process's
snapshot reaches the latest revision, and delivery goes on after the delivering process is
killed. SQLite refuses more than one process."""

from __future__ import annotations

import collections
import concurrent.futures
import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests import pg
from tests.e2e.conftest import DUBAN, Running, start, stop
from tests.notifier.conftest import Hook, start_hook

pytestmark = [pytest.mark.e2e]

MILESTONES = [f"m{i}" for i in range(6)]
RULES = {"moving.rules": '''rule moving "开始推进":
    for milestone m where not m.done
    light yellow when m.progress >= 3%
    light red when m.progress >= 6%
    notify m.unit within 3 workdays
    message "「{m.project.name}」{m.name}进度 {m.progress}"
'''}
DELIVERY_LOCK_KEY = 734_202  # notifier.worker.DELIVERY_LOCK_KEY
#: advisory locks of this run's database only: the PostgreSQL server is shared with other runs
OWN_DATABASE = "(SELECT oid FROM pg_database WHERE datname = current_database())"


def _portfolio(contact: str) -> dict[str, Any]:
    return {
        "units": [{"id": "transport", "name": "市交通运输局", "contacts": [contact]}],
        "projects": [{"id": "P001", "name": "海东大道改造工程", "category": "project", "unit": "transport",
                      "milestones": [{"id": m, "name": f"节点{m}", "kind": "progress", "due": "2026-12-31", "progress": 0}
                                     for m in [*MILESTONES, "late"]]}],
    }


async def _rows(url: str, sql: str) -> list[Any]:
    import asyncpg  # noqa: PLC0415

    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


def _sql(url: str, sql: str) -> list[Any]:
    return pg.run(_rows(url, sql))


def _client(running: Running, token: str) -> httpx.Client:
    """One keep-alive connection: every request of this client reaches one process."""
    return httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {token}"}, timeout=60,
                        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))


def _process(client: httpx.Client) -> str:
    r = client.get("/api/health")
    assert r.status_code == 200, r.text
    return str(r.json()["process"])


def _by_process(running: Running, token: str, per: int, n: int = 3) -> dict[str, list[httpx.Client]]:
    """Clients whose connections reached each of the ``n`` processes, ``per`` of each."""
    found: dict[str, list[httpx.Client]] = collections.defaultdict(list)
    for _ in range(400):
        client = _client(running, token)
        mine = found[_process(client)]
        if len(mine) < per:
            mine.append(client)
        else:
            client.close()
        if len(found) == n and all(len(c) == per for c in found.values()):
            return found
    raise AssertionError(f"400 connections reached {len(found)} processes, not {n}: {sorted(found)}")


def _delivered(url: str, within: float = 90) -> list[Any]:
    """The outbox once nothing is pending any more."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        rows = _sql(url, "SELECT notice, kind, state, attempts FROM notifier_delivery ORDER BY id")
        if rows and all(r["state"] != "pending" for r in rows):
            return rows
        time.sleep(0.3)
    raise AssertionError(f"deliveries still pending: {rows}")


def _elected(running: Running) -> list[int]:
    return [int(p) for p in re.findall(r"notice delivery runs in this process \(pid (\d+)", running.output())]


def _report_increments(client: httpx.Client, seed: int, count: int) -> tuple[str, collections.Counter[str]]:
    """``count`` reports, each raising one milestone's progress by 1 % from the version just
    read (a 409 is read again and retried): a lost or doubled update would show in the sums."""
    rng = random.Random(seed)
    done: collections.Counter[str] = collections.Counter()
    process = _process(client)
    while sum(done.values()) < count:
        mid = rng.choice(MILESTONES)
        path = f"/api/projects/P001/milestones/{mid}"
        m = client.get(path).json()
        r = client.patch(path, json={"version": m["version"], "progress": round(m["progress"] + 0.01, 2)})
        if r.status_code == 409:
            continue
        assert r.status_code == 200, r.text
        done[mid] += 1
    assert _process(client) == process  # the same connection, so the same process, throughout
    return process, done


@pytest.mark.postgres
def test_three_processes_share_one_database(tmp_path: Path, postgres_url: str) -> None:
    pg.run(pg.reset_database(postgres_url))
    hook = Hook()
    receiver = start_hook(hook)
    env = {**os.environ, "DUBAN_TODAY": "2026-05-06", "DUBAN_DATABASE_URL": postgres_url, "DUBAN_DEMO": "0",
           "DUBAN_COOKIE_SECURE": "0"}
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(_portfolio(hook.url()), allow_unicode=True))

    def duban(*args: str) -> str:
        r = subprocess.run([str(DUBAN), *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=120, check=False)
        assert r.returncode == 0, r.stderr
        return r.stdout

    duban("import", str(tmp_path / "p.yaml"))
    token = duban("users", "add", "chief", "--role", "office", "--password", "long enough pw",
                  "--token").strip().rsplit(" ", 1)[-1]
    running = start(tmp_path, {"DUBAN_DEMO": "0", "DUBAN_COOKIE_SECURE": "0"}, database_url=postgres_url,
                    args=("--workers", "3"))
    try:
        clients = _by_process(running, token, per=2)
        office = next(iter(clients.values()))[0]
        number = office.post("/api/rulebooks", json={"sources": RULES}).json()["number"]
        assert office.post(f"/api/rulebooks/{number}/check").status_code < 300
        assert office.post(f"/api/rulebooks/{number}/publish").status_code < 300

        # Six clients, two on each process, report at once.
        work = [c for cs in clients.values() for c in cs]
        with concurrent.futures.ThreadPoolExecutor(len(work)) as pool:
            results = list(pool.map(_report_increments, work, range(len(work)), [8] * len(work)))
        assert {p for p, _ in results} == set(clients)  # every process took reports
        made: collections.Counter[str] = sum((done for _, done in results), collections.Counter())
        assert sum(made.values()) == 48

        # No update lost or doubled: each milestone holds its count, once per version and history row.
        stored = {r["mid"]: r for r in _sql(postgres_url, "SELECT mid, progress, version FROM projects_milestone")}
        history = collections.Counter(r["mid"] for r in _sql(
            postgres_url, "SELECT mid FROM projects_milestone_report WHERE actor = 'chief'"))
        audited = collections.Counter(r["subject"] for r in _sql(
            postgres_url, "SELECT subject FROM api_audit WHERE action = 'milestone.report'"))
        for mid in MILESTONES:
            assert round(float(stored[mid]["progress"]), 2) == made[mid] / 100
            assert stored[mid]["version"] == 1 + made[mid]
            assert audited[f"milestone:P001/{mid}"] == history[mid] == made[mid]

        # Each crossing issued one notice, and each message reached the receiver once.
        notices = _sql(postgres_url, "SELECT code, subject, level FROM notifier_notice")
        per = collections.Counter((n["subject"], n["level"]) for n in notices)
        assert set(per.values()) == {1}
        for mid in MILESTONES:
            levels = {lvl for (s, lvl) in per if s == f"milestone:P001/{mid}"}
            want = {"yellow", "red"} if made[mid] >= 6 else {"yellow"} if made[mid] >= 3 else set()
            assert levels == want, (mid, made[mid], levels)
        outbox = _delivered(postgres_url)
        assert {r["state"] for r in outbox} == {"delivered"} and {r["attempts"] for r in outbox} == {1}
        received = collections.Counter(zip(hook.codes(), (m["title"] for m in hook.received), strict=True))
        assert len(received) == len(outbox) == len(hook.received) and set(received.values()) == {1}
        assert {c for c, _ in received} == {r["notice"] for r in outbox}

        # One delivery worker; every process's snapshot at the latest revision and values.
        holders = _sql(postgres_url, f"SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                                     f"AND objid = {DELIVERY_LOCK_KEY} AND database = {OWN_DATABASE}")
        assert len(holders) == 1 and len(set(_elected(running))) == 1
        revision = _sql(postgres_url, "SELECT revision FROM projects_revision")[0]["revision"]
        # (uvicorn closes a connection idle for 5 s: reach each process anew)
        again = _by_process(running, token, per=1)
        assert set(again) == set(clients)
        for process, (c,) in again.items():
            health = c.get("/api/health").json()
            assert (health["process"], health["revision"]) == (process, revision)
            listed = {m["id"]: (m["version"], m["progress"])
                      for m in c.get("/api/milestones", params={"project": "P001"}).json()["items"]}
            c.close()
            assert {mid: listed[mid] for mid in MILESTONES} == {
                mid: (1 + made[mid], made[mid] / 100) for mid in MILESTONES}

        # The delivering process dies: another one takes the delivery over.
        (first,) = set(_elected(running))
        os.kill(first, signal.SIGKILL)
        end = time.monotonic() + 90
        while time.monotonic() < end and not [p for p in _elected(running) if p != first]:
            time.sleep(0.3)
        (second,) = {p for p in _elected(running) if p != first}
        late = _client(running, token)
        m = late.get("/api/projects/P001/milestones/late").json()
        r = late.patch("/api/projects/P001/milestones/late", json={"version": m["version"], "progress": 0.5})
        assert r.status_code == 200, r.text
        outbox = _delivered(postgres_url)
        (code,) = [n["code"] for n in _sql(postgres_url, "SELECT code FROM notifier_notice "
                                                         "WHERE subject = 'milestone:P001/late'")]
        assert hook.codes().count(code) == 1 and {r["state"] for r in outbox} == {"delivered"}
        assert second != first
    finally:
        for cs in locals().get("clients", {}).values():
            for c in cs:
                c.close()
        stop(running)
        receiver.shutdown()
        receiver.server_close()


def test_sqlite_refuses_more_than_one_process(tmp_path: Path) -> None:
    """On SQLite `--workers 2` is refused before anything starts, saying why in zh and en."""
    env = {**os.environ, "DUBAN_DEMO": "0"}
    env.pop("DUBAN_DATABASE_URL", None)
    r = subprocess.run([str(DUBAN), "serve", "--workers", "2", "--port", "9"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 2
    assert "多进程需要 PostgreSQL" in r.stderr and "several processes need PostgreSQL" in r.stderr
    assert "DUBAN_DATABASE_URL=postgresql://" in r.stderr
    assert not (tmp_path / "duban.sqlite").exists()  # refused before the database was opened


@pytest.mark.parametrize("bad", ["0", "-1", "three", "65"])
def test_a_bad_number_of_processes_is_refused(tmp_path: Path, bad: str) -> None:
    r = subprocess.run([str(DUBAN), "serve", "--workers", bad], cwd=tmp_path, env={**os.environ},
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 2 and "1 到 64" in r.stderr and repr(bad) in r.stderr
