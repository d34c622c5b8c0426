"""The audit chain keyed with the server's secret and anchored outside the database (issue 15.13).

On copies of a real database, an attacker who holds the database edits, deletes and rehashes;
``duban audit verify`` (the real command) with the anchor an export carried finds each of it.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from api import audit, keys
from api.app import create_app
from api.settings import Settings
from tests import pg
from tests.api.conftest import TODAY, seed

DUBAN = Path(sys.executable).with_name("duban")
SECRET = "test-secret"


@dataclass
class Made:
    db: Path
    anchor: str  # from the JSON export's header
    entries: int


async def _open(db: Path) -> tuple[object, httpx.AsyncClient]:
    app = create_app(Settings(database_url=f"sqlite:///{db}", secret_key=SECRET, cookie_secure=False, today=TODAY))
    for hook in app.on_startup:
        await hook(app)
    return app, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def _close(app: object, client: httpx.AsyncClient) -> None:
    await client.aclose()
    for hook in app.on_shutdown:  # type: ignore[attr-defined]
        await hook(app)


async def _make(db: Path) -> Made:
    """A database at ``db`` with 64 audit entries (milestone reports and unit renames through the
    API), and the anchor the office's export carried."""
    app, client = await _open(db)
    try:
        tokens = await seed(app.state.server)  # type: ignore[attr-defined]
        office = {"Authorization": f"Bearer {tokens['office']}"}
        for v in range(1, 5):
            r = await client.patch("/api/projects/P001/milestones/tender", headers=office,
                                   json={"version": v, "progress": v / 10})
            assert r.status_code == 200, r.text
        for i in range(60):
            r = await client.patch("/api/units/water", headers=office, json={"name": f"市水务局 {i}"})
            assert r.status_code == 200, r.text
        exported = await client.get("/api/portfolio", headers=office)
        anchor = exported.headers[audit.HEADER]
        book = await client.get("/api/portfolio.xlsx", headers=office)
        props = {p.name: p.value for p in load_workbook(io.BytesIO(book.content)).custom_doc_props.props}
        assert props[audit.PROPERTY] == book.headers[audit.HEADER] == anchor
    finally:
        await _close(app, client)
    assert anchor.startswith("64:")
    return Made(db, anchor, 64)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Made:
    """The database of ``_make``, made once for the module (64 requests through the API) on an
    event loop of its own."""
    return pg.run(_make(tmp_path_factory.mktemp("anchor") / "duban.sqlite"))


