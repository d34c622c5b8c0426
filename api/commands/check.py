"""`duban check` and `duban rules lint|test|fmt`: run rulebooks over portfolio files, no server.

This is the edge: it reads files, the clock (today in Asia/Shanghai, for the loader's "finished
later than today" check and as the default ``--as-of``) and prints. ``--rules`` takes files or
directories of ``.rules``; without it the standard rulebook (``rules/standard``) runs.
Exit status: 0 ran, 1 input refused (every error on stderr), 3 a finding at or above
``--fail-on`` lit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from api.commands.lang import lang, say, warning_text

EXIT_OK, EXIT_REFUSED, EXIT_FAIL_ON = 0, 1, 3


def _today() -> dt.date:
    from zoneinfo import ZoneInfo  # noqa: PLC0415 (the standard library's; pendulum costs 25 ms)

    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


_SHOWN: set[str] = set()  # the warnings this process has printed


def _err(text: str) -> None:
    print(text, file=sys.stderr)


@contextmanager
def _calendar_warnings() -> Iterator[None]:
    """Calendar fallback warnings, each printed once per process to stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        text = warning_text(w.message)
        if text not in _SHOWN:  # once per process, however many calendars meet the year
            _SHOWN.add(text)
            _err(text)


def rule_sources(paths: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """``{file name: text}`` of the ``.rules`` files named or inside the directories named."""
    sources: dict[str, str] = {}
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(path.rglob("*.rules"))
            if not files:
                problems.append(say(f"{raw}：此目录中没有 .rules 文件", f"{raw}: no .rules files in this directory"))
        elif path.is_file():
            files = [path]
        else:
            problems.append(say(f"{raw}：没有这个文件或目录", f"{raw}: no such file or directory"))
            continue
        for f in files:
            try:
                sources[str(f)] = f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(say(f"{f}：无法读取：{exc}", f"{f}: cannot read: {exc}"))
    return sources, problems


def _compile(paths: Sequence[str] | None, *, probes: bool = False,
             max_cost: int | None = None, analysis: bool = False) -> Any:
    """The compiled rulebook, or ``None`` after printing every error."""
    from dsl import RulebookError, compile_rulebook  # noqa: PLC0415
    from rules.standard import standard_sources  # noqa: PLC0415

    if paths:
        sources, problems = rule_sources(paths)
        if problems:
            for p in problems:
                _err(p)
            return None
    else:
        sources = standard_sources()
    try:
        if max_cost is not None:
            return compile_rulebook(sources, probes=probes, max_cost=max_cost, analysis=analysis)
        return compile_rulebook(sources, probes=probes, analysis=analysis)
    except RulebookError as exc:
        for d in exc.diagnostics:
            _err(d.render())
        _err(say(f"{len(exc.diagnostics)} 处错误，规则集未运行", f"{len(exc.diagnostics)} error(s); the rulebook was not run"))
        return None


def _not_a_day(text: str | None) -> str:
    return say(f"--as-of：`{text}` 不是日期，请写成 2026-05-25 这样的形式",
               f"--as-of: `{text}` is not a date; write an ISO date such as 2026-05-25")


def _parse_day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _load_portfolio(path: str, today: dt.date) -> Any:
    from projects.errors import Problem, ProjectsError  # noqa: PLC0415
    from projects.loader import load_portfolio  # noqa: PLC0415

    if not Path(path).is_file():
        _err(say(f"{path}：没有这个文件", f"{path}: no such file"))
        return None
    try:
        return load_portfolio(Path(path), today=today)
    except (ProjectsError, ValueError) as exc:  # PortfolioError, CalendarError
        problems = getattr(exc, "problems", (exc,))
        for p in problems:  # a problem of the file names its place already: say the path once
            text = p.located(lang()) if isinstance(p, Problem) else str(p)
            _err(text if getattr(p, "file", None) else f"{path}: {text}")
        _err(say(f"{len(problems)} 处问题，组合文件未载入", f"{len(problems)} problem(s); the portfolio was not loaded"))
    except FileNotFoundError:
        _err(say(f"{path}：没有这个文件", f"{path}: no such file"))
    except OSError as exc:
        _err(say(f"{path}：无法读取：{exc}", f"{path}: cannot read: {exc}"))
    return None


def run_check(args: argparse.Namespace) -> int:
    from projects.model import Level  # noqa: PLC0415
    from rules.engine import evaluate  # noqa: PLC0415
    from rules.report import evaluation_text, write_evaluation_json  # noqa: PLC0415

    today = _today()
    as_of = _parse_day(args.as_of) if args.as_of is not None else today
    if as_of is None:
        _err(_not_a_day(args.as_of))
        return EXIT_REFUSED
    rulebook = _compile(args.rules)
    with _calendar_warnings():
        portfolio = _load_portfolio(args.portfolio, today)
        if rulebook is None or portfolio is None:
            return EXIT_REFUSED
        if args.rule_time_limit is not None:
            import time  # noqa: PLC0415

            evaluation = evaluate(rulebook, portfolio, as_of,
                                  rule_time_limit=args.rule_time_limit, clock=time.monotonic)
        else:
            evaluation = evaluate(rulebook, portfolio, as_of)
    if args.json:
        write_evaluation_json(evaluation, sys.stdout)
    else:
        sys.stdout.write(evaluation_text(evaluation, explain=args.explain, lang=lang(), portfolio=portfolio))
    for failure in evaluation.errors:
        _err(say("错误：", "error: ") + str(failure))
    if args.fail_on:
        threshold = Level(args.fail_on).rank
        if any(f.level.rank >= threshold for f in evaluation.findings):
            return EXIT_FAIL_ON
    return EXIT_OK


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def run_lint(args: argparse.Namespace) -> int:
    from dsl import MAX_COST  # noqa: PLC0415

    bound = MAX_COST if args.max_cost is None else args.max_cost
    rulebook = _compile(args.paths, max_cost=bound, analysis=not args.no_analysis)
    if rulebook is None:
        return EXIT_REFUSED
    print(say(f"无误：{len(rulebook.rules)} 条规则，{len(rulebook.scores)} 个评分",
              f"ok: {_count(len(rulebook.rules), 'rule')}, {_count(len(rulebook.scores), 'score')}"))
    for warning in rulebook.warnings:  # one parse and check for the rulebook and its analysis
        print(warning.render())
    if args.against is not None:
        from dsl.words import file_language  # noqa: PLC0415

        sources = rule_sources(args.paths)[0]
        langs = {name: file_language(text) for name, text in sources.items()}
        status = _never_lit(rulebook, args.against, args.as_of, langs)
        if status is not None:
            return status
    print(say(f"每个对象的估计运算量（按规则的结构估算；上限 {bound:,}）：",
              f"estimated cost per subject (from each rule's shape; bound {bound:,}):"))
    from dsl.words import SUBJECTS_ZH  # noqa: PLC0415

    for rule in sorted(rulebook.rules, key=lambda r: -r.cost):
        print(say(f"  {rule.name}：每个{SUBJECTS_ZH.get(rule.subject, rule.subject)} {rule.cost:,}（{rule.cost_reason_zh}）",
                  f"  {rule.name}: {rule.cost:,} per {rule.subject} ({rule.cost_reason})"))
    for score in rulebook.scores:
        print(say(f"  {score.name}：每个单位 {score.cost:,}", f"  {score.name}: {score.cost:,} per unit"))
    return EXIT_OK


#: The most days ``lint --against`` replays; a longer history is sampled evenly.
MAX_REPLAYED_DAYS = 400


def _never_lit(rulebook: Any, path: str, as_of_text: str | None,
               langs: dict[str, str]) -> int | None:
    """Print the rules that lit on none of the days replayed, each in the language of its
    file's spelling (``langs``); an exit status on bad input."""
    from rules.engine import evaluate  # noqa: PLC0415

    today = _today()
    end = _parse_day(as_of_text) if as_of_text is not None else today
    if end is None:
        _err(_not_a_day(as_of_text))
        return EXIT_REFUSED
    with _calendar_warnings():
        portfolio = _load_portfolio(path, today)
        if portfolio is None:
            return EXIT_REFUSED
        dates = [d for p in portfolio.projects for m in p.milestones
                 for d in (m.start, m.due, m.finished) if d is not None]
        start = min([*dates, end])
        span = (end - start).days + 1
        step = max(1, -(-span // MAX_REPLAYED_DAYS))
        days = [start + dt.timedelta(days=i) for i in range(0, span, step)]
        if days[-1] != end:
            days.append(end)
        lit: set[str] = set()
        for day in days:
            lit.update(f.rule for f in evaluate(rulebook, portfolio, day).findings)
    for rule in rulebook.rules:
        if rule.name in lit:
            continue
        if langs.get(rule.file) == "zh":
            print(f"警告：{rule.file}:{rule.line}: 规则 `{rule.name}` 在 {path} 回放的 {len(days)} 天"
                  f"（{start.isoformat()} 至 {end.isoformat()}）中从未亮灯")
        else:
            print(f"warning: {rule.file}:{rule.line}: rule `{rule.name}` never lit over the "
                  f"{len(days)} days replayed ({start.isoformat()} to {end.isoformat()}) "
                  f"of {path}")
    return None


def run_test(args: argparse.Namespace) -> int:
    from rules.coverage import Coverage  # noqa: PLC0415
    from rules.errors import RuleTestError  # noqa: PLC0415
    from rules.ruletest import find_test_files, load_test_file, run_case  # noqa: PLC0415

    coverage = Coverage() if args.coverage or args.fail_under is not None else None
    rulebook = _compile(args.paths, probes=coverage is not None)
    if rulebook is None:
        return EXIT_REFUSED
    files = find_test_files(Path(p) for p in args.paths)
    names = {r.name for r in rulebook.rules}
    score_names = {s.name for s in rulebook.scores}
    refused = False
    passed = failed = 0
    with _calendar_warnings():
        for f in files:
            try:
                cases = load_test_file(f, names, score_names)
            except RuleTestError as exc:
                for p in exc.problems:
                    _err(p)
                refused = True
                continue
            for case in cases:
                result = run_case(rulebook, case)
                print(result.render())
                if coverage is not None:
                    coverage.add(rulebook, case.portfolio, case.as_of, case.rules)
                passed += result.passed
                failed += not result.passed
    print(say(f"{passed} 个通过，{failed} 个未通过", f"{passed} passed, {failed} failed"))
    if coverage is not None:
        sys.stdout.write(coverage.render())
        if args.fail_under is not None and coverage.percent() < args.fail_under:
            _err(say(f"亮灯子句覆盖率 {coverage.percent():.1f}% 低于 --fail-under {args.fail_under:g}%",
                     f"light clause coverage {coverage.percent():.1f}% is under "
                     f"--fail-under {args.fail_under:g}%"))
            return EXIT_REFUSED
    if refused:
        return EXIT_REFUSED
    if not files:
        _err(say("没有找到 *.test.yaml 文件", "no *.test.yaml files found"))
        return EXIT_REFUSED
    return EXIT_OK if failed == 0 else EXIT_REFUSED


def run_explain(args: argparse.Namespace) -> int:
    from dsl import RulebookError, compile_rulebook  # noqa: PLC0415
    from dsl.words import file_language  # noqa: PLC0415
    from rules.errors import TraceError  # noqa: PLC0415
    from rules.standard import standard_sources  # noqa: PLC0415
    from rules.trace import trace  # noqa: PLC0415

    today = _today()
    as_of = _parse_day(args.as_of) if args.as_of is not None else today
    if as_of is None:
        _err(_not_a_day(args.as_of))
        return EXIT_REFUSED
    if args.portfolio is None:
        _err(say("--portfolio：请给出对象所在的组合文件（.yaml 或 .json）",
                 "--portfolio: give the portfolio file (.yaml or .json) the subject is in"))
        return EXIT_REFUSED
    if args.rules:
        sources, problems = rule_sources(args.rules)
        for p in problems:
            _err(p)
        if problems:
            return EXIT_REFUSED
    else:
        sources = standard_sources()
    try:
        rulebook = compile_rulebook(sources, traces=True)
    except RulebookError as exc:
        for d in exc.diagnostics:
            _err(d.render())
        return EXIT_REFUSED
    with _calendar_warnings():
        portfolio = _load_portfolio(args.portfolio, today)
        if portfolio is None:
            return EXIT_REFUSED
        rule = next((r for r in rulebook.rules if r.name == args.rule), None)
        lang = file_language(sources.get(rule.file, "")) if rule is not None else "en"
        try:
            sys.stdout.write(trace(rulebook, args.rule, args.subject, portfolio, as_of,
                                   lang=lang))
        except TraceError as exc:
            _err(str(exc))
            return EXIT_REFUSED
    return EXIT_OK


def run_fmt(args: argparse.Namespace) -> int:
    from dsl import RulebookError, format_rulebook  # noqa: PLC0415

    sources, problems = rule_sources(args.paths)
    for p in problems:
        _err(p)
    changed: list[str] = []
    formatted: dict[str, str] = {}
    for name, text in sources.items():
        try:
            new = format_rulebook(text, args.lang)
        except RulebookError as exc:
            for d in exc.diagnostics:
                _err(d.render().replace(d.file, name, 1) if d.file != name else d.render())
            problems.append(name)
            continue
        if new != text:
            changed.append(name)
            formatted[name] = new
    if problems:
        return EXIT_REFUSED
    if args.check:
        for name in changed:
            print(say(f"将重新排版 {name}", f"would reformat {name}"))
        return EXIT_REFUSED if changed else EXIT_OK
    for name, text in formatted.items():
        Path(name).write_text(text, encoding="utf-8")
        print(say(f"已重新排版 {name}", f"reformatted {name}"))
    return EXIT_OK


def run_fields(args: argparse.Namespace) -> int:
    """The label of every field a rule reads, by subject, as a Markdown table."""
    from dsl.words import label_table  # noqa: PLC0415

    sys.stdout.write(label_table())
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`duban check` and the `duban rules` group."""
    check = subparsers.add_parser(
        "check", help=say("用规则集检查组合文件", "run a rulebook over a portfolio file"),
        description=say("用规则集检查组合文件并列出亮灯结果；不给 --rules 时运行标准规则集。",
                        "Run a rulebook over a portfolio file and print the findings. Without "
                        "--rules the standard rulebook runs."))
    check.add_argument("portfolio", metavar="PORTFOLIO", help=say("组合文件（.yaml 或 .json）", "portfolio file (.yaml or .json)"))
    check.add_argument("--rules", nargs="+", metavar="PATH",
                       help=say(".rules 文件或目录（默认：标准规则集）", ".rules files or directories (default: the standard rulebook)"))
    check.add_argument("--as-of", metavar="DATE", help=say("按此日评估（默认今天）", "evaluate as of this day (default today)"))
    check.add_argument("--json", action="store_true", help=say("以 JSON 输出评估结果", "print the evaluation as JSON"))
    check.add_argument("--explain", action="store_true", help=say("说明每条结果为何亮灯", "show why each finding lit"))
    check.add_argument("--rule-time-limit", type=float, metavar="SECONDS",
                       help=say("规则运行超过 SECONDS 秒即停止并报告，其他规则照常完成",
                                "stop and report a rule still running after SECONDS; the others finish"))
    check.add_argument("--fail-on", choices=("red", "yellow"),
                       help=say("有此级别或更高级别的灯亮时以状态 3 退出", "exit 3 when a finding at or above this level lit"))
    check.set_defaults(handler=run_check)

    rules = subparsers.add_parser("rules", help=say("检查、测试或排版规则文件", "lint, test or format rule files"))
    group = rules.add_subparsers(dest="rules_command", metavar=say("命令", "COMMAND"))
    lint = group.add_parser("lint", help=say("检查规则文件，列出每处错误", "check rule files; print every error"))
    lint.add_argument("paths", nargs="+", metavar="PATH")
    lint.add_argument("--no-analysis", action="store_true",
                      help=say("跳过静态分析（永远不会显示的灯、永不或总是成立的条件）",
                               "skip the static analysis (lights that never show, conditions that never or always hold)"))
    lint.add_argument("--against", metavar="PORTFOLIO",
                      help=say("逐日回放此组合文件，提示从未亮灯的规则", "replay this portfolio day by day and warn of rules that never lit"))
    lint.add_argument("--as-of", metavar="DAY",
                      help=say("与 --against 同用：回放的最后一天（默认今天）", "with --against: the last day replayed (default today)"))
    lint.add_argument("--max-cost", type=int, metavar="N",
                      help=say("拒绝每个对象估计运算量超过 N 的规则（默认：服务器的上限）",
                               "refuse a rule whose estimated cost per subject passes N (default: the server's bound)"))
    lint.set_defaults(handler=run_lint)
    test = group.add_parser("test", help=say("运行规则文件旁的 *.test.yaml 用例", "run the *.test.yaml cases beside rule files"))
    test.add_argument("paths", nargs="+", metavar="PATH")
    test.add_argument("--coverage", action="store_true",
                      help=say("逐条规则报告哪些亮灯子句、哪些 且/或 分支被用例测成真和假",
                               "report, per rule, which light clauses and which sides of each and/or some case made true and some made false"))
    test.add_argument("--fail-under", type=float, metavar="N",
                      help=say("亮灯子句覆盖率低于 N%% 时以状态 1 退出（含 --coverage）",
                               "exit 1 when light clause coverage is under N percent (implies --coverage)"))
    test.set_defaults(handler=run_test)
    explain = group.add_parser(
        "explain", help=say("逐项显示规则各部分对某个对象的取值", "show every sub-expression of a rule with its value for one subject"),
        description=say("列出规则 RULE 每一部分对对象 SUBJECT（milestone:P001/tender、P001/tender、project:P001、"
                        "unit:transport）的取值，用规则文件本身的写法，以及它得到的灯号。",
                        "Print each part of RULE with the value it has for SUBJECT "
                        "(milestone:P001/tender, P001/tender, project:P001, unit:transport), in "
                        "the spelling the rule file is written in, and the light it gets."))
    explain.add_argument("rule", metavar="RULE")
    explain.add_argument("subject", metavar="SUBJECT")
    explain.add_argument("--as-of", metavar="DAY", help=say("按此日（默认今天）", "as of this day (default today)"))
    explain.add_argument("--portfolio", metavar="FILE", help=say("组合文件（.yaml 或 .json）", "portfolio file (.yaml or .json)"))
    explain.add_argument("--rules", nargs="+", metavar="PATH",
                         help=say(".rules 文件或目录（默认：标准规则集）", ".rules files or directories (default: the standard rulebook)"))
    explain.set_defaults(handler=run_explain)
    fmt = group.add_parser("fmt", help=say("按标准格式重写规则文件", "rewrite rule files in the canonical layout"))
    fmt.add_argument("paths", nargs="+", metavar="PATH")
    fmt.add_argument("--lang", choices=("zh", "en"),
                     help=say("关键字写成中文（zh）或英文（en）；默认每个文件保持其主要写法",
                              "write keywords in Chinese (zh) or English (en); by default each file keeps the spelling it mostly uses"))
    fmt.add_argument("--check", action="store_true",
                     help=say("只报告将被改动的文件（以状态 1 退出）", "only report files that would change (exit 1)"))
    fmt.set_defaults(handler=run_fmt)
    fields = group.add_parser(
        "fields", help=say("列出规则可读的全部字段及其中文标签（由字段目录生成）",
                           "list every field a rule reads with its Chinese label (from the field catalogue)"))
    fields.set_defaults(handler=run_fields)
