"""Rulebook file names without folders: ``standard/overdue.rules`` becomes ``overdue.rules``.

The standard rulebook used to be keyed two ways (``standard/NAME.rules`` by the command line's
``rules.standard.standard_sources``, ``NAME.rules`` by the server's seed); a rulebook saved
through the API with folder keys could not be published again from the rule editor, which
refuses folders in names. Every saved version gets bare names; nothing is lost: a renamed file
whose bare name another file of the version already has keeps its folder, joined with ``-``
(``standard-overdue.rules``), unless both hold the same text (then one copy stays).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from projects.storage import DbEngine
from piccolo.querystring import QueryString


def bare_names(sources: Mapping[str, str]) -> dict[str, str]:
    """``sources`` keyed by bare file names, in their order, every text kept (module header)."""
    taken = {name: text for name, text in sources.items() if "/" not in name}
    out: dict[str, str] = {}
    for name, text in sources.items():
        if "/" not in name:
            out[name] = text
            continue
        bare = name.rsplit("/", 1)[-1]
        if bare not in taken:
            out[bare] = taken[bare] = text
        elif taken[bare] != text:
            joined = name.replace("/", "-")
            while joined in taken and taken[joined] != text:
                joined = "-" + joined
            out[joined] = taken[joined] = text
    return out


async def forwards(engine: DbEngine) -> None:
    rows = await engine.run_querystring(QueryString("SELECT id, sources FROM rules_rulebook_version"))
    for row in rows:
        sources = json.loads(row["sources"])
        if any("/" in name for name in sources):
            renamed = bare_names(sources)
            await engine.run_querystring(QueryString(
                "UPDATE rules_rulebook_version SET sources = {} WHERE id = {}",
                json.dumps(renamed, ensure_ascii=False), row["id"]))
