"""The inbox: what people send, committed before it is acknowledged (the outbox's mirror).

A webhook answers 2xx, and the Telegram poller asks for the next offset, only after `put`
has committed. A worker then takes one row at a time with `next_row` inside the write
transaction that also holds the row's effects (`Database.hold`), and `finish` marks it
handled in that same transaction: after a crash at any moment a row is either handled with
all its effects or still pending, never half. Rows of one key (a chat, a hashed number) are
taken in arrival order: a row waits while an earlier row of its key is pending. On
PostgreSQL other workers skip a row that is being handled (`FOR UPDATE SKIP LOCKED`); on
SQLite the write lock does the same.

A handled row keeps no payload (it may hold health data: "SJUK"); source, key, times and
the outcome stay for `retention` days for audit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import tables as t

PENDING, HANDLED, FAILED = "pending", "handled", "failed"


@dataclass(frozen=True, slots=True)
class InboxRow:
    id: int
    source: str
    external_id: str
    key: str
    payload: str
    attempts: int
    received_at: dt.datetime


async def put(
    conn: AsyncConnection,
    source: str,
    external_id: str,
    key: str,
    payload: str,
    now: dt.datetime,
) -> bool:
    """Store one inbound message; False when the same (source, external id) is stored
    already (a webhook sent again, an update fetched twice), which changes nothing. Two at
    once (two workers) are one: the insert does nothing on the unique key."""
    values = {
        "source": source,
        "external_id": external_id[:80],
        "key": key[:64],
        "payload": payload,
        "state": PENDING,
        "attempts": 0,
        "received_at": now,
        "next_attempt_at": now,
    }
    dialect = conn.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    q = insert(t.inbox).values(**values).on_conflict_do_nothing(
        index_elements=["source", "external_id"]
    )
    return (await conn.execute(q)).rowcount == 1


async def next_row(conn: AsyncConnection, now: dt.datetime) -> InboxRow | None:
    """The oldest due pending row whose key has no earlier pending row, locked for this
    transaction (others skip it), or None."""
    earlier = t.inbox.alias("earlier")
    blocked = sa.exists().where(
        earlier.c.key == t.inbox.c.key,
        earlier.c.state == PENDING,
        earlier.c.id < t.inbox.c.id,
    )
    q = (
        sa.select(t.inbox)
        .where(t.inbox.c.state == PENDING, t.inbox.c.next_attempt_at <= now, ~blocked)
        .order_by(t.inbox.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    r = (await conn.execute(q)).first()
    if r is None:
        return None
    return InboxRow(
        id=r.id,
        source=r.source,
        external_id=r.external_id,
        key=r.key,
        payload=r.payload or "",
        attempts=r.attempts,
        received_at=r.received_at,
    )


async def finish(conn: AsyncConnection, row_id: int, now: dt.datetime, outcome: str) -> bool:
    """Mark handled and drop the payload; False if it was not pending (handled already)."""
    res = await conn.execute(
        sa.update(t.inbox)
        .where(t.inbox.c.id == row_id, t.inbox.c.state == PENDING)
        .values(
            state=HANDLED,
            handled_at=now,
            payload=None,
            outcome=outcome[:40],
            attempts=t.inbox.c.attempts + 1,
            error=None,
        )
    )
    return res.rowcount == 1


async def retry_later(
    conn: AsyncConnection, row_id: int, at: dt.datetime, error: str, *, count: bool = True
) -> None:
    """Handling failed: try again at `at` (the rows after it in its key wait). `count`:
    whether this was an attempt (a passing trouble, such as a 429, is not)."""
    await conn.execute(
        sa.update(t.inbox)
        .where(t.inbox.c.id == row_id, t.inbox.c.state == PENDING)
        .values(
            attempts=t.inbox.c.attempts + (1 if count else 0),
            next_attempt_at=at,
            error=error[:300],
        )
    )


async def give_up(conn: AsyncConnection, row_id: int, now: dt.datetime, error: str) -> None:
    """Handling failed for the last time: the row is kept (without its payload) as failed,
    so the rows after it in its key go on."""
    await conn.execute(
        sa.update(t.inbox)
        .where(t.inbox.c.id == row_id, t.inbox.c.state == PENDING)
        .values(
            state=FAILED,
            handled_at=now,
            payload=None,
            attempts=t.inbox.c.attempts + 1,
            error=error[:300],
        )
    )


async def pending_count(conn: AsyncConnection) -> int:
    q = sa.select(sa.func.count()).select_from(t.inbox).where(t.inbox.c.state == PENDING)
    return int((await conn.execute(q)).scalar_one())


async def purge(conn: AsyncConnection, before: dt.datetime) -> int:
    """Forget handled and failed rows received before `before`; pending rows stay."""
    res = await conn.execute(
        sa.delete(t.inbox).where(t.inbox.c.state != PENDING, t.inbox.c.received_at < before)
    )
    return int(res.rowcount or 0)
