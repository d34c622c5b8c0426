"""The persistent outbox: enqueue messages, claim them under a lease, record every attempt.

Owns the ``notifier_delivery`` and ``notifier_delivery_attempt`` rows. Invariants:

- A message is enqueued in the caller's transaction, so it exists exactly when the change
  that caused it does.
- One row per (message, contact URL): a dead target delays only its own row.
- A worker claims rows with a lease (a conditional UPDATE that only takes rows whose lease is
  free or expired — portable; on PostgreSQL the candidate SELECT also uses
  ``FOR UPDATE SKIP LOCKED``). A worker that dies leaves its lease to expire; the rows are
  then claimed again, so nothing is lost and a message is sent at most once more.
- Every try is a row, written before the send and completed after it; a try cut short by a
  crash is closed as "interrupted" by the next claim.
- Targets are secrets: views carry only ``target_label`` (redacted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from piccolo.custom_types import Combinable

from notifier.redact import redact_url
from notifier.tables import DeliveryAttemptRow, DeliveryRow
from projects.storage import Changes, DbEngine, is_postgres, write_transaction

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
INTERRUPTED = "interrupted: the worker stopped before recording the outcome"
_CHUNK = 400  # rows per INSERT, well under SQLite's bound on query parameters


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message to enqueue: about which notice, of which kind, to which unit's contacts."""

    notice: str
    kind: str
    unit: str
    contacts: tuple[str, ...]
    title: str
    body: str


