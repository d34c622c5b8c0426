"""Test-cost password hashes stay in the tests: production hashes at argon2's default cost, and
``duban serve`` refuses to listen beyond loopback with the test setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from api import users

ROOT = Path(__file__).resolve().parents[2]


def _hash_in_a_fresh_process(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != users.CHEAP_HASHES_VARIABLE}
    out = subprocess.run([sys.executable, "-c", "from api import users; print(users.hash_password('x' * 12))"],
                         env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_production_hashes_keep_argon2s_default_cost() -> None:
    stored = _hash_in_a_fresh_process()
    assert stored.startswith("$argon2id$") and "m=65536,t=3,p=4" in stored


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
