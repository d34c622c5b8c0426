"""The audit trail: an append-only chain of changes, each entry keyed and linked to the one before.

``hash = HMAC-SHA256(key, canonical_json(entry without hash))`` where the entry includes ``seq``,
``at``, ``actor``, ``action``, ``subject``, ``before``, ``after`` and ``prev_hash`` (the previous
entry's hash, 64 zeros for the first), and ``key`` is derived from the server's secret
(``api.keys.derive(secret, "audit-chain")``): whoever holds the database alone cannot write an
entry that verifies. Canonical JSON: sorted keys, no spaces, UTF-8, ``ensure_ascii=False``.
Entries are written by :func:`append` inside the caller's write transaction, so a change and its
entry commit or vanish together; writers are serialised by ``projects.storage.write_transaction``,
so ``seq`` has no gaps or forks.

A keyed chain carries a seal in ``api_meta`` (``audit_seal``, an HMAC of the scheme): a chain
without a valid seal fails :func:`verify`. :func:`prepare` (server start, CLI writes) seals an
empty chain, and re-keys a chain written before keying (plain sha256) once: only if it verifies
as it is, every entry re-hashed in order, then an ``audit.rekey`` entry records how many entries
and the old head.

A truncated chain is still a valid chain: what proves nothing was removed from its end is the
anchor ``N:HEAD`` (entry count and last hash, :func:`anchor`) written with every export and
printed by ``duban audit verify`` and ``duban export``; ``verify(head="N:HEAD")`` fails when the
chain has fewer than N entries or entry N is not the one anchored (``docs/security.md``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from api.tables import AuditRow, MetaRow
from projects import storage

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


SEAL = "audit_seal"
SCHEME = "hmac-sha256"
_ANCHOR = re.compile(r"^(\d{1,12}):([0-9a-f]{64})$")
_key: bytes | None = None


def configure(key: str) -> None:
    """Key the chain with ``key`` (``api.keys.derive(secret, "audit-chain")``), for this process."""
    global _key  # noqa: PLW0603 - one key per process, set where the engine is bound
    _key = key.encode()


def _need_key() -> bytes:
    if _key is None:
        raise RuntimeError("the audit chain's key is not configured (api.audit.configure): the server "
                           "sets it at start-up, the command line in api.commands.server._run")
    return _key


def entry_hash(body: dict[str, Any], key: bytes | None = None) -> str:
    """HMAC-SHA256 with ``key`` (default: the configured one) over the canonical JSON of an
    entry's fields (all but ``hash``)."""
    return hmac.new(key or _need_key(), canonical(body).encode("utf-8"), hashlib.sha256).hexdigest()


def plain_hash(body: dict[str, Any]) -> str:
    """The unkeyed sha256 of chains written before keying (what :func:`prepare` re-keys)."""
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def _seal(key: bytes) -> str:
    return hmac.new(key, f"duban audit seal {SCHEME}".encode(), hashlib.sha256).hexdigest()


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
    digest = entry_hash(_body(entry), _need_key())
    await AuditRow.insert(AuditRow(seq=seq, at=at, actor=actor, action=action, subject=subject,
                                   before=before_j, after=after_j, prev_hash=prev, hash=digest))
    return AuditEntry(seq, at, actor, action, subject, before, after, prev, digest)


async def append_many(items: Sequence[tuple[str, str, str, Any, Any]], *,
                      tail: AuditEntry | None = None) -> None:
    """Append ``(actor, action, subject, before, after)`` entries in order with one prepared
    statement (a group of reports; inside its write transaction): the same chain ``append``
    writes one at a time, each entry's hash made from the canonical texts it stores
    (``_hash_of_texts``) instead of decoding and encoding them again."""
    if not items:
        return
    if tail is None:
        last = await storage.fetch(AuditRow._meta.db, f'SELECT "seq", "hash" FROM "{AuditRow._meta.tablename}" '
                                   'ORDER BY "seq" DESC LIMIT 1')
        seq, prev = (1, GENESIS) if not last else (int(last[0]["seq"]) + 1, str(last[0]["hash"]))
    else:
        seq, prev = tail.seq + 1, tail.hash
    key = _need_key()
    rows: list[tuple[Any, ...]] = []
    for actor, action, subject, before, after in items:
        at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        before_j, after_j = canonical(before), canonical(after)
        if _str_keyed(before) and _str_keyed(after):
            digest = _hash_of_texts(key, seq, at, actor, action, subject, before_j, after_j, prev)
        else:  # (a key that is no string sorts differently once read back as one)
            digest = entry_hash(_body(AuditEntry(seq, at, actor, action, subject, json.loads(before_j),
                                                 json.loads(after_j), prev, "")), key)
        rows.append((seq, at, actor, action, subject, before_j, after_j, prev, digest))
        seq, prev = seq + 1, digest
    await storage.execute_many(
        AuditRow._meta.db, f'INSERT INTO "{AuditRow._meta.tablename}" ("seq", "at", "actor", "action", '
        '"subject", "before", "after", "prev_hash", "hash") VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})',
        rows)


