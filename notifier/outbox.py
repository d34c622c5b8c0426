"""The persistent outbox: enqueue messages, claim them under a lease, record every attempt.

Owns the ``notifier_delivery`` and ``notifier_delivery_attempt`` rows. Invariants:

- A message is enqueued in the caller's transaction, so it exists exactly when the change
  that caused it does.
- One row per (message, contact URL): a dead target delays only its own row.
- A worker claims rows with a lease (a conditional UPDATE that only takes rows whose lease is
  free or expired — portable; on PostgreSQL the candidate SELECT also uses
  ``FOR UPDATE SKIP LOCKED``). A worker that dies leaves its lease to expire; the rows are
  then claimed again, so nothing is lost and a message is sent at most once more.
- Every try is a row, written by the claim (before the send) and completed after it; a try
  cut short by a crash is closed as "interrupted" by the next claim. A worker records the
  outcomes of many tries in one transaction (``finish_attempts``): the bookkeeping is a few
  statements per batch, not two transactions per message.
- Targets are secrets: views carry only ``target_label`` (redacted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from piccolo.custom_types import Combinable

from notifier.redact import redact_url
from notifier.tables import DeliveryAttemptRow, DeliveryRow
from projects.storage import Changes, DbEngine, execute_many, is_postgres, raw, write_transaction

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
    rows = [(m.notice, m.kind, m.unit, url, redact_url(url), m.title, m.body, PENDING, 0, now, now)
            for m in messages for url in dict.fromkeys(m.contacts)]
    async with write_transaction(engine):  # the caller's, when it has one
        # one prepared statement (a Piccolo row object and query string each cost more)
        await execute_many(engine, f'INSERT INTO "{DeliveryRow._meta.tablename}" ({", ".join(_DELIVERY_COLUMNS)}) '
                           f'VALUES ({", ".join("{}" for _ in _DELIVERY_COLUMNS)})', rows)
    return len(rows)


#: A delivery row's columns as ``enqueue`` writes them.
_DELIVERY_COLUMNS = ("notice", "kind", "unit", "target", "target_label", "title", "body", "state", "attempts",
                     "next_at", "created_at")


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery a worker holds the lease of, with the try it began: ``number`` (1-based)
    and ``attempt``, the id of that try's row."""

    id: int
    notice: str
    target: str
    target_label: str
    title: str
    body: str
    number: int
    attempt: int


async def claim(
    engine: DbEngine, *, worker: str, now: float, lease_seconds: float, limit: int
) -> list[Claimed]:
    """Take the lease of up to ``limit`` deliveries that are due and free, oldest first, and
    begin a try of each: in one transaction the lease is taken, the tries counted, a try cut
    short by a crash closed as ``INTERRUPTED`` and one attempt row written per delivery, so
    every try is on record before anything is sent."""
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
                {DeliveryRow.lease_owner: worker, DeliveryRow.lease_until: now + lease_seconds,
                 DeliveryRow.attempts: DeliveryRow.attempts + 1}
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
        if not rows:
            return []
        got = [r["id"] for r in rows if r["attempts"] > 1]  # a first try has none before it
        if got:
            await (
                DeliveryAttemptRow.update(
                    {DeliveryAttemptRow.ok: False, DeliveryAttemptRow.error: INTERRUPTED,
                     DeliveryAttemptRow.finished_at: now}
                )
                .where(DeliveryAttemptRow.delivery.is_in(got) & DeliveryAttemptRow.ok.is_null())
                .run()
            )
        tries: dict[int, int] = {}
        for i in range(0, len(rows), _CHUNK // 4):  # one INSERT a chunk, in plain SQL: building
            part = rows[i : i + _CHUNK // 4]       # a Piccolo row object each cost more than the send
            made = await raw(
                engine,
                "INSERT INTO notifier_delivery_attempt (delivery, number, worker, started_at) "
                f"VALUES {', '.join('({}, {}, {}, {})' for _ in part)} RETURNING id, delivery",
                *(v for r in part for v in (r["id"], r["attempts"], worker, now)))
            tries.update((int(a["delivery"]), int(a["id"])) for a in made)
    return sorted(
        (Claimed(id=r["id"], notice=r["notice"], target=r["target"],
                 target_label=r["target_label"], title=r["title"], body=r["body"],
                 number=r["attempts"], attempt=tries[r["id"]]) for r in rows),
        key=lambda c: c.id,
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one try ended: at ``at`` (epoch seconds), ``ok`` or not, with the (redacted)
    ``error``; after a failure ``retry_at`` is when to try again, ``None`` to give up."""

    item: Claimed
    ok: bool
    error: str | None
    at: float
    retry_at: float | None = None

    @property
    def state(self) -> str:
        """The delivery's state once this outcome is recorded."""
        return DELIVERED if self.ok else (PENDING if self.retry_at is not None else FAILED)


def _case(column: str, pairs: Sequence[tuple[int, object]], sql_type: str) -> tuple[str, list[object]]:
    """``CASE id WHEN … THEN … END``: one value per row in a single UPDATE (portable SQL)."""
    text = " ".join(f"WHEN {{}} THEN CAST({{}} AS {sql_type})" for _ in pairs)
    args: list[object] = [v for pair in pairs for v in pair]
    return f"{column} = CASE id {text} END", args


def _ids(ids: Sequence[int]) -> str:
    return ", ".join("{}" for _ in ids)


async def finish_attempts(engine: DbEngine, outcomes: Sequence[Outcome], *, worker: str) -> None:
    """Record the outcomes of many tries in one transaction. The deliveries that went out are
    marked in one UPDATE of the outbox and one of the attempts (each row its own time); a
    failure, rare, in two statements of its own. A row another worker took over since (its
    lease ran out) is left to that worker; the try is still closed."""
    if not outcomes:
        return
    sent = [o for o in outcomes if o.ok]
    async with write_transaction(engine):
        for i in range(0, len(sent), _CHUNK // 4):
            part = sent[i : i + _CHUNK // 4]
            ids = [o.item.id for o in part]
            at, at_args = _case("delivered_at", [(o.item.id, o.at) for o in part], "DOUBLE PRECISION")
            await raw(engine,
                      f"UPDATE notifier_delivery SET state = {{}}, lease_owner = NULL, "
                      f"lease_until = NULL, last_error = NULL, {at} "
                      f"WHERE id IN ({_ids(ids)}) AND lease_owner = {{}}",
                      DELIVERED, *at_args, *ids, worker)
            tries = [o.item.attempt for o in part]
            done, done_args = _case("finished_at", [(o.item.attempt, o.at) for o in part],
                                    "DOUBLE PRECISION")
            await raw(engine,
                      f"UPDATE notifier_delivery_attempt SET ok = {{}}, error = NULL, {done} "
                      f"WHERE id IN ({_ids(tries)})",
                      True, *done_args, *tries)
        for o in outcomes:
            if o.ok:
                continue
            values: Changes = {
                DeliveryRow.state: o.state, DeliveryRow.lease_owner: None,
                DeliveryRow.lease_until: None, DeliveryRow.last_error: o.error,
            }
            if o.retry_at is not None:
                values[DeliveryRow.next_at] = o.retry_at
            await (
                DeliveryRow.update(values)
                .where((DeliveryRow.id == o.item.id) & (DeliveryRow.lease_owner == worker))
                .run()
            )
            await (
                DeliveryAttemptRow.update(
                    {DeliveryAttemptRow.finished_at: o.at, DeliveryAttemptRow.ok: False,
                     DeliveryAttemptRow.error: o.error}
                )
                .where(DeliveryAttemptRow.id == o.item.attempt)
                .run()
            )


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
