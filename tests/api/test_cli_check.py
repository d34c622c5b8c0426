"""`duban check` and `duban rules lint|test|fmt`, in-process and once as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main

ROOT = Path(__file__).resolve().parents[2]
PORTFOLIO = """
units:
  - {id: city, name: 市人民政府}
  - {id: transport, name: 市交通运输局, parent: city}
projects:
  - id: P001
    name: 海东大道改造工程
    category: project
    unit: transport
    milestones:
      - {id: tender, name: 施工招标, kind: tendering, start: 2026-04-01, due: 2026-04-30}
"""
RULES = """
rule tender_overdue "招标节点逾期":
    for milestone m where m.kind == tendering and not m.done
    light yellow when today > m.due
    light red when today > m.due + 10 workdays
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "p.yaml").write_text(PORTFOLIO, encoding="utf-8")
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "t.rules").write_text(RULES, encoding="utf-8")
    return tmp_path


def test_check_json_and_fail_on(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """check --json prints the evaluation; --fail-on yellow exits 3 when a yellow lit."""
    code = main(["--lang", "en", "check", str(files / "p.yaml"), "--rules", str(files / "r"), "--as-of",
                 "2026-05-06", "--json", "--fail-on", "yellow"])
    out = json.loads(capsys.readouterr().out)
    assert code == 3
    assert [(f["rule"], f["level"]) for f in out["findings"]] == [("tender_overdue", "yellow")]
    assert main(["--lang", "en", "check", str(files / "p.yaml"), "--rules", str(files / "r"), "--as-of",
                 "2026-05-06", "--fail-on", "red"]) == 0


def test_check_defaults_to_standard_rulebook(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --rules the standard rulebook runs and the text report groups by level."""
    assert main(["check", str(files / "p.yaml"), "--as-of", "2026-06-01"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("督办检查（截至 2026-06-01）：红灯 ") and "招标节点逾期" in out
    assert "\n红灯 (" in out and "办结率：按期完成率" in out
    assert main(["--lang", "en", "check", str(files / "p.yaml"), "--as-of", "2026-06-01"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("duban check as of 2026-06-01: ") and "\nred (" in out


def test_check_refuses_bad_inputs(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad date, a rule error with caret, and a broken portfolio each exit 1 with a message."""
    assert main(["--lang", "en", "check", str(files / "p.yaml"), "--as-of", "2026-02-30"]) == 1
    assert "--as-of: `2026-02-30` is not a date" in capsys.readouterr().err
    (files / "r" / "t.rules").write_text(RULES.replace("m.due + 10", "m.dew + 10"), encoding="utf-8")
    assert main(["--lang", "en", "check", str(files / "p.yaml"), "--rules", str(files / "r")]) == 1
    err = capsys.readouterr().err
    assert f"{files / 'r' / 't.rules'}:5:" in err and "did you mean `due`?" in err and "^" in err
    (files / "p.yaml").write_text(PORTFOLIO.replace("unit: transport", "unit: transprt"),
                                  encoding="utf-8")
    assert main(["--lang", "en", "check", str(files / "p.yaml")]) == 1
    assert "transprt" in capsys.readouterr().err


def test_rules_lint_test_fmt(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """lint passes the standard rulebook, test runs its cases, fmt --check reports and fmt rewrites."""
    assert main(["--lang", "en", "rules", "lint", str(ROOT / "rules" / "standard")]) == 0
    assert main(["--lang", "en", "rules", "test", str(ROOT / "rules" / "standard")]) == 0
    assert " 0 failed" in capsys.readouterr().out
    messy = files / "r" / "t.rules"
    messy.write_text("rule  x :  for milestone m light red when m.done\n", encoding="utf-8")
    assert main(["--lang", "en", "rules", "fmt", "--check", str(messy)]) == 1
    main(["--lang", "en", "rules", "fmt", str(messy)])
    assert main(["--lang", "en", "rules", "fmt", "--check", str(messy)]) == 0


@pytest.mark.parametrize(("text", "place", "words"), [
    ("rule a: for milestone m light red when m.overdue > " + "9" * 5000, ":1:52:", "too large"),
    ("rule a: for milestone m light red when today > m.due + 99999999999 days", ":1:56:",
     "out of range"),
    ("\n".join(["const c0 = 1"] + [f"const c{i} = c{i - 1} + 1" for i in range(1, 300)])
     + "\nrule a: for milestone m light red when m.overdue > c299", ":65:7:", "chain"),
    ("rule a: for milestone m light red when m.overdue > " + "9" * 400 + ".5", ":1:52:",
     "too large"),
])
def test_lint_locates_what_crashed_the_compiler(files: Path, capsys: pytest.CaptureFixture[str],
                                                text: str, place: str, words: str) -> None:
    """Text that raised ValueError, OverflowError or RecursionError (or compiled to `inf`)
    exits 1 with a located diagnostic, no traceback."""
    bad = files / "r" / "t.rules"
    bad.write_text(text + "\n", encoding="utf-8")
    assert main(["--lang", "en", "rules", "lint", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}{place}" in err and words in err and "Traceback" not in err


def test_real_subprocess(files: Path) -> None:
    """The installed `duban` script runs check end to end."""
    exe = ROOT / ".venv" / "bin" / "duban"
    done = subprocess.run([str(exe) if exe.exists() else sys.executable, "check",
                           str(files / "p.yaml"), "--rules", str(files / "r"), "--as-of",
                           "2026-06-01", "--json", "--fail-on", "red"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 3, done.stderr
    assert json.loads(done.stdout)["findings"][0]["level"] == "red"


def test_a_calendar_warning_reads_as_one_line_without_source_code(files: Path) -> None:
    """A year the calendar does not cover warns once, as `warning: ...` naming the year and the
    fix, not as a Python source location with a line of code."""
    (files / "late.yaml").write_text(PORTFOLIO.replace("2026-04-30", "2027-03-01"), encoding="utf-8")
    ran = subprocess.run([sys.executable, "-m", "api.cli", "--lang", "en", "check", str(files / "late.yaml"), "--rules",
                          str(files / "r"), "--as-of", "2026-05-06"], cwd=ROOT, capture_output=True,
                         text=True, check=False, timeout=120)
    assert ran.returncode == 0, ran.stderr
    lines = [line for line in ran.stderr.splitlines() if line.strip()]
    assert lines == [line for line in lines if line.startswith("warning: ")]
    assert sum("no statutory holiday data for 2027" in line for line in lines) == 1
    assert "calendar.py" not in ran.stderr


def test_each_command_module_registers_the_commands_the_cli_routes_to_it() -> None:
    """``api.cli.COMMAND_MODULES`` names what each module registers, so that ``duban check``
    builds only its own parser; a command added to a module and not listed would be lost."""
    import argparse  # noqa: PLC0415
    import importlib  # noqa: PLC0415

    from api.cli import COMMAND_MODULES  # noqa: PLC0415

    for name, commands in COMMAND_MODULES.items():
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(name).register(sub)
        assert tuple(sub.choices) == commands, name


def test_check_imports_neither_the_server_nor_the_database() -> None:
    """``duban check`` loads only what checking needs (the server's imports take ~0.5 s)."""
    code = ("import sys; from api.cli import main; main(['check', '--help'])")
    probe = ("import sys, runpy, atexit\n"
             "atexit.register(lambda: print('MODULES', sorted(m for m in sys.modules "
             "if m.split('.')[0] in ('litestar', 'piccolo', 'api', 'uvicorn'))))\n" + code)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], check=False).stdout
    loaded = out.rpartition("MODULES ")[2]
    assert "api.cli" in loaded and "api.commands.check" in loaded
    for heavy in ("'litestar'", "'piccolo'", "'api.service'", "'api.commands.server'"):
        assert heavy not in loaded, heavy
