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

from bot.domain.outbox_order import Priority, is_group_chat, priority
from bot.domain.outgoing import BundleLine, Button, OutMessage
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
            **(
                {"bundle": [msg.bundle.text, msg.bundle.sms, msg.bundle.label]}
                if msg.bundle
                else {}
            ),
            **({"fallback": True} if msg.fallback else {}),
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
        bundle=BundleLine(*d["bundle"]) if d.get("bundle") else None,
        fallback=bool(d.get("fallback")),
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
    item = Enqueued(msg, channel, person_id=person_id, chat_id=chat_id, offer_id=offer_id)
    row = (await _rows(conn, [item], now))[0]
    return int(
        (
            await conn.execute(sa.insert(t.outbox).values(**row).returning(t.outbox.c.id))
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
    await conn.execute(sa.insert(t.outbox), await _rows(conn, items, now))


async def _offer_order(
    conn: AsyncConnection, offer_ids: list[int]
) -> dict[int, tuple[int, int, dt.datetime]]:
    """Each offer's wave, rank and shift start: where its message goes in the queue."""
    if not offer_ids:
        return {}
    q = (
        sa.select(t.offers.c.id, t.offers.c.wave, t.offers.c.rank, t.shifts.c.starts_at)
        .select_from(
            t.offers.join(t.vacancies, t.vacancies.c.id == t.offers.c.vacancy_id).join(
                t.shifts, t.shifts.c.id == t.vacancies.c.shift_id
            )
        )
        .where(t.offers.c.id.in_(offer_ids))
    )
    return {r.id: (r.wave, r.rank, r.starts_at) for r in await conn.execute(q)}


async def _queued_offers(
    conn: AsyncConnection, offer_ids: list[int]
) -> dict[int, tuple[int, int, int, dt.datetime]]:
    """Where each offer's unsent message stands in the send order (the latest place if it
    has several, e.g. a fallback's SMS): a follow-up about the offer goes after it."""
    if not offer_ids:
        return {}
    c = t.outbox.c
    q = sa.select(c.offer_id, c.priority, c.wave, c.rank, c.sort_at).where(
        c.offer_id.in_(offer_ids), c.kind == "offer", c.state == "pending"
    )
    places: dict[int, tuple[int, int, int, dt.datetime]] = {}
    for r in await conn.execute(q):
        place = (r.priority, r.wave, r.rank, r.sort_at)
        places[r.offer_id] = max(places.get(r.offer_id, place), place)
    return places


async def _rows(
    conn: AsyncConnection, items: list[Enqueued], now: dt.datetime
) -> list[dict[str, Any]]:
    """Insert values for `items`, with the claim order each row is sent in.

    A follow-up about an offer (booked, "Tillsatt", withdrawn ...) waits while the offer's
    own message is unsent (`claim_due`), so it takes its place in the order no earlier
    than that message: a booking confirmation is a receipt, sorted before every offer, and
    it would otherwise wait for an offer that waits for it (a person's messages go in
    order), neither ever sent. Every wait in `claim_due` is then for a row earlier in the
    order, so the earliest pending row never waits on another and the queue cannot stall.
    """
    offers = await _offer_order(
        conn,
        [i.offer_id for i in items if i.offer_id is not None and i.msg.kind == "offer"],
    )
    queued = await _queued_offers(
        conn,
        [i.offer_id for i in items if i.offer_id is not None and i.msg.kind != "offer"],
    )
    rows = []
    for i in items:
        prio = priority(i.msg.kind, to_group=is_group_chat(i.chat_id))
        wave, rank, sort_at = 0, 0, now
        if prio == Priority.OFFER and i.offer_id in offers:
            wave, rank, sort_at = offers[i.offer_id]
        place = (int(prio), wave, rank, sort_at)
        if i.offer_id is not None:
            if i.msg.kind == "offer":  # a follow-up later in this batch goes after it
                queued[i.offer_id] = max(queued.get(i.offer_id, place), place)
            elif i.offer_id in queued:
                place = max(place, queued[i.offer_id])
        prio_n, wave, rank, sort_at = place
        rows.append(
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
                "priority": prio_n,
                "wave": wave,
                "rank": rank,
                "sort_at": sort_at,
            }
        )
    return rows


def _order(c: Any) -> tuple[Any, ...]:
    """The send order: the claim's ORDER BY (index ix_outbox_claim)."""
    return (c.priority, c.wave, c.rank, c.sort_at, c.id)


async def claim_due(conn: AsyncConnection, now: dt.datetime, limit: int) -> list[OutboxItem]:
    """Due pending rows, most urgent first (`bot.domain.outbox_order`): the priority
    class, then offers by wave, rank and shift start, so every vacancy's first wave goes
    out before any later fan-out; locked rows (another worker) are skipped."""
    c = t.outbox.c
    # A recipient's messages go in this order, whichever worker holds the earlier ones;
    # a follow-up about an offer ("Tillsatt") waits while the offer is unsent (`_rows`
    # sorts it after the offer). A row only ever waits for a row earlier in the order, so
    # the earliest pending row waits for none and nothing waits for ever; a row leased by
    # a worker that died holds up its recipient's later rows until the lease runs out.
    first = t.outbox.alias("first")
    same_recipient = sa.or_(
        sa.and_(c.person_id.is_not(None), first.c.person_id == c.person_id),
        sa.and_(c.person_id.is_(None), first.c.person_id.is_(None), first.c.chat_id == c.chat_id),
    )
    earlier_unsent = (
        sa.select(first.c.id)
        .where(
            first.c.state == "pending",
            sa.tuple_(*_order(first.c)) < sa.tuple_(*_order(c)),
            sa.or_(
                sa.and_(first.c.channel == c.channel, same_recipient),
                sa.and_(first.c.offer_id == c.offer_id, first.c.kind == "offer"),
            ),
        )
        .exists()
    )
    q = (
        sa.select(t.outbox)
        .where(c.state == "pending", c.next_attempt_at <= now, ~earlier_unsent)
        .order_by(*_order(c))
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


async def pending_offers_of(
    conn: AsyncConnection,
    person_id: str,
    channel: str,
    now: dt.datetime,
    *,
    leased_by_us: Collection[int],
    besides: int,
    limit: int,
) -> list[OutboxItem]:
    """The person's other offers waiting on `channel`: due now, or claimed by this very
    round (`leased_by_us`), in the send order. What a bundled offer is made of."""
    c = t.outbox.c
    q = (
        sa.select(t.outbox)
        .where(
            c.person_id == person_id,
            c.channel == channel,
            c.kind == "offer",
            c.state == "pending",
            c.id != besides,
            sa.or_(c.next_attempt_at <= now, c.id.in_(list(leased_by_us))),
        )
        .order_by(*_order(c))
        .limit(limit)
    )
    return [_item(r) for r in await conn.execute(q)]


async def lease(
    conn: AsyncConnection,
    item_ids: Collection[int],
    now: dt.datetime,
    until: dt.datetime,
    *,
    leased_by_us: Collection[int],
) -> set[int]:
    """Claim these rows until `until` if they are still ours to take (pending, and due or
    already claimed by us): another worker may have claimed one meanwhile. Returns the ids
    taken."""
    if not item_ids:
        return set()
    c = t.outbox.c
    res = await conn.execute(
        sa.update(t.outbox)
        .where(
            c.id.in_(list(item_ids)),
            c.state == "pending",
            sa.or_(c.next_attempt_at <= now, c.id.in_(list(leased_by_us))),
        )
        .values(next_attempt_at=until)
        .returning(c.id)
    )
    return {int(r[0]) for r in res}


async def bundle_lines(conn: AsyncConnection, offer_ids: Collection[int]) -> dict[int, BundleLine]:
    """How each offer reads in a bundle, from its own queued message (the latest, if
    several)."""
    if not offer_ids:
        return {}
    c = t.outbox.c
    q = (
        sa.select(c.offer_id, c.kind, c.payload)
        .where(c.offer_id.in_(list(offer_ids)), c.kind == "offer")
        .order_by(c.id)
    )
    lines: dict[int, BundleLine] = {}
    for r in await conn.execute(q):
        line = _message(r.kind, r.payload).bundle
        if line is not None:
            lines[r.offer_id] = line
    return lines


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


async def postpone(conn: AsyncConnection, item_ids: list[int], at: dt.datetime) -> None:
    """Due again at `at`, no attempt spent: its recipient's chat was at its rate."""
    await conn.execute(
        sa.update(t.outbox).where(t.outbox.c.id.in_(item_ids)).values(next_attempt_at=at)
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


async def all_by_external_id(conn: AsyncConnection, external_id: str) -> list[OutboxItem]:
    """Every row one send carried: a bundled offer is one SMS for several rows."""
    q = sa.select(t.outbox).where(t.outbox.c.external_id == external_id).order_by(t.outbox.c.id)
    return [_item(r) for r in await conn.execute(q)]


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


async def still_pending(conn: AsyncConnection, item_id: int) -> bool:
    """Whether the row is not yet recorded as sent (nor given up)."""
    row = (
        await conn.execute(sa.select(t.outbox.c.state).where(t.outbox.c.id == item_id))
    ).first()
    return row is not None and row.state == "pending"
