"""The audit trail: an append-only chain of changes, each entry hashed with the one before.

``hash = sha256(canonical_json(entry without hash) )`` where the entry includes ``seq``,
``at``, ``actor``, ``action``, ``subject``, ``before``, ``after`` and ``prev_hash`` (the
previous entry's hash, 64 zeros for the first). Canonical JSON: sorted keys, no spaces,
UTF-8, ``ensure_ascii=False``. Entries are written by :func:`append` inside the caller's write
transaction, so a change and its entry commit or vanish together; writers are serialised by
``projects.storage.write_transaction``, so ``seq`` has no gaps or forks. :func:`verify` walks the
chain and names the first entry whose content no longer matches its hash or link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from api.tables import AuditRow

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    subject: str
    before: Any
    after: Any
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """The result of walking the chain: ``ok``, how many entries, and the first bad one."""

    ok: bool
    entries: int
    first_bad: int | None = None
    reason: str = ""


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(body: dict[str, Any]) -> str:
    """sha256 over the canonical JSON of an entry's fields (all but ``hash``)."""
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def _body(e: AuditEntry) -> dict[str, Any]:
    return {"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "subject": e.subject,
            "before": e.before, "after": e.after, "prev_hash": e.prev_hash}


async def append(actor: str, action: str, subject: str, before: Any, after: Any, *,
                 at: str | None = None, tail: AuditEntry | None = None) -> AuditEntry:
    """Append one entry to the chain (call inside the change's write transaction). ``tail``:
    the entry this transaction appended last, when the caller holds it (saves a read)."""
    if tail is not None:
        seq, prev = tail.seq + 1, tail.hash
    else:
        last = await AuditRow.select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq, ascending=False).first()
        seq = 1 if last is None else int(last["seq"]) + 1
        prev = GENESIS if last is None else str(last["hash"])
    at = at or dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    # Round-trip through JSON so what is hashed is exactly what is stored.
    before_j, after_j = canonical(before), canonical(after)
    before, after = json.loads(before_j), json.loads(after_j)
    entry = AuditEntry(seq, at, actor, action, subject, before, after, prev, "")
    digest = entry_hash(_body(entry))
    await AuditRow.insert(AuditRow(seq=seq, at=at, actor=actor, action=action, subject=subject,
                                   before=before_j, after=after_j, prev_hash=prev, hash=digest))
    return AuditEntry(seq, at, actor, action, subject, before, after, prev, digest)


def _entry(r: dict[str, Any]) -> AuditEntry:
    return AuditEntry(int(r["seq"]), r["at"], r["actor"], r["action"], r["subject"],
                      json.loads(r["before"]), json.loads(r["after"]), r["prev_hash"], r["hash"])


async def entries(*, offset: int = 0, limit: int = 50, actor: str | None = None,
                  action: str | None = None, subject: str | None = None) -> tuple[list[AuditEntry], int]:
    """A page of entries, newest first, and the total that match the filters."""
    query = AuditRow.select()
    count = AuditRow.count()
    for column, value in ((AuditRow.actor, actor), (AuditRow.action, action), (AuditRow.subject, subject)):
        if value is not None:
            query = query.where(column == value)
            count = count.where(column == value)
    rows = await query.order_by(AuditRow.seq, ascending=False).offset(offset).limit(limit)
    return [_entry(r) for r in rows], int(await count)


async def verify(batch: int = 2000) -> Verdict:
    """Walk the whole chain in order; the first entry altered, removed or re-linked is named."""
    prev = GENESIS
    expected_seq = 1
    seen = 0
    while True:
        rows = await AuditRow.select().where(AuditRow.seq >= expected_seq).order_by(AuditRow.seq).limit(batch)
        if not rows:
            return Verdict(True, seen)
        for r in rows:
            e = _entry(r)
            if e.seq != expected_seq:
                return Verdict(False, seen, expected_seq, f"entry {expected_seq} is missing (next is {e.seq})")
            if e.prev_hash != prev:
                return Verdict(False, seen, e.seq, f"entry {e.seq} does not link to entry {e.seq - 1}")
            digest = entry_hash(_body(e))
            if digest != e.hash:
                return Verdict(False, seen, e.seq,
                               f"entry {e.seq} ({e.action} {e.subject} by {e.actor} at {e.at}) was "
                               "altered: its content no longer matches its hash")
            prev = e.hash
            expected_seq += 1
            seen += 1
