"""Test-cost password hashes stay in the tests: production hashes at OWASP's argon2id setting
(m=19456, t=2, p=1), ``duban serve`` refuses to listen beyond loopback with the test setting, and a
hash stored at another cost is stored anew at today's when its owner signs in."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from api import users
from api.tables import AuditRow, UserRow
from tests.api.conftest import PASSWORD, Api

ROOT = Path(__file__).resolve().parents[2]


def _hash_in_a_fresh_process(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != users.CHEAP_HASHES_VARIABLE}
    out = subprocess.run([sys.executable, "-c", "from api import users; print(users.hash_password('x' * 12))"],
                         env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_production_hashes_use_owasps_argon2id_setting() -> None:
    stored = _hash_in_a_fresh_process()
    assert stored.startswith("$argon2id$") and "m=19456,t=2,p=1" in stored


def test_the_test_setting_makes_hashes_cheap_and_they_still_verify() -> None:
    stored = _hash_in_a_fresh_process(**{users.CHEAP_HASHES_VARIABLE: "1"})
    assert "m=8,t=1,p=1" in stored
    assert users.check_password(stored, "x" * 12)
    assert users.check_password(_hash_in_a_fresh_process(), "x" * 12)  # a production hash here


def test_serve_refuses_to_listen_beyond_loopback_with_test_hashes(tmp_path: Path) -> None:
    env = {**os.environ, users.CHEAP_HASHES_VARIABLE: "1",
           "DUBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    done = subprocess.run([sys.executable, "-m", "api.cli", "serve", "--host", "0.0.0.0", "--port", "9"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert users.CHEAP_HASHES_VARIABLE in done.stderr and "loopback" in done.stderr
    assert not (tmp_path / "x.sqlite").exists()


async def _stored(username: str) -> str:
    row = await UserRow.select(UserRow.password_hash).where(UserRow.username == username).first()
    return str(row["password_hash"])


async def _sign_in(api: Api, username: str, password: str) -> int:
    api.client.cookies.clear()
    await api.client.get("/login")
    r = await api.client.post("/login", data={"username": username, "password": password, "next": "/api/me",
                                              "_csrf_token": api.client.cookies["csrftoken"]})
    return r.status_code


async def test_a_hash_of_the_old_cost_is_stored_anew_when_its_owner_signs_in(
        api: Api, caplog: pytest.LogCaptureFixture) -> None:
    """The leader's stored hash is at argon2-cffi's default cost (m=64 MiB, t=3, p=4: what duban
    stored before). A wrong password is refused and leaves it; the right one signs in and stores
    a hash of today's cost in its place, with which the same password signs in again (no third
    hash); the office's hash is untouched; no hash is in an answer, the audit trail or the log
    (at INFO: ``duban serve`` keeps WARNING and above; the database drivers' DEBUG tracing of
    every query's values is off)."""
    caplog.set_level(logging.INFO)
    old = PasswordHasher().hash(PASSWORD)
    assert "m=65536,t=3,p=4" in old and users.needs_rehash(old)
    async with api.server.writing():
        await UserRow.update({UserRow.password_hash: old}).where(UserRow.username == "leader")
    office = await _stored("office")
    answers = []

    assert await _sign_in(api, "leader", "not the password") == 401
    assert await _stored("leader") == old
    assert await _sign_in(api, "leader", PASSWORD) == 303
    me = await api.client.get("/api/me")
    answers += [me.text, str(me.headers)]
    assert me.status_code == 200 and me.json()["username"] == "leader"
    upgraded = await _stored("leader")
    assert upgraded != old and upgraded.startswith("$argon2id$") and not users.needs_rehash(upgraded)
    assert users.check_password(upgraded, PASSWORD) and not users.check_password(upgraded, "not the password")

    assert await _sign_in(api, "leader", PASSWORD) == 303
    assert await _stored("leader") == upgraded
    assert await _sign_in(api, "leader", "not the password") == 401
    assert await _stored("office") == office
    users_answer = await api.client.get("/api/users", headers=api.auth("office"))
    audit = await api.client.get("/api/audit", params={"limit": 200}, headers=api.auth("office"))
    answers += [users_answer.text, audit.text]
    trail = str(await AuditRow.select())
    for text in [*answers, trail, caplog.text]:
        for stored in (old, upgraded):
            assert stored not in text and stored.rsplit("$", 1)[1] not in text


async def test_an_upgrade_never_writes_over_a_password_changed_meanwhile(api: Api) -> None:
    """A sign-in's hash made anew is stored only over the very hash it replaces: when the office
    changed the password between the check and the write, the new password's hash stays."""
    old = PasswordHasher().hash(PASSWORD)
    async with api.server.writing():
        await UserRow.update({UserRow.password_hash: old}).where(UserRow.username == "unit")
    signed_in = await users.authenticate("unit", PASSWORD)
    assert signed_in is not None and signed_in.rehashed is not None and signed_in.stale == old
    assert "$argon2" not in repr(signed_in)
    r = await api.client.patch("/api/users/unit", json={"password": "a brand new passphrase"},
                               headers=api.auth("office"))
    assert r.status_code == 200, r.text
    changed = await _stored("unit")
    async with api.server.writing():
        assert await users.upgrade_hash(signed_in) is False
    assert await _stored("unit") == changed
    assert users.check_password(changed, "a brand new passphrase") and not users.check_password(changed, PASSWORD)
