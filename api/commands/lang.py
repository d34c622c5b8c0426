"""The command line's language: zh-CN first, English the alternative.

Owns ``choose``, ``split``, ``use``, ``say``, ``calendar_warning`` and ``argparse_zh``. ``duban --lang zh|en`` chooses;
without it ``DUBAN_LANG``, then the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``en_*``
speaks English, ``zh_*`` Chinese); anything else (``C``, ``POSIX``, unset) speaks Chinese.
``main`` sets the language once per process, before it builds the parser, so help texts,
messages and warnings all speak it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

LANGS = ("zh", "en")
_lang = "zh"


def split(argv: Sequence[str]) -> tuple[str | None, str | None]:
    """The ``--lang`` given before the command (``duban --lang en check ...``; a command's own
    ``--lang``, as ``rules fmt --lang zh``, is the command's) and the command's name."""
    chosen = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--lang":
            chosen = argv[i + 1] if i + 1 < len(argv) else None
            i += 2
            continue
        if arg.startswith("--lang="):
            chosen = arg.removeprefix("--lang=")
        elif not arg.startswith("-"):
            return chosen, arg
        i += 1
    return chosen, None


def choose(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language ``argv`` (a ``--lang`` before the command) and the environment ask for."""
    env = os.environ if environ is None else environ
    given = split(argv)[0]
    if given in LANGS:
        return given
    if env.get("DUBAN_LANG") in LANGS:
        return env["DUBAN_LANG"]
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "").lower()
        if value.startswith("en"):
            return "en"
        if value.startswith("zh"):
            return "zh"
    return "zh"


def use(lang: str) -> None:
    """Speak ``lang`` from now on in this process."""
    global _lang  # noqa: PLW0603 - one language per process, set once by ``main``
    _lang = lang if lang in LANGS else "zh"


def lang() -> str:
    return _lang


def say(zh: str, en: str) -> str:
    """``zh`` or ``en``, whichever the command line speaks."""
    return en if _lang == "en" else zh


def calendar_warning(year: int, kind: str) -> str:
    """The calendar fallback warning (``projects.calendar.CalendarFallbackWarning``) in words."""
    return say(f"{kind} 日历没有 {year} 年的法定节假日数据，{year} 年暂按周一至周五计算工作日；"
               f"可用日历文件补上该年（- year: {year}, holidays: [...], workdays: [...]）以计入节假日",
               f"the {kind} calendar has no statutory holiday data for {year}; Monday-Friday is "
               f"used for {year}. Add the year with a calendar file "
               f"(- year: {year}, holidays: [...], workdays: [...]) to count its holidays")


def warning_text(message: Warning | str) -> str:
    """A warning as the command line says it (the calendar's in the language spoken)."""
    year, kind = getattr(message, "year", None), getattr(message, "kind", None)
    if type(message).__name__ == "CalendarFallbackWarning" and isinstance(year, int):
        return say("警告：", "warning: ") + calendar_warning(year, str(kind))
    return say("警告：", "warning: ") + str(message)


#: argparse's own words in Chinese (it looks each up through its module's ``_`` at run time).
ARGPARSE_ZH = {
    "usage: ": "用法：", "positional arguments": "位置参数", "options": "选项",
    "optional arguments": "选项", "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择 %(value)r（可选：%(choices)s）",
    "expected one argument": "需要一个参数", "expected at least one argument": "至少需要一个参数",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同用",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
}


def argparse_zh(message: str) -> str:
    """argparse's ``_``: its words in the language spoken."""
    return ARGPARSE_ZH.get(message, message) if _lang == "zh" else message
