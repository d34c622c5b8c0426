"""Piccolo tables of rulebook versions, evaluations and their findings.

Only ``rules.repository`` imports this module. Invariants:

- A rulebook version is ``draft`` -> ``checked`` -> ``published``; its sources never change
  after it is saved (a change is a new version). The newest published version is the one
  evaluations use, and every evaluation records the version number that ran.
- Findings belong to one evaluation; ``current`` marks the ones that describe today's state
  (a partial evaluation of one project replaces only that project's current findings).
"""

from __future__ import annotations

from piccolo.columns import Date, Integer, Text, Varchar
from piccolo.table import Table

from projects.storage import Keyed


class RulebookVersionRow(Keyed, Table, tablename="rules_rulebook_version"):
    number = Integer(unique=True)
    status = Varchar(length=16)
    sources = Text()
    author = Varchar(length=64)
    note = Text(default="")
    created_at = Varchar(length=40)
    checked_at = Varchar(length=40, null=True, default=None)
    published_at = Varchar(length=40, null=True, default=None)


class EvaluationRow(Keyed, Table, tablename="rules_evaluation"):
    as_of = Date()
    rulebook_version = Integer()
    scope = Text(null=True, default=None)
    ran_at = Varchar(length=40)
    actor = Varchar(length=64)
    reason = Varchar(length=32)
    finding_count = Integer(default=0)
    errors = Text(default="[]")
    rates = Text(default="{}")
    scores = Text(default="{}")


class FindingRow(Keyed, Table, tablename="rules_finding"):
    evaluation = Integer(index=True)
    current = Integer(default=1, index=True)
    rule = Varchar(length=128)
    title = Text(default="")
    subject = Varchar(length=200)
    level = Varchar(length=16)
    message = Text(default="")
    project = Varchar(length=64, null=True, default=None, index=True)
    unit = Varchar(length=64, null=True, default=None)
    notify = Text(default="[]")
    respond_by = Date(null=True, default=None)
    explain = Text(default="[]")


TABLES: tuple[type[Table], ...] = (RulebookVersionRow, EvaluationRow, FindingRow)

__all__ = ["TABLES", "EvaluationRow", "FindingRow", "RulebookVersionRow"]
