"""Deeply nested JSON is a located refusal, never a RecursionError (issue 15.11, deep JSON)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.api.conftest import Api

DEEP = '{"units": ' + "[" * 100_000 + "]" * 100_000 + "}"


def test_duban_check_refuses_deep_json_with_a_message_not_a_traceback(tmp_path: Path) -> None:
    """`duban check deep.json` exits 1 naming the nesting, without a Python traceback."""
    (tmp_path / "deep.json").write_text(DEEP)
    duban = Path(sys.executable).with_name("duban")
    r = subprocess.run([str(duban), "check", str(tmp_path / "deep.json")], capture_output=True, text=True,
                       timeout=120, check=False)
    assert r.returncode == 1, r.stderr
    assert "nested more than" in r.stderr and "Traceback" not in r.stderr


async def test_posting_deep_json_as_a_portfolio_is_a_400_not_a_500(api: Api) -> None:
    """POST /api/portfolio with 100,000 nested arrays answers 400 with a message."""
    r = await api.client.post("/api/portfolio", content=DEEP, headers={**api.auth("office"),
                                                                       "content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["message"]