async def enqueue(engine: DbEngine, messages: Iterable[Outgoing], *, now: float) -> int:
    """Write one pending delivery per contact of each message; returns how many rows."""
    rows = [
        DeliveryRow(
            notice=m.notice,
            kind=m.kind,
            unit=m.unit,
            target=url,
            target_label=redact_url(url),
            title=m.title,
            body=m.body,
            state=PENDING,
            attempts=0,
            next_at=now,
            created_at=now,
        )
        for m in messages
        for url in dict.fromkeys(m.contacts)
    ]
    async with write_transaction(engine):  # the caller's, when it has one
        for i in range(0, len(rows), _CHUNK):
            await DeliveryRow.insert(*rows[i : i + _CHUNK]).run()
    return len(rows)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery a worker holds the lease of."""

    id: int
    notice: str
    target: str
    target_label: str
    title: str
    body: str
    attempts: int


async def claim(
    engine: DbEngine, *, worker: str, now: float, lease_seconds: float, limit: int
) -> list[Claimed]:
    """Take the lease of up to ``limit`` deliveries that are due and free; oldest first."""
    free = (DeliveryRow.lease_until.is_null()) | (DeliveryRow.lease_until < now)
    due = (DeliveryRow.state == PENDING) & (DeliveryRow.next_at <= now) & free
    async with write_transaction(engine):
        query = (
            DeliveryRow.select(DeliveryRow.id)
            .where(due)
            .order_by(DeliveryRow.next_at)
            .order_by(DeliveryRow.id)
            .limit(limit)
        )
        if is_postgres(engine):
            query = query.lock_rows("UPDATE", skip_locked=True, of=(DeliveryRow,))
        ids = [r["id"] for r in await query.run()]
        if not ids:
            return []
        # The condition is checked again by the UPDATE itself: of two workers racing for
        # a row, only one changes it.
        rows = await (
            DeliveryRow.update(
                {DeliveryRow.lease_owner: worker, DeliveryRow.lease_until: now + lease_seconds}
            )
            .where(DeliveryRow.id.is_in(ids) & due)
            .returning(
                DeliveryRow.id,
                DeliveryRow.notice,
                DeliveryRow.target,
                DeliveryRow.target_label,
                DeliveryRow.title,
                DeliveryRow.body,
                DeliveryRow.attempts,
            )
            .run()
        )
        got = [r["id"] for r in rows]
        if got:
            await (
                DeliveryAttemptRow.update(
                    {DeliveryAttemptRow.ok: False, DeliveryAttemptRow.error: INTERRUPTED,
                     DeliveryAttemptRow.finished_at: now}
                )
                .where(DeliveryAttemptRow.delivery.is_in(got) & DeliveryAttemptRow.ok.is_null())
                .run()
            )
    return sorted((Claimed(**r) for r in rows), key=lambda c: c.id)


async def start_attempt(
    engine: DbEngine, item: Claimed, *, worker: str, now: float
) -> tuple[int, int]:
    """Count the try and record that it began; returns (attempt row id, try number)."""
    number = item.attempts + 1
    async with write_transaction(engine):
        await (
            DeliveryRow.update({DeliveryRow.attempts: number})
            .where((DeliveryRow.id == item.id) & (DeliveryRow.lease_owner == worker))
            .run()
        )
        rows = await (
            DeliveryAttemptRow.insert(
                DeliveryAttemptRow(delivery=item.id, number=number, worker=worker, started_at=now)
            )
            .returning(DeliveryAttemptRow.id)
            .run()
        )
    return rows[0]["id"], number


async def finish_attempt(
    engine: DbEngine,
    item: Claimed,
    attempt_id: int,
    *,
    worker: str,
    now: float,
    ok: bool,
    error: str | None,
    retry_at: float | None,
) -> str:
    """Record the outcome; ``retry_at`` None after a failure means give up. Returns the state."""
    state = DELIVERED if ok else (PENDING if retry_at is not None else FAILED)
    values: Changes = {
        DeliveryRow.state: state,
        DeliveryRow.lease_owner: None,
        DeliveryRow.lease_until: None,
        DeliveryRow.last_error: error,
    }
    if ok:
        values[DeliveryRow.delivered_at] = now
    elif retry_at is not None:
        values[DeliveryRow.next_at] = retry_at
    async with write_transaction(engine):
        await (
            DeliveryRow.update(values)
            .where((DeliveryRow.id == item.id) & (DeliveryRow.lease_owner == worker))
            .run()
        )
        await (
            DeliveryAttemptRow.update(
                {
                    DeliveryAttemptRow.finished_at: now,
                    DeliveryAttemptRow.ok: ok,
                    DeliveryAttemptRow.error: error,
                }
            )
            .where(DeliveryAttemptRow.id == attempt_id)
            .run()
        )
    return state


# -- read models for the supervision office ------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttemptView:
    number: int
    worker: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    ok: bool | None
    error: str | None


@dataclass(frozen=True, slots=True)
class DeliveryView:
    """A delivery as the office sees it: the target redacted, every try listed."""

    id: int
    notice: str
    kind: str
    unit: str
    target: str  # redacted
    title: str
    state: str
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    next_at: dt.datetime | None
    tries: tuple[AttemptView, ...] = ()


def _at(t: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, dt.UTC)


def _when(t: float | None) -> dt.datetime | None:
    return None if t is None else _at(t)


async def _views(engine: DbEngine, where: Combinable) -> list[DeliveryView]:
    cols = (
        DeliveryRow.id, DeliveryRow.notice, DeliveryRow.kind, DeliveryRow.unit,
        DeliveryRow.target_label, DeliveryRow.title, DeliveryRow.state, DeliveryRow.attempts,
        DeliveryRow.last_error, DeliveryRow.created_at, DeliveryRow.delivered_at,
        DeliveryRow.next_at,
    )  # never DeliveryRow.target
    rows = await DeliveryRow.select(*cols).where(where).order_by(DeliveryRow.id).run()
    ids = [r["id"] for r in rows]
    tries: dict[int, list[AttemptView]] = {}
    if ids:
        for a in await (
            DeliveryAttemptRow.select()
            .where(DeliveryAttemptRow.delivery.is_in(ids))
            .order_by(DeliveryAttemptRow.id)
            .run()
        ):
            tries.setdefault(a["delivery"], []).append(
                AttemptView(a["number"], a["worker"], _at(a["started_at"]),
                            _when(a["finished_at"]), a["ok"], a["error"])
            )
    return [
        DeliveryView(
            id=r["id"], notice=r["notice"], kind=r["kind"], unit=r["unit"],
            target=r["target_label"], title=r["title"], state=r["state"],
            attempts=r["attempts"], last_error=r["last_error"],
            created_at=_at(r["created_at"]),
            delivered_at=_when(r["delivered_at"]),
            next_at=_when(r["next_at"]) if r["state"] == PENDING else None,
            tries=tuple(tries.get(r["id"], ())),
        )
        for r in rows
    ]


async def failed_deliveries(engine: DbEngine) -> list[DeliveryView]:
    """Deliveries given up on after the last allowed try: what the office must look at."""
    return await _views(engine, DeliveryRow.state == FAILED)


async def delivery_log(engine: DbEngine, notice: str) -> list[DeliveryView]:
    """Every delivery of one notice, with every try."""
    return await _views(engine, DeliveryRow.notice == notice)


async def deliveries(engine: DbEngine, *, states: Sequence[str] = (PENDING, DELIVERED, FAILED)) -> list[DeliveryView]:
    """All deliveries in ``states``, oldest first."""
    return await _views(engine, DeliveryRow.state.is_in(list(states)))


async def retry_failed(engine: DbEngine, delivery_id: int, *, now: float) -> bool:
    """Put a failed delivery back in the queue for a new round of tries (the office fixed
    the contact, or the target is back); True if it was failed. Earlier tries stay listed."""
    async with write_transaction(engine):
        rows = await (
            DeliveryRow.update({DeliveryRow.state: PENDING, DeliveryRow.next_at: now,
                                DeliveryRow.attempts: 0})
            .where((DeliveryRow.id == delivery_id) & (DeliveryRow.state == FAILED))
            .returning(DeliveryRow.id)
            .run()
        )
    return bool(rows)
