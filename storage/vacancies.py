"""Vacancies (vakanta pass) and the offers made for them: typed reads and writes.

Every function takes the caller's connection, so a service decides the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Offer, OfferState, Shift, Vacancy, VacancyStatus
from storage import people as people_repo
from storage import shifts as shifts_repo
from storage import tables as t


def _vacancy(r: Any) -> Vacancy:
    return Vacancy(
        id=r.id,
        shift_id=r.shift_id,
        status=VacancyStatus(r.status),
        wave=r.wave,
        next_due_at=r.next_due_at,
        created_at=r.created_at,
        updated_at=r.updated_at,
        absence_id=r.absence_id,
        escalated_at=r.escalated_at,
        widened=bool(r.widened),
    )


async def get_vacancy(
    conn: AsyncConnection, vacancy_id: int, *, for_update: bool = False
) -> Vacancy | None:
    q = sa.select(t.vacancies).where(t.vacancies.c.id == vacancy_id)
    if for_update:
        q = q.with_for_update(key_share=True)
    r = (await conn.execute(q)).first()
    return _vacancy(r) if r else None


async def vacancy_for_shift(conn: AsyncConnection, shift_id: str) -> Vacancy | None:
    r = (
        await conn.execute(sa.select(t.vacancies).where(t.vacancies.c.shift_id == shift_id))
    ).first()
    return _vacancy(r) if r else None


async def insert_vacancy(
    conn: AsyncConnection, shift_id: str, absence_id: int | None, now: dt.datetime
) -> int:
    return int(
        (
            await conn.execute(
                sa.insert(t.vacancies)
                .values(
                    shift_id=shift_id,
                    absence_id=absence_id,
                    status="searching",
                    wave=0,
                    next_due_at=now,
                    created_at=now,
                    updated_at=now,
                )
                .returning(t.vacancies.c.id)
            )
        ).scalar_one()
    )


async def update_vacancy(
    conn: AsyncConnection,
    vacancy_id: int,
    now: dt.datetime,
    *,
    expect_status: VacancyStatus | None = None,
    **values: Any,
) -> bool:
    """Change a vacancy; with expect_status only if it is still in that state (atomic)."""
    q = sa.update(t.vacancies).where(t.vacancies.c.id == vacancy_id)
    if expect_status is not None:
        q = q.where(t.vacancies.c.status == expect_status.value)
    res = await conn.execute(q.values(updated_at=now, **values))
    return res.rowcount == 1


async def claim_due_vacancies(conn: AsyncConnection, now: dt.datetime, limit: int) -> list[int]:
    """Vacancies whose next step is due. On PostgreSQL, rows another worker holds are skipped."""
    q = (
        sa.select(t.vacancies.c.id)
        .where(t.vacancies.c.status == "searching", t.vacancies.c.next_due_at <= now)
        .order_by(t.vacancies.c.next_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True, key_share=True)
    )
    return [r.id for r in await conn.execute(q)]


async def vacancies_in(
    conn: AsyncConnection,
    start: dt.datetime,
    end: dt.datetime,
    unit_ids: Iterable[str] | None = None,
) -> list[tuple[Vacancy, Shift]]:
    q = (
        sa.select(t.vacancies, *[c.label(f"s_{c.name}") for c in t.shifts.c])
        .join(t.shifts, t.shifts.c.id == t.vacancies.c.shift_id)
        .where(t.shifts.c.starts_at >= start, t.shifts.c.starts_at < end)
        .order_by(t.shifts.c.starts_at, t.vacancies.c.id)
    )
    if unit_ids is not None:
        q = q.where(t.shifts.c.unit_id.in_(list(unit_ids)))
    out = []
    for r in await conn.execute(q):
        s = shifts_repo.from_row(shifts_repo.Prefixed(r, "s_"))
        out.append((_vacancy(r), s))
    return out


# ---------- offers ----------


def _offer(r: Any) -> Offer:
    return Offer(
        id=r.id,
        vacancy_id=r.vacancy_id,
        person_id=r.person_id,
        wave=r.wave,
        rank=r.rank,
        code=r.code,
        created_at=r.created_at,
        state=OfferState(r.state),
        answered_at=r.answered_at,
        answer_channel=r.answer_channel,
        telegram_message_id=r.telegram_message_id,
    )


async def offers_for(conn: AsyncConnection, vacancy_id: int) -> list[Offer]:
    q = sa.select(t.offers).where(t.offers.c.vacancy_id == vacancy_id).order_by(t.offers.c.id)
    return [_offer(r) for r in await conn.execute(q)]


async def has_open_offers(conn: AsyncConnection, vacancy_id: int) -> bool:
    q = sa.select(t.offers.c.id).where(
        t.offers.c.vacancy_id == vacancy_id, t.offers.c.state == "open"
    )
    return (await conn.execute(q.limit(1))).first() is not None


async def get_offer(conn: AsyncConnection, offer_id: int) -> Offer | None:
    r = (await conn.execute(sa.select(t.offers).where(t.offers.c.id == offer_id))).first()
    return _offer(r) if r else None


async def open_offers_of(conn: AsyncConnection, person_id: str) -> list[Offer]:
    q = (
        sa.select(t.offers)
        .where(t.offers.c.person_id == person_id, t.offers.c.state == "open")
        .order_by(t.offers.c.id)
    )
    return [_offer(r) for r in await conn.execute(q)]


async def latest_offer_id(
    conn: AsyncConnection, person_id: str, since: dt.datetime, code: int | None = None
) -> int | None:
    """The person's newest offer created after `since` (with this short code, if given)."""
    q = (
        sa.select(t.offers.c.id)
        .where(t.offers.c.person_id == person_id, t.offers.c.created_at >= since)
        .order_by(t.offers.c.created_at.desc(), t.offers.c.id.desc())
        .limit(1)
    )
    if code is not None:
        q = q.where(t.offers.c.code == code)
    found = (await conn.execute(q)).scalar_one_or_none()
    return int(found) if found is not None else None