@pytest.fixture
def made(built: Made, tmp_path: Path) -> Made:
    """A copy of the module's database of 64 audit entries, the test's own, and its anchor."""
    db = tmp_path / "duban.sqlite"
    with sqlite3.connect(built.db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    return Made(db, built.anchor, built.entries)


def _copy(made: Made, name: str) -> Path:
    """A consistent copy of the database file (what an attacker works on)."""
    target = made.db.with_name(name)
    with sqlite3.connect(made.db) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def _verify(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DUBAN_DATABASE_URL": f"sqlite:///{db}", "DUBAN_SECRET_KEY": SECRET}
    return subprocess.run([str(DUBAN), "audit", "verify", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def _rows(con: sqlite3.Connection) -> list[dict[str, object]]:
    cur = con.execute("SELECT seq, at, actor, action, subject, before, after, prev_hash, hash FROM api_audit ORDER BY seq")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _rehash(db: Path, start: int, digest: object) -> None:
    """Rewrite every hash and link from entry ``start`` on with ``digest(body_bytes)``."""
    with sqlite3.connect(db) as con:
        rows = _rows(con)
        prev = rows[start - 2]["hash"] if start > 1 else audit.GENESIS
        for r in rows[start - 1:]:
            body = {"seq": r["seq"], "at": r["at"], "actor": r["actor"], "action": r["action"],
                    "subject": r["subject"], "before": json.loads(str(r["before"])),
                    "after": json.loads(str(r["after"])), "prev_hash": prev}
            new = digest(audit.canonical(body).encode())  # type: ignore[operator]
            con.execute("UPDATE api_audit SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, new, r["seq"]))
            prev = new


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _with_the_key(data: bytes) -> str:
    return hmac.new(keys.derive(SECRET, "audit-chain").encode(), data, hashlib.sha256).hexdigest()


def test_the_intact_copy_verifies_against_its_anchor(made: Made) -> None:
    """`duban audit verify --head` on an untouched copy passes and prints the same anchor."""
    done = _verify(_copy(made, "same.sqlite"), "--head", made.anchor)
    assert done.returncode == 0, done.stderr
    assert "审计链共 64 条" in done.stdout and made.anchor in done.stdout


def test_deleting_the_last_50_entries_fails_with_the_anchor(made: Made) -> None:
    """Fifty entries cut from the end leave a valid shorter chain; the anchor finds them missing."""
    db = _copy(made, "cut.sqlite")
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM api_audit WHERE seq > ?", (made.entries - 50,))
    assert _verify(db).returncode == 0  # what a chain alone cannot prove, said plainly
    done = _verify(db, "--head", made.anchor)
    assert done.returncode == 1
    assert "审计链只有 14 条" in done.stderr and "removed from its end" in done.stderr


def test_editing_an_entry_and_rehashing_without_the_key_fails(made: Made) -> None:
    """An entry edited and the chain rehashed with plain sha256 fails at that entry, anchor or not."""
    db = _copy(made, "edited.sqlite")
    with sqlite3.connect(db) as con:
        con.execute("UPDATE api_audit SET actor = 'leader' WHERE seq = 10")
    _rehash(db, 10, _sha256)
    for args in ((), ("--head", made.anchor)):
        done = _verify(db, *args)
        assert done.returncode == 1 and "entry 10" in done.stderr, done.stderr


def test_rehashing_with_the_key_still_fails_against_the_anchor(made: Made) -> None:
    """Even an attacker holding the key, who edits entry 10 and re-keys the chain, is caught by the anchor."""
    db = _copy(made, "forged.sqlite")
    with sqlite3.connect(db) as con:
        con.execute("UPDATE api_audit SET after = '{\"name\":\"改过\"}' WHERE seq = 10")
    _rehash(db, 10, _with_the_key)
    assert _verify(db).returncode == 0
    done = _verify(db, "--head", made.anchor)
    assert done.returncode == 1 and f"entry {made.entries} is not the one anchored" in done.stderr


def test_removing_the_seal_and_rewriting_unkeyed_fails(made: Made) -> None:
    """The chain rewritten as unkeyed sha256 with the seal deleted does not pass as an old chain."""
    db = _copy(made, "unsealed.sqlite")
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM api_meta WHERE key = 'audit_seal'")
    _rehash(db, 1, _sha256)
    done = _verify(db)
    assert done.returncode == 1 and "没有本服务器密钥的封印" in done.stderr


def test_a_bad_anchor_is_refused_with_its_form(made: Made) -> None:
    """--head that is not N:HEAD is refused (exit 2) saying what an anchor looks like."""
    done = _verify(_copy(made, "x.sqlite"), "--head", "64-abc")
    assert done.returncode == 2 and "N:HEAD" in done.stderr and "不是审计锚点" in done.stderr


async def test_an_unkeyed_chain_is_rekeyed_once_without_losing_entries(made: Made) -> None:
    """A chain written before keying (plain sha256, no seal) is re-keyed at start-up: every entry
    kept as it was, an audit.rekey entry recording the count and the old head; once only."""
    db = _copy(made, "old.sqlite")
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM api_meta WHERE key = 'audit_seal'")
    _rehash(db, 1, _sha256)
    with sqlite3.connect(db) as con:
        before = _rows(con)
    app, client = await _open(db)
    try:
        assert (await audit.verify()).ok
    finally:
        await _close(app, client)
    with sqlite3.connect(db) as con:
        after = _rows(con)
    assert len(after) == len(before) + 1
    fields = ("seq", "at", "actor", "action", "subject", "before", "after")
    assert [{k: r[k] for k in fields} for r in after[:-1]] == [{k: r[k] for k in fields} for r in before]
    marker = after[-1]
    assert marker["action"] == "audit.rekey"
    assert json.loads(str(marker["before"])) == {"scheme": "sha256", "entries": len(before), "head": before[-1]["hash"]}
    assert _verify(db).returncode == 0
    app, client = await _open(db)  # a second start keeps the keyed chain as it is
    await _close(app, client)
    with sqlite3.connect(db) as con:
        assert len(_rows(con)) == len(after)


async def test_a_broken_unkeyed_chain_is_not_rekeyed(made: Made) -> None:
    """An unkeyed chain that does not verify is left as found (never laundered); verify names the break."""
    db = _copy(made, "broken.sqlite")
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM api_meta WHERE key = 'audit_seal'")
    _rehash(db, 1, _sha256)
    with sqlite3.connect(db) as con:
        con.execute("UPDATE api_audit SET subject = 'unit:city' WHERE seq = 7")
    app, client = await _open(db)
    try:
        v = await audit.verify()
        assert not v.ok and v.first_bad == 7
    finally:
        await _close(app, client)
    done = _verify(db)
    assert done.returncode == 1 and "entry 7" in done.stderr

