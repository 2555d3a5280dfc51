"""The outbox: messages written in the same transaction as the change that caused them.

A dispatcher claims due rows, delivers them and records the outcome. A row is never
deleted; its state tells what happened: pending -> sent -> delivered | failed,
or pending -> dead after the last attempt.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.outgoing import Button, OutMessage
from storage import tables as t


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    person_id: str | None
    chat_id: int | None
    channel: str
    kind: str
    message: OutMessage
    offer_id: int | None
    state: str
    attempts: int
    next_attempt_at: dt.datetime
    external_id: str | None = None
    error: str | None = None


def _payload(msg: OutMessage) -> str:
    return json.dumps(
        {
            "text": msg.text,
            "sms": msg.sms,
            "buttons": [[[b.label, b.data] for b in row] for row in msg.buttons],
            "edit_offer_id": msg.edit_offer_id,
            "vacancy_id": msg.vacancy_id,
            **({"markup": msg.reply_markup} if msg.reply_markup else {}),
            **({"edit_message_id": msg.edit_message_id} if msg.edit_message_id else {}),
        },
        ensure_ascii=False,
    )


def _message(kind: str, payload: str) -> OutMessage:
    d = json.loads(payload)
    return OutMessage(
        kind=kind,
        text=d["text"],
        sms=d.get("sms"),
        buttons=tuple(tuple(Button(lbl, data) for lbl, data in row) for row in d["buttons"]),
        edit_offer_id=d.get("edit_offer_id"),
        vacancy_id=d.get("vacancy_id"),
        reply_markup=d.get("markup"),
        edit_message_id=d.get("edit_message_id"),
    )


def _item(r: Any) -> OutboxItem:
    return OutboxItem(
        id=r.id,
        person_id=r.person_id,
        chat_id=r.chat_id,
        channel=r.channel,
        kind=r.kind,
        message=_message(r.kind, r.payload),
        offer_id=r.offer_id,
        state=r.state,
        attempts=r.attempts,
        next_attempt_at=r.next_attempt_at,
        external_id=r.external_id,
        error=r.error,
    )


async def enqueue(
    conn: AsyncConnection,
    msg: OutMessage,
    channel: str,
    now: dt.datetime,
    *,
    person_id: str | None = None,
    chat_id: int | None = None,
    offer_id: int | None = None,
) -> int:
    return int(
        (
            await conn.execute(
                sa.insert(t.outbox)
                .values(
                    person_id=person_id,
                    chat_id=chat_id,
                    channel=channel,
                    kind=msg.kind,
                    payload=_payload(msg),
                    offer_id=offer_id,
                    state="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
                .returning(t.outbox.c.id)
            )
        ).scalar_one()
    )


@dataclass(frozen=True, slots=True)
class Enqueued:
    """One message of a batch for `enqueue_many`."""

    msg: OutMessage
    channel: str
    person_id: str | None = None
    chat_id: int | None = None
    offer_id: int | None = None


async def enqueue_many(conn: AsyncConnection, items: list[Enqueued], now: dt.datetime) -> None:
    """Several messages in one statement (a wave's offers), each as `enqueue` would."""
    if not items:
        return
    await conn.execute(
        sa.insert(t.outbox),
        [
            {
                "person_id": i.person_id,
                "chat_id": i.chat_id,
                "channel": i.channel,
                "kind": i.msg.kind,
                "payload": _payload(i.msg),
                "offer_id": i.offer_id,
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for i in items
        ],
    )


async def claim_due(conn: AsyncConnection, now: dt.datetime, limit: int) -> list[OutboxItem]:
    """Due pending rows, oldest first; locked rows (another worker) are skipped."""
    q = (
        sa.select(t.outbox)
        .where(t.outbox.c.state == "pending", t.outbox.c.next_attempt_at <= now)
        .order_by(t.outbox.c.next_attempt_at, t.outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True, key_share=True)
    )
    return [_item(r) for r in await conn.execute(q)]


async def mark_sent(
    conn: AsyncConnection, item_id: int, now: dt.datetime, external_id: str | None
) -> None:
    await conn.execute(
        sa.update(t.outbox)
        .where(t.outbox.c.id == item_id)
        .values(
            state="sent",
            sent_at=now,
            external_id=external_id,
            attempts=t.outbox.c.attempts + 1,
            error=None,
        )
    )


async def mark_retry(
    conn: AsyncConnection, item_id: int, next_attempt_at: dt.datetime, error: str
) -> None:
    await conn.execute(
        sa.update(t.outbox)
        .where(t.outbox.c.id == item_id)
        .values(
            attempts=t.outbox.c.attempts + 1, next_attempt_at=next_attempt_at, error=error[:300]
        )
    )


async def mark_dead(conn: AsyncConnection, item_id: int, error: str) -> None:
    await conn.execute(
        sa.update(t.outbox)
        .where(t.outbox.c.id == item_id)
        .values(state="dead", attempts=t.outbox.c.attempts + 1, error=error[:300])
    )


async def by_external_id(conn: AsyncConnection, external_id: str) -> OutboxItem | None:
    r = (
        await conn.execute(sa.select(t.outbox).where(t.outbox.c.external_id == external_id))
    ).first()
    return _item(r) if r else None


async def set_state(conn: AsyncConnection, item_id: int, state: str, error: str | None) -> None:
    await conn.execute(
        sa.update(t.outbox).where(t.outbox.c.id == item_id).values(state=state, error=error)
    )


async def all_items(conn: AsyncConnection) -> list[OutboxItem]:
    return [_item(r) for r in await conn.execute(sa.select(t.outbox).order_by(t.outbox.c.id))]


async def settle_sent(conn: AsyncConnection, item_id: int, state: str, error: str | None) -> bool:
    """A delivery report: sent -> delivered | failed, once (a repeated report changes nothing)."""
    res = await conn.execute(
        sa.update(t.outbox)
        .where(t.outbox.c.id == item_id, t.outbox.c.state == "sent")
        .values(state=state, error=error)
    )
    return res.rowcount == 1


async def count_for_person(
    conn: AsyncConnection, person_id: str, kinds: Collection[str], since: dt.datetime
) -> int:
    """Messages of these kinds queued for a person since `since`, whatever became of them."""
    q = (
        sa.select(sa.func.count())
        .select_from(t.outbox)
        .where(
            t.outbox.c.person_id == person_id,
            t.outbox.c.created_at >= since,
            t.outbox.c.kind.in_(list(kinds)),
        )
    )
    return int((await conn.execute(q)).scalar_one())


async def offer_was_skipped(conn: AsyncConnection, offer_id: int) -> bool:
    """Whether the offer's own message was never delivered because it closed first."""
    row = (
        await conn.execute(
            sa.select(t.outbox.c.id).where(
                t.outbox.c.offer_id == offer_id,
                t.outbox.c.kind == "offer",
                t.outbox.c.state == "skipped",
            )
        )
    ).first()
    return row is not None


async def telegram_message_ids(conn: AsyncConnection, item_ids: Collection[int]) -> dict[int, int]:
    """The Telegram message id each of these rows was sent as (rows not sent yet: none)."""
    q = sa.select(t.outbox.c.id, t.outbox.c.external_id).where(
        t.outbox.c.id.in_(list(item_ids)),
        t.outbox.c.channel == "telegram",
        t.outbox.c.external_id.is_not(None),
    )
    return {
        r.id: int(r.external_id) for r in await conn.execute(q) if str(r.external_id).isdigit()
    }