async def insert_offers(
    conn: AsyncConnection,
    vacancy_id: int,
    wave: int,
    people_by_rank: Sequence[str],
    now: dt.datetime,
) -> list[Offer]:
    """One wave's offers, ranks 1.. in the order given, in one statement. Each offer gets
    the smallest short code (SMS "JA 3") its person has no other open offer with; the
    people are locked first (PostgreSQL), so two workers never give one person the same
    code, and anyone locked elsewhere is left out of this wave."""
    if not people_by_rank:
        return []
    if conn.dialect.name != "sqlite":  # SQLite has one writer: nothing to wait for
        # Someone whose row another transaction holds (being booked or filled by hand right
        # now) is skipped, not waited for: waiting here, with the vacancy locked, could
        # deadlock with that booking (person, then vacancy).
        locked = await people_repo.lock_people(conn, people_by_rank, skip_locked=True)
        people_by_rank = [pid for pid in people_by_rank if pid in locked]
        if not people_by_rank:
            return []
    used: dict[str, set[int]] = defaultdict(set)
    for chunk in people_repo.chunks(list(dict.fromkeys(people_by_rank))):
        q = sa.select(t.offers.c.person_id, t.offers.c.code).where(
            t.offers.c.person_id.in_(chunk), t.offers.c.state == "open"
        )
        for r in await conn.execute(q):
            used[r.person_id].add(r.code)
    codes: list[int] = []
    for pid in people_by_rank:
        codes.append(next(c for c in range(1, 10_000) if c not in used[pid]))
        used[pid].add(codes[-1])
    rows = [
        {
            "vacancy_id": vacancy_id,
            "person_id": pid,
            "wave": wave,
            "rank": rank,
            "code": code,
            "created_at": now,
            "state": "open",
        }
        for rank, (pid, code) in enumerate(zip(people_by_rank, codes, strict=True), start=1)
    ]
    # One multi-row INSERT; RETURNING order is not promised, so ids are matched by person
    # (one offer per person and vacancy: uq_offers_vacancy_person).
    ids: dict[str, int] = {}
    for i in range(0, len(rows), 1000):  # 7 parameters a row: well inside SQLite's 32,766
        returned = await conn.execute(
            sa.insert(t.offers)
            .values(rows[i : i + 1000])
            .returning(t.offers.c.id, t.offers.c.person_id)
        )
        ids.update((pid, int(oid)) for oid, pid in returned)
    return [
        Offer(ids[pid], vacancy_id, pid, wave, rank, code, now)
        for rank, (pid, code) in enumerate(zip(people_by_rank, codes, strict=True), start=1)
    ]


async def answer_offer(
    conn: AsyncConnection,
    offer_id: int,
    state: OfferState,
    now: dt.datetime,
    channel: str | None,  # None: nobody answered (UNREACHABLE)
    *,
    only_if_open: bool = True,
) -> bool:
    q = sa.update(t.offers).where(t.offers.c.id == offer_id)
    if only_if_open:
        q = q.where(t.offers.c.state == "open")
    res = await conn.execute(q.values(state=state.value, answered_at=now, answer_channel=channel))
    return res.rowcount == 1


