"""交办: who answers for a project or a milestone — its lead unit, co-units (配合单位) and person
(责任人) — checked once, with the same words, wherever an assignment comes from: portfolio
files (``projects.checks``) and so Excel workbooks, the API's project and milestone changes
and the 交办 form (``api.controllers.portfolio``).

Each check takes the value as sent, a ``Fields`` collector and the record's place (a file's
``projects[3]``, the API's ``""``), and puts every problem at ``where.co_units[i]`` or
``where.person`` in English and Chinese; it returns the clean value, ``None`` when absent, or
``BAD``. ``complete=False`` says the list of known ids could not be read whole (another
problem was reported): an id missing from it is then not reported again. Pure: values in,
problems out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from projects.errors import suggest
from projects.fields import BAD, Fields, _at


def co_units(value: object, f: Fields, where: str, *, lead: object, units: Collection[str],
             complete: bool = True, milestone: str | None = None) -> tuple[str, ...] | Any:
    """配合单位: a list of unit ids (one id alone reads as a list of one), each among ``units``,
    none repeated and none the ``lead`` unit of the project; of a ``milestone`` (its key
    ``P/M``, ``""`` when it has no usable one), none its responsible unit (its own or its
    project's)."""
    if value is None:
        return None
    at = _at(where, "co_units")
    items = f.some(value, at, "unit ids")
    if items is BAD:
        return BAD
    out: list[str] = []
    bad = False
    for j, entry in enumerate(items):  # type: ignore[arg-type]
        uid = f.ident(entry, f"{at}[{j}]")
        if isinstance(uid, str) and uid not in units:
            uid = BAD if not complete else _unknown(f, f"{at}[{j}]", uid, units, what="unit", zh="单位",
                                                    rule_zh="配合单位须是已登记的单位",
                                                    rule="a co-unit is one of the listed units")
        if not isinstance(uid, str):
            bad = True
        elif uid in out:
            bad = f.add(f"{at}[{j}]", f'unit "{uid}" is listed twice; list each co-unit once',
                        f"配合单位「{uid}」重复，每个只列一次") is BAD
        elif uid == lead:
            en, zh = ("the lead unit here", "这里的牵头单位") if milestone is None else \
                (f"the responsible unit of milestone {milestone}", f"节点 {milestone} 的责任单位") if milestone else \
                ("the responsible unit of this milestone", "本节点的责任单位")
            bad = f.add(f"{at}[{j}]", f'"{uid}" is {en}; a co-unit is another unit — remove it',
                        f"「{uid}」是{zh}，配合单位须是另外的单位，请删去") is BAD
        else:
            out.append(uid)
    return BAD if bad else tuple(out)


def person(value: object, f: Fields, where: str, *, people: Collection[str], complete: bool = True) -> str | Any:
    """责任人: the id of one of ``people`` (None when absent)."""
    if value is None:
        return None
    pid = f.ident(value, where, "person")
    if not isinstance(pid, str):
        return BAD
    if pid in people:
        return pid
    if not complete:
        return BAD
    if not people:
        return f.add(_at(where, "person"), f'no person "{pid}": list them under people (id, name, unit) first',
                     f"没有责任人「{pid}」：请先在 people 中登记（id、name、unit）")
    return _unknown(f, _at(where, "person"), pid, people, what="person", zh="责任人",
                    rule_zh="责任人须先在人员中登记", rule="a person is one of those listed under people")


def _unknown(f: Fields, at: str, value: str, known: Collection[str], *, what: str, zh: str, rule_zh: str,
             rule: str) -> Any:
    """The problem of an id that is not among ``known``: the nearest one when there is one,
    else what an id here must be."""
    hint = suggest(value, known)
    return f.add(at, f'no {what} "{value}"' + (f'; did you mean "{hint}"?' if hint else f"; {rule}"),
                 f"没有{zh}「{value}」，{rule_zh}" + (f"，是不是「{hint}」？" if hint else ""))


def person_outside(person: object, home: str, lead: str, co_units: Iterable[str]) -> tuple[str, str] | None:
    """Why ``person`` (who works in unit ``home``) cannot answer for an item led by ``lead``
    with ``co_units``, in English and in Chinese; None when they work in one of those units."""
    allowed = (lead, *co_units)
    if home in allowed:
        return None
    listed = ", ".join(f'"{u}"' for u in allowed)
    return (f'person "{person}" works in unit "{home}", which is neither the lead unit nor a co-unit '
            f"here; name a person of {listed}, or add \"{home}\" to co_units",
            f"责任人「{person}」属于单位「{home}」，不是这里的牵头单位或配合单位：请指定"
            f"{'、'.join(f'「{u}」' for u in allowed)}的人员，或把「{home}」加为配合单位")
