"""Portfolio files: reading YAML or JSON, checking them, and writing them back.

Owns the edge between a file and the checked model:

- ``load_portfolio(path, *, today)`` reads ``.yaml`` / ``.yml`` with ``yaml_rs`` (a Rust
  YAML 1.2 reader, ~15x faster than PyYAML's C loader on a 6 MB portfolio, dates already as
  ``datetime.date``), falling back to PyYAML's ``CSafeLoader`` only when ``yaml_rs`` cannot be
  imported; ``.json`` with the standard ``json`` module. Syntax errors become one ``Problem``
  with file, line and column; the file must be UTF-8.
- The checks themselves are ``projects.checks.parse_portfolio`` (re-exported here). When they
  find problems in a file, the file is composed once more with PyYAML (only then, since it is
  slow; and only up to ``LOCATE_LIMIT``) to put the line of each problem's place in front of it.
- ``dump_portfolio(portfolio) -> dict`` is the inverse, for export: ``parse_portfolio(
  dump_portfolio(p), ...) == p``. Ratios are written as numbers 0..1, lags as ``N workdays``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from projects.cadence import Cadence
from projects.catalogue import COMPLAINT, MILESTONE
from projects.checks import parse_portfolio
from projects.errors import PortfolioError, Problem
from projects.memory import collector_paused
from projects.model import Complaint, ComplaintKind, Dependency, Milestone, Portfolio

__all__ = ["dump_portfolio", "load_portfolio", "parse_portfolio", "read_data"]

YAML_SUFFIXES = (".yaml", ".yml")
LOCATE_LIMIT = 1_000_000  # characters; see ``locate``


def load_portfolio(path: str | Path, *, today: dt.date) -> Portfolio:
    """Read, check and return the portfolio in ``path``; raise ``PortfolioError`` otherwise."""
    path = Path(path)
    source = str(path)
    with collector_paused():  # a reader allocates the whole file's values and frees none
        data, text = read_data(path)
    try:
        return parse_portfolio(data, today=today, source=source, consume=True)
    except PortfolioError as exc:
        raise PortfolioError(locate(exc.problems, text, source), source) from None


#: A portfolio nests five levels deep; anything past this is refused before it is parsed (a
#: deeply nested document would otherwise exhaust the parser's recursion).
MAX_NESTING = 64
_JSON_STRING = re.compile(r'"(?:\\.|[^"\\])*"')
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_problem(text: str, source: str = "") -> Problem | None:
    """A located problem when the JSON ``text`` nests deeper than ``MAX_NESTING``."""
    depth = 0
    for m in _BRACKET.finditer(_JSON_STRING.sub('""', text)):
        depth += 1 if m.group() in "[{" else -1
        if depth > MAX_NESTING:
            return Problem("", f"嵌套太深 — nested more than {MAX_NESTING} levels deep; a portfolio file "
                               "nests units, projects and milestones a few levels only", file=source)
    return None


def read_data(path: Path) -> tuple[Any, str]:
    """The plain data in ``path`` and its text (``""`` past ``LOCATE_LIMIT`` characters, where
    ``locate`` gives no lines: a province's file is not held twice); syntax errors raise
    ``PortfolioError``."""
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in (*YAML_SUFFIXES, ".json"):
        raise PortfolioError([Problem("", f"unknown file type {suffix or '(none)'!r}; a portfolio file ends in .yaml, .yml or .json", file=source, zh=f"未知的文件类型 {suffix or '（无）'!r}：组合文件以 .yaml、.yml 或 .json 结尾")], source)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PortfolioError([Problem("", f"cannot read the file: {exc.strerror or exc}", file=source, zh=f"无法读取文件：{exc.strerror or exc}")], source) from None
    if suffix == ".json" and len(raw) > _DECODE_LIMIT:
        # a large file is read from its bytes: its text would be past ``LOCATE_LIMIT`` (no
        # lines to locate), and decoding it cost a copy of the whole file held while read
        data = _read_json_bytes(raw)
        if data is not _UNREAD:
            return data, ""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise PortfolioError([Problem("", "the file is not UTF-8; save it as UTF-8", line, column, source, zh="文件不是 UTF-8 编码，请另存为 UTF-8")], source) from None
    del raw
    kept = text if len(text) <= LOCATE_LIMIT else ""
    if suffix == ".json":
        return _read_json(text, source), kept
    return _read_yaml(text, source), kept


#: Past this many bytes a JSON file's text is longer than ``LOCATE_LIMIT`` characters (a
#: character is at most 4 bytes of UTF-8; 3 more for a byte order mark).
_DECODE_LIMIT = 4 * LOCATE_LIMIT + 3
_UNREAD = object()
#: Each byte to ``0`` if it is a digit, else to a space: ``_long_numbers`` finds a run of digits
#: as a run of zeros.
_DIGITS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_DIGITS = b"0" * 19  # past a 64-bit integer's range from here on


#: ``_long_numbers``' slice: small enough to come from the heap again and again (16 MB slices
#: were each a fresh mapping, faulted in page by page: 0.2 s of system time over a province's
#: 177 MB) and to stay in the cache between its two passes.
_SLICE = 1 << 18


def _long_numbers(raw: bytes) -> bool:
    """Whether ``raw`` has a run of 19 digits or more (a number orjson may read otherwise than
    ``json``: an integer past 64 bits becomes a float), a slice at a time."""
    step, overlap = _SLICE, len(_LONG_DIGITS) - 1
    return any(raw[k:k + step + overlap].translate(_DIGITS).find(_LONG_DIGITS) >= 0
               for k in range(0, len(raw), step))


def _read_json_bytes(raw: bytes) -> Any:
    """The JSON document ``raw`` (UTF-8, an optional byte order mark) read by orjson, about
    twice as fast as ``json`` and without the decoded text; ``_UNREAD`` when orjson cannot
    be had, refuses the bytes (bad UTF-8, bad syntax, NaN, deep nesting, lone surrogates:
    ``json`` then reads them or says what is wrong, as before), or a number in it has 19
    digits or more. Whatever orjson reads, ``json.loads`` of the decoded text reads the same."""
    try:
        import orjson  # noqa: PLC0415 (a dependency; only the JSON reader needs it)
    except ImportError:  # pragma: no cover - ``json`` reads every file alike
        return _UNREAD
    if _long_numbers(raw):
        return _UNREAD
    body = memoryview(raw)[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return _UNREAD


def _read_json(text: str, source: str) -> Any:
    """``json.loads``; a document nested past ``MAX_NESTING`` is refused with that said.

    The nesting is counted only when the reader gives up on it (``RecursionError``: the C
    reader guards its recursion), not on every file: counting copies and scans the whole
    text, a second read of a province's file. A document nested deeper than ``MAX_NESTING``
    but within the reader's limit is read, and the checks refuse its values by type."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PortfolioError([Problem("", f"JSON syntax error: {exc.msg}", exc.lineno, exc.colno, source, zh=f"JSON 语法错误：{exc.msg}")], source) from None
    except RecursionError:
        too_deep = nesting_problem(text, source) or Problem(
            "", "nested too deep to read; a portfolio file nests units, projects and milestones "
                "a few levels only", file=source,
            zh="嵌套太深，无法读取：组合文件只嵌套单位、项目和节点几层")
        raise PortfolioError([too_deep], source) from None


def _read_yaml(text: str, source: str) -> Any:
    try:
        import yaml_rs  # noqa: PLC0415 - optional fast reader
    except ImportError:  # pragma: no cover - yaml_rs is a dependency; PyYAML is the fallback
        return _read_pyyaml(text, source)
    try:
        return yaml_rs.loads(text)
    except yaml_rs.YAMLDecodeError as exc:
        raise PortfolioError([_yaml_rs_problem(str(exc), text, source)], source) from None


def _read_pyyaml(text: str, source: str) -> Any:
    import yaml  # noqa: PLC0415

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise PortfolioError([Problem("", f"YAML syntax error: {exc.problem or exc}", line, column, source, zh=f"YAML 语法错误：{exc.problem or exc}")], source) from None
    except yaml.YAMLError as exc:
        raise PortfolioError([Problem("", f"YAML syntax error: {exc}", file=source, zh=f"YAML 语法错误：{exc}")], source) from None


def _yaml_rs_problem(message: str, text: str, source: str) -> Problem:
    """``YAML parse error at line 2, column 2 | ... | what`` -> a Problem with its position."""
    first, *rest = message.splitlines()
    what = rest[-1].strip() if rest else first
    if " at line " in first:
        numbers = first.split(" at line ", 1)[1].replace("column", "").split(",")
        try:
            return Problem("", f"YAML syntax error: {what}", int(numbers[0]), int(numbers[1]), source, zh=f"YAML 语法错误：{what}")
        except (ValueError, IndexError):
            pass
    if first.startswith("duplicate mapping key"):
        line, column = _duplicate_key_position(text)
        return Problem("", f"YAML syntax error: {first}; each field may appear once", line, column, source, zh=f"YAML 语法错误：{first}；每个字段只能出现一次")
    return Problem("", f"YAML syntax error: {first}", file=source, zh=f"YAML 语法错误：{first}")


def _duplicate_key_position(text: str) -> tuple[int | None, int | None]:
    try:
        node = _compose(text)
    except Exception:  # only a position is sought; none is fine
        return None, None
    stack = [node]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        if n.id == "mapping":
            seen = set()
            for key, value in n.value:
                if key.value in seen:
                    return key.start_mark.line + 1, key.start_mark.column + 1
                seen.add(key.value)
                stack.append(value)
        elif n.id == "sequence":
            stack.extend(n.value)
    return None, None


def _compose(text: str) -> Any:
    import yaml  # noqa: PLC0415

    return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def locate(problems: tuple[Problem, ...], text: str, source: str) -> list[Problem]:
    """The problems with the line of their place in ``text`` (JSON is YAML for this purpose).

    Composing is PyYAML's slow path (about 2 s per MB here), so files above ``LOCATE_LIMIT``
    characters keep their paths without lines.
    """
    root = None
    if len(text) <= LOCATE_LIMIT:
        try:
            root = _compose(text)
        except Exception:  # lines are a courtesy; the problems stand without them
            root = None
    out = []
    for p in problems:
        where = p.where
        if where and p.message.startswith('unknown field "'):
            where += "." + p.message.split('"', 2)[1]  # the line of the unknown key itself
        line = _line_of(root, where) if root is not None and where else p.line
        out.append(replace(p, line=line, file=source))
    return out


def _line_of(root: Any, where: str) -> int | None:
    """Follow ``projects[3].milestones[2].after`` through composed nodes to a line."""
    node, line = root, None
    for part in where.replace("[", ".[").split("."):
        if not part or node is None:
            continue
        if part.startswith("["):
            i = int(part[1:-1])
            node = node.value[i] if node.id == "sequence" and i < len(node.value) else None
            if node is not None:
                line = node.start_mark.line + 1
        elif node.id == "mapping":
            for key, value in node.value:
                if key.value == part:
                    node, line = value, key.start_mark.line + 1
                    break
            else:
                node = None
        else:
            node = None
    return line


# -- writing -----------------------------------------------------------------------------------


def dump_portfolio(portfolio: Portfolio) -> dict[str, Any]:
    """The file shape of ``portfolio``: plain dicts, lists, strings, numbers and dates."""
    out: dict[str, Any] = {"calendar": portfolio.calendar, "timezone": portfolio.timezone}
    if portfolio.calendar_years:
        out["calendar_years"] = [
            {"year": y.year, "holidays": sorted(y.holidays), "workdays": sorted(y.workdays)}
            for y in portfolio.calendar_years
        ]
    out["units"] = [
        _fields(id=u.id, name=u.name, parent=u.parent, level=u.level, contacts=list(u.contacts) or None)
        for u in portfolio.units
    ]
    if portfolio.people:
        out["people"] = [_fields(id=x.id, name=x.name, unit=x.unit, post=x.post) for x in portfolio.people]
    out["projects"] = [
        _fields(id=p.id, name=p.name, category=p.category.value, unit=p.unit,
                co_units=list(p.co_units) or None, person=p.person, urgent=p.urgent or None,
                source=p.source, instruction=p.instruction, report_every=_cadence(p.report_every),
                budget=_number(p.budget), milestones=[_milestone(m) for m in p.milestones])
        for p in portfolio.projects
    ]
    if portfolio.notices:
        out["notices"] = [
            _fields(id=n.id, title=n.title, unit=n.unit, rule=n.rule,
                    level=n.level.value if n.level else None, issued=n.issued, due=n.due,
                    responded=n.responded, subject=n.subject)
            for n in portfolio.notices
        ]
    if portfolio.extensions:
        out["extensions"] = [
            _fields(milestone=e.milestone, requested=e.requested, new_due=e.new_due, reason=e.reason,
                    decided=e.decided, decision=e.decision, decision_reason=e.decision_reason)
            for e in portfolio.extensions
        ]
    if portfolio.accountability:
        out["accountability"] = [
            _fields(id=r.id, kind=r.kind, unit=r.unit, person=r.person, date=r.date, reason=r.reason,
                    notice=r.notice, complaint=r.complaint)
            for r in portfolio.accountability
        ]
    if portfolio.complaints:
        out["complaints"] = [_complaint(c) for c in portfolio.complaints]
    return out


def _complaint(c: Complaint) -> dict[str, Any]:
    """A complaint's file entry: its catalogued fields by type, those without a value left out
    (and the default kind, ``complaint``)."""
    out = {}
    for f in COMPLAINT:
        value = getattr(c, f.name)
        if f.name == "kind" and value is ComplaintKind.COMPLAINT:
            continue
        if value is not None and f.file_key is not None:
            out[f.file_key] = value.value if isinstance(value, StrEnum) else value
    return out


def _cadence(c: Cadence | None) -> str | None:
    return None if c is None else str(c)


def _milestone(m: Milestone) -> dict[str, Any]:
    """A milestone's file entry: every catalogued field with a file key, by its type; a field
    without a value (``None``, no dependencies) is left out."""
    out = {}
    for key, name, dump in _MILESTONE_DUMP:
        value = getattr(m, name)
        if value is not None and dump is not None:
            value = dump(value)
        if value is not None:
            out[key] = value
    return out


def _dependency(d: Dependency) -> str | dict[str, Any]:
    if d.project is None and not d.lag and d.type == "FS":
        return d.on
    entry: dict[str, Any] = {"id": d.on}
    if d.project is not None:
        entry = {"project": d.project, **entry}
    if d.type != "FS":
        entry["type"] = d.type
    if d.lag:
        entry["lag"] = f"{d.lag} workdays"
    return entry


def _number(value: float | None) -> float | int | None:
    """Whole yuan as ints, so exported files read ``120000000`` rather than ``120000000.0``."""
    if value is not None and value.is_integer():
        return int(value)
    return value


def _fields(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _listed(values: tuple[Any, ...] | None) -> list[Any] | None:
    return None if values is None else list(values)


#: How a field's model value is written to a file, by catalogue type (the rest as they are).
_DUMPS: dict[str, Callable[[Any], Any]] = {
    "kind": lambda k: k.value, "yuan": _number,
    "deps": lambda after: [_dependency(d) for d in after] or None,
    "units": _listed, "cadence": _cadence,
}

_MILESTONE_DUMP = tuple((f.file_key, f.name, _DUMPS.get(f.type)) for f in MILESTONE if f.file_key is not None)