async def close_open_offers(
    conn: AsyncConnection,
    vacancy_id: int,
    state: OfferState,
    now: dt.datetime,
    except_person: str | None = None,
) -> list[Offer]:
    """Close every open offer of a vacancy; returns the offers that were open."""
    q = sa.select(t.offers).where(t.offers.c.vacancy_id == vacancy_id, t.offers.c.state == "open")
    if except_person is not None:
        q = q.where(t.offers.c.person_id != except_person)
    closed = [_offer(r) for r in await conn.execute(q)]
    if closed:
        await conn.execute(
            sa.update(t.offers)
            .where(t.offers.c.id.in_([o.id for o in closed]))
            .values(state=state.value, answered_at=now)
        )
    return closed


async def set_offer_message(conn: AsyncConnection, offer_id: int, message_id: int) -> None:
    await conn.execute(
        sa.update(t.offers).where(t.offers.c.id == offer_id).values(telegram_message_id=message_id)
    )


async def move_offers_message(
    conn: AsyncConnection, person_id: str, old_id: int, new_id: int
) -> None:
    """The person's offers on Telegram message `old_id` are now on `new_id` (a bundle
    that could no longer be edited was drawn as a new message)."""
    await conn.execute(
        sa.update(t.offers)
        .where(t.offers.c.person_id == person_id, t.offers.c.telegram_message_id == old_id)
        .values(telegram_message_id=new_id)
    )


async def booked_offers(
    conn: AsyncConnection, person_id: str, offer_ids: Collection[int]
) -> set[int]:
    """Those of the person's offers whose vacancy the person holds a live booking for
    (taken from the offer, or booked by hand while it was open)."""
    if not offer_ids:
        return set()
    q = (
        sa.select(t.offers.c.id)
        .select_from(
            t.offers.join(
                t.bookings,
                sa.and_(
                    t.bookings.c.vacancy_id == t.offers.c.vacancy_id,
                    t.bookings.c.person_id == t.offers.c.person_id,
                    t.bookings.c.cancelled_at.is_(None),
                ),
            )
        )
        .where(t.offers.c.person_id == person_id, t.offers.c.id.in_(list(offer_ids)))
    )
    return {int(r[0]) for r in await conn.execute(q)}


async def offer_of(conn: AsyncConnection, vacancy_id: int, person_id: str) -> Offer | None:
    """The person's offer for a vacancy, if they had one."""
    q = sa.select(t.offers).where(
        t.offers.c.vacancy_id == vacancy_id, t.offers.c.person_id == person_id
    )
    r = (await conn.execute(q)).first()
    return _offer(r) if r else None


async def forget_offer_messages(conn: AsyncConnection, person_id: str) -> None:
    """The person's Telegram account changed: message ids of the old chat mean nothing in
    the new one (ids are per chat), so no later bundle may match them."""
    await conn.execute(
        sa.update(t.offers)
        .where(t.offers.c.person_id == person_id, t.offers.c.telegram_message_id.is_not(None))
        .values(telegram_message_id=None)
    )


async def offers_on_message(
    conn: AsyncConnection, person_id: str, message_id: int
) -> list[Offer]:
    """The person's offers carried by one Telegram message (several: a bundled offer)."""
    q = (
        sa.select(t.offers)
        .where(t.offers.c.person_id == person_id, t.offers.c.telegram_message_id == message_id)
        .order_by(t.offers.c.id)
    )
    return [_offer(r) for r in await conn.execute(q)]


async def offer_starts(conn: AsyncConnection, offer_ids: Collection[int]) -> dict[int, dt.datetime]:
    """Each offer's shift start."""
    if not offer_ids:
        return {}
    q = (
        sa.select(t.offers.c.id, t.shifts.c.starts_at)
        .select_from(
            t.offers.join(t.vacancies, t.vacancies.c.id == t.offers.c.vacancy_id).join(
                t.shifts, t.shifts.c.id == t.vacancies.c.shift_id
            )
        )
        .where(t.offers.c.id.in_(list(offer_ids)))
    )
    return {r.id: r.starts_at for r in await conn.execute(q)}


async def in_bundle(conn: AsyncConnection, offer: Offer) -> bool:
    """Whether the offer's Telegram message carries other offers too (a bundled offer)."""
    if offer.telegram_message_id is None:
        return False
    mates = await offers_on_message(conn, offer.person_id, offer.telegram_message_id)
    return len(mates) > 1


async def offered_person_ids(conn: AsyncConnection, vacancy_id: int) -> set[str]:
    q = sa.select(t.offers.c.person_id).where(t.offers.c.vacancy_id == vacancy_id)
    return {r[0] for r in await conn.execute(q)}