#: A string's JSON text as ``canonical`` writes it (``rules.repository._string`` is the same).
_text = json.encoder.encode_basestring


def _hash_of_texts(key: bytes, seq: int, at: str, actor: str, action: str, subject: str,  # noqa: PLR0917
                   before_j: str, after_j: str, prev: str) -> str:
    """``entry_hash`` of the entry whose ``before`` and ``after`` are the canonical texts
    ``before_j`` and ``after_j`` as read back (``json.loads``): the canonical body composed
    around the texts, its keys in sorted order, byte for byte what ``canonical(_body(...))``
    gives when every key inside them is a string (``_str_keyed``; read-back text encodes to
    itself again: floats print as they read)."""
    body = (f'{{"action":{_text(action)},"actor":{_text(actor)},"after":{after_j},"at":{_text(at)},'
            f'"before":{before_j},"prev_hash":{_text(prev)},"seq":{seq},"subject":{_text(subject)}}}')
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def _str_keyed(value: Any) -> bool:
    """Whether every mapping inside ``value`` has string keys only (what ``canonical``'s
    ``default=str`` makes of anything else reads back as a string: the same text)."""
    if type(value) in _LEAVES:
        return True
    if isinstance(value, dict):
        return all(type(k) is str for k in value) and all(
            type(v) in _LEAVES or _str_keyed(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(type(v) in _LEAVES or _str_keyed(v) for v in value)
    return True


#: Values with nothing inside (``_str_keyed`` need not look further).
_LEAVES = frozenset({str, int, float, bool, type(None)})


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


async def anchor() -> str:
    """``N:HEAD``: how many entries the chain has and the last one's hash (``0:000...`` when empty),
    to keep outside the database (written with every export)."""
    last = await AuditRow.select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq, ascending=False).first()
    return f"0:{GENESIS}" if last is None else f"{int(last['seq'])}:{last['hash']}"


#: The response header (and workbook property) that carries the anchor with every export.
HEADER = "X-Duban-Audit-Head"
PROPERTY = "duban audit anchor"


async def export_anchor(what: str) -> dict[str, str]:
    """The anchor as a response header for an export, also written to the server's log."""
    value = await anchor()
    logging.getLogger("duban.audit").info("export %s: audit anchor %s", what, value)
    return {HEADER: value}


def parse_anchor(text: str) -> tuple[int, str]:
    """``N:HEAD`` read, or ``ValueError`` saying what an anchor looks like."""
    m = _ANCHOR.match(text.strip())
    if m is None:
        raise ValueError(f"{text[:80]!r} 不是审计锚点 — is not an audit anchor; it reads N:HEAD, the entry count, "
                         "a colon and 64 hex digits, as `duban audit verify` and every export print it")
    return int(m.group(1)), m.group(2)


async def _sealed(key: bytes) -> bool:
    row = await MetaRow.select(MetaRow.value).where(MetaRow.key == SEAL).first()
    return row is not None and hmac.compare_digest(str(row["value"]), _seal(key))


async def _walk(hasher: Any, batch: int) -> tuple[Verdict, str]:
    """Walk the whole chain with ``hasher``; the verdict and the last hash."""
    prev = GENESIS
    expected_seq = 1
    seen = 0
    while True:
        rows = await AuditRow.select().where(AuditRow.seq >= expected_seq).order_by(AuditRow.seq).limit(batch)
        if not rows:
            return Verdict(True, seen), prev
        for r in rows:
            e = _entry(r)
            if e.seq != expected_seq:
                return Verdict(False, seen, expected_seq, f"第 {expected_seq} 条缺失 — entry {expected_seq} is missing (next is {e.seq})"), prev
            if e.prev_hash != prev:
                return Verdict(False, seen, e.seq, f"第 {e.seq} 条未链接到第 {e.seq - 1} 条 — entry {e.seq} does not link to entry {e.seq - 1}"), prev
            if not hmac.compare_digest(hasher(_body(e)), e.hash):
                return Verdict(False, seen, e.seq,
                               f"第 {e.seq} 条被改动 — entry {e.seq} ({e.action} {e.subject} by {e.actor} at {e.at}) was "
                               "altered: its content no longer matches its hash"), prev
            prev = e.hash
            expected_seq += 1
            seen += 1


async def verify(batch: int = 2000, *, head: str | None = None) -> Verdict:
    """Walk the whole chain in order; the first entry altered, removed or re-linked is named.

    The chain must carry this server's seal and every entry its keyed hash. ``head`` (an anchor
    ``N:HEAD`` kept outside the database): the chain must also hold at least N entries, entry N
    with that hash, so entries removed from the end or a chain rewritten are found too.
    """
    key = _need_key()
    wanted = parse_anchor(head) if head is not None else None
    if not await _sealed(key):
        verdict, _ = await _walk(plain_hash, batch)
        if not verdict.ok:
            return verdict
        if verdict.entries or wanted is not None:
            return Verdict(False, verdict.entries, 1 if verdict.entries else None,
                           "审计链没有本服务器密钥的封印 — the chain carries no seal of this server's key: it was "
                           "written before the chain was keyed (start `duban serve` once, which re-keys it) or "
                           "someone removed the seal and rewrote the chain")
        return verdict
    verdict, _ = await _walk(lambda body: entry_hash(body, key), batch)
    if not verdict.ok or wanted is None:
        return verdict
    count, digest = wanted
    if count > verdict.entries:
        return Verdict(False, verdict.entries, verdict.entries + 1,
                       f"审计链只有 {verdict.entries} 条，锚点记录了 {count} 条 — the anchor names entry {count}, but the "
                       f"chain ends at entry {verdict.entries}: entries were removed from its end")
    if count > 0:
        row = await AuditRow.select(AuditRow.hash).where(AuditRow.seq == count).first()
        if row is None or not hmac.compare_digest(str(row["hash"]), digest):
            return Verdict(False, verdict.entries, count,
                           f"第 {count} 条与锚点不符 — entry {count} is not the one anchored: the chain up to it was "
                           "rewritten")
    return verdict


async def prepare(key: str) -> str:
    """Configure ``key`` and make the chain keyed (inside the caller's write transaction): seal an
    empty chain; re-key a chain written before keying, once, if it verifies as written, recording
    an ``audit.rekey`` entry. Returns what it did: ``"sealed"``, ``"rekeyed N"``, ``"kept"``
    (already sealed) or ``"broken"`` (an unkeyed chain that does not verify: left as found, for
    ``verify`` to name)."""
    configure(key)
    k = _need_key()
    if await _sealed(k):
        return "kept"
    verdict, old_head = await _walk(plain_hash, 2000)
    if not verdict.ok:
        logging.getLogger("duban.audit").error(
            "审计链未能加密钥：旧链已损坏 — the audit chain was not keyed: as written it is broken (%s)", verdict.reason)
        return "broken"
    prev = GENESIS
    for seq in range(1, verdict.entries + 1):
        row = await AuditRow.select().where(AuditRow.seq == seq).first()
        assert row is not None, f"audit entry {seq} vanished inside the re-keying transaction"
        e = _entry(row)
        digest = entry_hash({**_body(e), "prev_hash": prev}, k)
        await AuditRow.update({AuditRow.prev_hash: prev, AuditRow.hash: digest}).where(AuditRow.seq == seq)
        prev = digest
    await MetaRow.delete().where(MetaRow.key == SEAL)
    await MetaRow.insert(MetaRow(key=SEAL, value=_seal(k)))
    if verdict.entries == 0:
        return "sealed"
    await append("duban", "audit.rekey", "audit:chain", {"scheme": "sha256", "entries": verdict.entries,
                                                        "head": old_head}, {"scheme": SCHEME})
    return f"rekeyed {verdict.entries}"
