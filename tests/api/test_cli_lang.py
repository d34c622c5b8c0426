"""The command line speaks zh-CN first, English as the alternative: ``--lang`` before the
command, else ``DUBAN_LANG``, else the locale; a year without holiday data is warned of once
per process, in the language spoken."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main
from api.commands.lang import choose, split

ROOT = Path(__file__).resolve().parents[2]
PORTFOLIO = """\
units:
  - {id: transport, name: 市交通运输局}
projects:
  - id: P001
    name: 海东大道改造工程
    unit: transport
    milestones:
      - {id: tender, name: 施工招标, kind: tendering, due: 2027-03-01}
      - {id: build, name: 主体施工, kind: progress, due: 2027-06-01, after: [tender]}
"""


def test_the_language_is_chosen_by_flag_then_environment_then_locale() -> None:
    """``--lang`` before the command wins; a command's own ``--lang`` (rules fmt) is not the
    language; then DUBAN_LANG, then LC_ALL / LC_MESSAGES / LANG; C or nothing speaks Chinese."""
    assert choose(["--lang", "en", "check", "p.yaml"], {}) == "en"
    assert choose(["--lang=zh", "check"], {"DUBAN_LANG": "en"}) == "zh"
    assert choose(["rules", "fmt", "--lang", "en", "x.rules"], {}) == "zh"
    assert split(["rules", "fmt", "--lang", "en"]) == (None, "rules")
    assert split(["--lang", "en", "check"]) == ("en", "check")
    assert choose(["check"], {"DUBAN_LANG": "en", "LANG": "zh_CN.UTF-8"}) == "en"
    assert choose(["check"], {"LANG": "en_US.UTF-8"}) == "en"
    assert choose(["check"], {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}) == "zh"
    assert choose(["check"], {"LANG": "C.UTF-8"}) == "zh"
    assert choose([], {}) == "zh"


def test_messages_and_help_speak_chinese_first_and_english_when_asked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing file, a bad day and the help read in Chinese; with --lang en in English."""
    assert main(["check", str(tmp_path / "none.yaml"), "--as-of", "2026-02-30"]) == 1
    assert "--as-of：`2026-02-30` 不是日期，请写成 2026-05-25 这样的形式" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "none.yaml")]) == 1
    assert f"{tmp_path / 'none.yaml'}：没有这个文件" in capsys.readouterr().err
    assert main(["--lang", "en", "check", str(tmp_path / "none.yaml")]) == 1
    assert f"{tmp_path / 'none.yaml'}: no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("用法：duban check") and "组合文件（.yaml 或 .json）" in out and "显示本帮助并退出" in out
    with pytest.raises(SystemExit):
        main(["chek"])
    assert "错误：参数 命令：无效的选择 'chek'" in capsys.readouterr().err
    assert main(["rules", "lint", str(ROOT / "rules" / "standard")]) == 0
    assert capsys.readouterr().out.startswith("无误：")


def test_lint_says_ok_and_each_rules_cost_in_chinese_and_in_english_when_asked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The cost lines give what made the cost in the language spoken: which collection is
    walked over what (「存在遍历 p.节点清单（约 100 个）」), or that none is."""
    (tmp_path / "a.rules").write_text(
        'rule paid_early "先付款":\n    for project p\n'
        '    light red when any(m in p.milestones where m.paid > 0)\n'
        'rule late "逾期":\n    for milestone m\n    light red when today > m.due\n', encoding="utf-8")
    assert main(["rules", "lint", str(tmp_path / "a.rules")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("无误：2 条规则，0 个评分")
    assert "paid_early：每个项目" in out and "（存在遍历 p.节点清单（约 100 个））" in out
    assert "late：每个节点" in out and "（无集合遍历）" in out
    assert "over" not in out and "no collections" not in out
    assert main(["--lang", "en", "rules", "lint", str(tmp_path / "a.rules")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: 2 rules, 0 scores")
    assert "any over p.milestones (~100)" in out and "late: " in out and "(no collections)" in out


def test_the_2027_warning_is_said_once_per_process_in_chinese(tmp_path: Path) -> None:
    """``rules lint --against`` replays many days over several calendars into 2027: one warning,
    in Chinese, not a line of Python; DUBAN_LANG=en says it in English, once too."""
    (tmp_path / "p.yaml").write_text(PORTFOLIO, encoding="utf-8")
    args = [sys.executable, "-m", "api.cli", "rules", "lint", str(ROOT / "rules" / "standard"),
            "--against", str(tmp_path / "p.yaml"), "--as-of", "2027-07-01"]
    env = {k: v for k, v in os.environ.items() if k not in ("DUBAN_LANG", "LC_ALL", "LC_MESSAGES")}
    ran = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
                         env={**env, "LANG": "C.UTF-8"})
    assert ran.returncode == 0, ran.stderr
    said = [line for line in (ran.stdout + ran.stderr).splitlines() if "2027 年的法定节假日" in line]
    assert said == ["警告：cn 日历没有 2027 年的法定节假日数据，2027 年暂按周一至周五计算工作日；"
                    "可用日历文件补上该年（- year: 2027, holidays: [...], workdays: [...]）以计入节假日"]
    assert "calendar.py" not in ran.stderr
    ran = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
                         env={**env, "DUBAN_LANG": "en"})
    assert sum("no statutory holiday data for 2027" in line for line in ran.stderr.splitlines()) == 1


@pytest.mark.parametrize(("args", "said"), [
    ([], ["p.yaml:3: units[1]: 未知字段「parnt」，是否想写「parent」？",
          "p.yaml:5: projects[0].milestones[0].after: 节点依赖成环", "2 处问题，组合文件未载入"]),
    (["--lang", "en"], ['p.yaml:3: units[1]: unknown field "parnt"; did you mean "parent"?',
                        "p.yaml:5: projects[0].milestones[0].after: dependency cycle", "2 problem(s)"]),
])
def test_a_refused_portfolio_is_explained_in_the_language_spoken(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: list[str]) -> None:
    """Each problem of a refused file in zh (English with --lang en), its place said once."""
    bad = tmp_path / "p.yaml"
    bad.write_text("units:\n  - {id: transport, name: 市交通运输局}\n  - {id: x, name: X, parnt: transport}\n"
                   "projects:\n  - {id: P1, name: 工程, unit: transport, milestones: [{id: a, name: A, kind: approval,"
                   " due: 2027-03-01, after: [b]}, {id: b, name: B, kind: approval, due: 2027-03-01, after: [a]}]}\n",
                   encoding="utf-8")
    assert main([*args, "check", str(bad)]) != 0
    err = capsys.readouterr().err
    for text in said:
        assert text in err, (text, err)
    assert err.count(str(bad)) == 2  # once per problem, not twice on a line


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_commands_help_prints_in_both_languages(lang: str) -> None:
    """``--help`` of every command and sub-command formats (a bare ``%`` in a help text made
    ``duban rules test --help`` a traceback in Chinese)."""
    import argparse  # noqa: PLC0415

    from api.cli import build_parser  # noqa: PLC0415
    from api.commands.lang import lang as spoken  # noqa: PLC0415
    from api.commands.lang import use  # noqa: PLC0415

    before = spoken()
    use(lang)
    try:
        pending, seen = [build_parser()], 0
        while pending:
            parser = pending.pop()
            assert parser.format_help()
            seen += 1
            for action in parser._actions:
                if isinstance(action, argparse._SubParsersAction):
                    pending.extend(action.choices.values())
    finally:
        use(before)
    assert seen > 10  # every command and sub-command was formatted, not only the top
