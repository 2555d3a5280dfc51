"""Shifts, absences, vacancies, offers and bookings: typed reads and writes.

Every function takes the caller's connection, so a service decides the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import (
    Absence,
    AbsenceCategory,
    Booking,
    Interval,
    Offer,
    OfferState,
    PersonLoad,
    Shift,
    Vacancy,
    VacancyStatus,
)
from bot.domain.response_model import PastOffer
from storage import tables as t
from storage.people import chunks, lock_people

LIVE_VACANCY = ("searching", "filled")
# No shift is longer than this (the importer takes a date and two wall times; Settings caps
# max_shift_hours at 24). Queries use it as a lower bound on starts_at, so that a time
# window is an index range on starts_at instead of "everything that started before X".
MAX_SHIFT_SPAN = dt.timedelta(hours=24)


# ---------- shifts ----------


def _shift(r: Any) -> Shift:
    reqs = tuple(x for x in (r.requirements or "").split(";") if x)
    return Shift(
        id=r.id,
        unit_id=r.unit_id,
        starts_at=r.starts_at,
        ends_at=r.ends_at,
        role=r.role,
        person_id=r.person_id,
        requirements=reqs,
        cancelled=bool(r.cancelled),
    )


async def get_shift(conn: AsyncConnection, shift_id: str) -> Shift | None:
    r = (await conn.execute(sa.select(t.shifts).where(t.shifts.c.id == shift_id))).first()
    return _shift(r) if r else None


async def insert_shift(conn: AsyncConnection, shift: Shift) -> None:
    await conn.execute(
        sa.insert(t.shifts).values(
            id=shift.id,
            unit_id=shift.unit_id,
            person_id=shift.person_id,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            role=shift.role,
            requirements=";".join(shift.requirements),
        )
    )


async def shifts_of(
    conn: AsyncConnection, person_id: str, start: dt.datetime, end: dt.datetime
) -> list[Shift]:
    """A person's own scheduled shifts starting in [start, end), soonest first."""
    q = (
        sa.select(t.shifts)
        .where(
            t.shifts.c.person_id == person_id,
            t.shifts.c.cancelled.is_(False),
            t.shifts.c.starts_at >= start,
            t.shifts.c.starts_at < end,
        )
        .order_by(t.shifts.c.starts_at)
    )
    return [_shift(r) for r in await conn.execute(q)]


# ---------- absences ----------


async def insert_absence(
    conn: AsyncConnection,
    person_id: str,
    category: AbsenceCategory,
    start: dt.datetime,
    end: dt.datetime,
    channel: str,
    now: dt.datetime,
) -> int:
    return int(
        (
            await conn.execute(
                sa.insert(t.absences)
                .values(
                    person_id=person_id,
                    category=category.value,
                    starts_at=start,
                    ends_at=end,
                    channel=channel,
                    reported_at=now,
                )
                .returning(t.absences.c.id)
            )
        ).scalar_one()
    )


def _absence(r: Any) -> Absence:
    return Absence(
        r.id,
        r.person_id,
        AbsenceCategory(r.category),
        r.starts_at,
        r.ends_at,
        r.channel,
        r.reported_at,
        r.ended_at,
    )


async def get_absence(conn: AsyncConnection, absence_id: int) -> Absence | None:
    r = (await conn.execute(sa.select(t.absences).where(t.absences.c.id == absence_id))).first()
    return _absence(r) if r else None


async def open_absences(conn: AsyncConnection, person_id: str, now: dt.datetime) -> list[Absence]:
    q = (
        sa.select(t.absences)
        .where(
            t.absences.c.person_id == person_id,
            t.absences.c.ended_at.is_(None),
            t.absences.c.ends_at > now,
        )
        .order_by(t.absences.c.starts_at)
    )
    return [_absence(r) for r in await conn.execute(q)]


async def end_absence(conn: AsyncConnection, absence_id: int, now: dt.datetime) -> None:
    await conn.execute(
        sa.update(t.absences).where(t.absences.c.id == absence_id).values(ended_at=now)
    )


# ---------- vacancies ----------


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
        s = _shift(_Prefixed(r, "s_"))
        out.append((_vacancy(r), s))
    return out


class _Prefixed:
    def __init__(self, row: Any, prefix: str) -> None:
        self._row, self._prefix = row, prefix

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, self._prefix + name)


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
        locked = await lock_people(conn, people_by_rank, skip_locked=True)
        people_by_rank = [pid for pid in people_by_rank if pid in locked]
        if not people_by_rank:
            return []
    used: dict[str, set[int]] = defaultdict(set)
    for chunk in chunks(list(dict.fromkeys(people_by_rank))):
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
    channel: str,
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


# ---------- bookings ----------


def _booking(r: Any) -> Booking:
    return Booking(
        id=r.id,
        vacancy_id=r.vacancy_id,
        shift_id=r.shift_id,
        person_id=r.person_id,
        booked_at=r.booked_at,
        channel=r.channel,
        override_reason=r.override_reason,
        by_person_id=r.by_person_id,
        cancelled_at=r.cancelled_at,
        cancel_kind=r.cancel_kind,
    )


async def insert_booking(
    conn: AsyncConnection,
    vacancy_id: int,
    shift_id: str,
    person_id: str,
    now: dt.datetime,
    channel: str,
    *,
    override_reason: str | None = None,
    by: str | None = None,
) -> int:
    return int(
        (
            await conn.execute(
                sa.insert(t.bookings)
                .values(
                    vacancy_id=vacancy_id,
                    shift_id=shift_id,
                    person_id=person_id,
                    booked_at=now,
                    channel=channel,
                    override_reason=override_reason,
                    by_person_id=by,
                )
                .returning(t.bookings.c.id)
            )
        ).scalar_one()
    )


async def live_booking(conn: AsyncConnection, vacancy_id: int) -> Booking | None:
    r = (
        await conn.execute(
            sa.select(t.bookings).where(
                t.bookings.c.vacancy_id == vacancy_id, t.bookings.c.cancelled_at.is_(None)
            )
        )
    ).first()
    return _booking(r) if r else None


async def get_booking(conn: AsyncConnection, booking_id: int) -> Booking | None:
    r = (await conn.execute(sa.select(t.bookings).where(t.bookings.c.id == booking_id))).first()
    return _booking(r) if r else None


async def cancel_booking_row(
    conn: AsyncConnection, booking_id: int, now: dt.datetime, kind: str
) -> bool:
    res = await conn.execute(
        sa.update(t.bookings)
        .where(t.bookings.c.id == booking_id, t.bookings.c.cancelled_at.is_(None))
        .values(cancelled_at=now, cancel_kind=kind)
    )
    return res.rowcount == 1


async def bookings_for(conn: AsyncConnection, vacancy_id: int) -> list[Booking]:
    """Every booking of a vacancy, cancelled ones too, oldest first."""
    q = sa.select(t.bookings).where(t.bookings.c.vacancy_id == vacancy_id)
    return [_booking(r) for r in await conn.execute(q.order_by(t.bookings.c.id))]


async def bookings_of(
    conn: AsyncConnection, person_id: str, since: dt.datetime
) -> list[tuple[Booking, Shift]]:
    """A person's live bookings for shifts ending after `since`, soonest first."""
    q = (
        sa.select(t.bookings, *[c.label(f"s_{c.name}") for c in t.shifts.c])
        .join(t.shifts, t.shifts.c.id == t.bookings.c.shift_id)
        .where(
            t.bookings.c.person_id == person_id,
            t.bookings.c.cancelled_at.is_(None),
            t.shifts.c.ends_at > since,
        )
        .order_by(t.shifts.c.starts_at)
    )
    return [(_booking(r), _shift(_Prefixed(r, "s_"))) for r in await conn.execute(q)]


def _said_no() -> sa.ColumnElement[bool]:
    """Offers the person declined themselves: not the ones closed because no channel
    reached them (the dispatcher marks those declined, answer channel "unreachable")."""
    return sa.and_(
        t.offers.c.state == "declined",
        sa.or_(t.offers.c.answer_channel.is_(None), t.offers.c.answer_channel != "unreachable"),
    )


async def answer_counts(conn: AsyncConnection, person_id: str) -> tuple[int, int]:
    """(declines, cancellations) for a person, all time: shown, never acted on."""
    return (await answer_counts_for(conn, [person_id])).get(person_id, (0, 0))


async def answer_counts_for(
    conn: AsyncConnection, person_ids: Iterable[str], since: dt.datetime | None = None
) -> dict[str, tuple[int, int]]:
    """(declines, cancellations) per person since `since` (a decline when it was answered,
    a cancellation when it was made), or all time. Two grouped queries per 900 people;
    people with neither are left out. Shown to coordinators, never acted on."""
    ids = sorted(set(person_ids))
    declines: dict[str, int] = defaultdict(int)
    cancels: dict[str, int] = defaultdict(int)
    o, b = t.offers.c, t.bookings.c
    for chunk in chunks(ids):
        for pid, n in await conn.execute(
            sa.select(o.person_id, sa.func.count())
            .where(
                o.person_id.in_(chunk), _said_no(), o.answered_at >= since if since else sa.true()
            )
            .group_by(o.person_id)
        ):
            declines[pid] = int(n)
        for pid, n in await conn.execute(
            sa.select(b.person_id, sa.func.count())
            .where(
                b.person_id.in_(chunk),
                b.cancel_kind == "substitute",
                b.cancelled_at >= since if since else sa.true(),
            )
            .group_by(b.person_id)
        ):
            cancels[pid] = int(n)
    return {pid: (declines[pid], cancels[pid]) for pid in sorted({*declines, *cancels})}


# ---------- what the engine needs to judge candidates ----------


_TICK = dt.timedelta(microseconds=1)  # (after, before) bounds made inclusive


def not_vacated() -> sa.ColumnElement[bool]:
    """The shift's scheduled person is working it: no open or filled vacancy for it. A
    correlated NOT EXISTS on the unique `vacancies.shift_id`, one index probe a shift
    (a NOT IN list would read every live vacancy each time)."""
    return ~sa.exists().where(
        t.vacancies.c.shift_id == t.shifts.c.id, t.vacancies.c.status.in_(LIVE_VACANCY)
    )


async def loads_for(
    conn: AsyncConnection,
    person_ids: Sequence[str],
    shift: Shift,
    now: dt.datetime,
    history: Mapping[str, PersonLoad] | None = None,
    *,
    staff: Collection[str] = (),
    year: tuple[dt.datetime, dt.datetime] | None = None,
) -> dict[str, PersonLoad]:
    """Commitments around the shift, plus the fairness/continuity history, per person;
    for the regular `staff` among them also their extra time (`PersonLoad.extra`, and the
    hours booked in `year`, the shift's calendar year, for the overtime caps).

    Four set-based queries per 900 people (SQLite's bound-parameter budget), each
    filtered by person and bounded in time from both sides, so the indexes on
    (person_id, starts_at) carry them; then `history_for`, unless `history` (its result
    for these people, already at hand) is given.
    """
    window_start = shift.starts_at - dt.timedelta(days=35)  # month cap and consecutive days
    window_end = shift.ends_at + dt.timedelta(days=32)  # to the end of the shift's month
    earliest_start = window_start - MAX_SHIFT_SPAN
    ids = list(dict.fromkeys(person_ids))
    commitments: dict[str, list[Interval]] = defaultdict(list)
    unavailable: dict[str, list[Interval]] = defaultdict(list)
    extra: dict[str, list[Interval]] = defaultdict(list)
    extra_year: dict[str, float] = {}
    for chunk in chunks(ids):
        # Own scheduled shifts that are not vacated, and live bookings.
        for q, booked in (
            (_own_shifts(chunk, earliest_start, window_end), False),
            (_booked_shifts(chunk, earliest_start, window_end), True),
        ):
            for r in await conn.execute(q.where(t.shifts.c.ends_at > window_start)):
                iv = Interval(r.starts_at, r.ends_at, r.unit_id, r.id)
                commitments[r.person_id].append(iv)
                if booked and r.person_id in staff:
                    extra[r.person_id].append(iv)
        for u in await conn.execute(
            sa.select(t.unavailability).where(
                t.unavailability.c.person_id.in_(chunk),
                t.unavailability.c.ends_at > window_start,
                t.unavailability.c.starts_at < window_end,
            )
        ):
            unavailable[u.person_id].append(Interval(u.starts_at, u.ends_at))
        # Someone on sick leave (or VAB, or other absence) is not available, whatever their
        # own shifts: their vacated shift is no commitment, but they are not free either.
        for a in await conn.execute(
            sa.select(t.absences.c.person_id, t.absences.c.starts_at, t.absences.c.ends_at).where(
                t.absences.c.person_id.in_(chunk),
                t.absences.c.ended_at.is_(None),
                t.absences.c.ends_at > window_start,
                t.absences.c.starts_at < window_end,
            )
        ):
            unavailable[a.person_id].append(Interval(a.starts_at, a.ends_at))
    regulars = [pid for pid in ids if pid in staff]
    if year is not None and regulars:
        hours = sa.func.sum(t.hours_between(t.shifts.c.starts_at, t.shifts.c.ends_at))
        q_year = (
            _booked_shifts(regulars, year[0] - _TICK, year[1])
            .with_only_columns(t.bookings.c.person_id, hours)
            .group_by(t.bookings.c.person_id)
        )
        extra_year.update((r[0], float(r[1])) for r in await conn.execute(q_year))
    missing = [pid for pid in ids if history is None or pid not in history]
    past = dict(history or {})
    if missing:
        past.update(await history_for(conn, missing, now, shift.unit_id))
    return {
        pid: replace(
            past[pid],
            commitments=tuple(sorted(commitments[pid], key=lambda i: i.starts_at)),
            unavailable=tuple(unavailable[pid]),
            extra=tuple(extra[pid]),
            extra_hours_year=extra_year.get(pid, 0.0),
        )
        for pid in ids
    }


async def history_for(
    conn: AsyncConnection, person_ids: Sequence[str], now: dt.datetime, unit_id: str
) -> dict[str, PersonLoad]:
    """`history_where` for these people (900 at a time)."""
    ids = list(dict.fromkeys(person_ids))
    out: dict[str, PersonLoad] = {}
    for chunk in chunks(ids):
        out.update(await history_where(conn, t.people.c.id.in_(chunk), now, unit_id))
    return {pid: out.get(pid, PersonLoad()) for pid in ids}


async def history_where(
    conn: AsyncConnection, where: sa.ColumnElement[bool], now: dt.datetime, unit_id: str
) -> dict[str, PersonLoad]:
    """What the ranking within a tier reads, for the people matching `where` (a
    `candidate_groups` clause, or ids), as `PersonLoad`s with only the history filled in:
    hours offered (offers made in the last 28 days) and booked (live bookings starting
    within 28 days of now, either side), and whether they worked at `unit_id` in the last
    14 days (own shifts not vacated, or bookings: `worked_units_14d` is that unit or
    nothing). Three queries whatever the number of people, the sums made in the database."""
    P, S, Of, B, V = t.people.c, t.shifts.c, t.offers.c, t.bookings.c, t.vacancies.c
    month = dt.timedelta(days=28)
    fourteen = now - dt.timedelta(days=14)
    hours = sa.func.coalesce(sa.func.sum(t.hours_between(S.starts_at, S.ends_at)), 0.0)
    offered = (
        sa.select(hours)
        .select_from(t.offers.join(t.vacancies, V.id == Of.vacancy_id))
        .join(t.shifts, S.id == V.shift_id)
        .where(Of.person_id == P.id, Of.created_at >= now - month)
        .scalar_subquery()
    )
    booked = (
        sa.select(hours)
        .select_from(t.bookings.join(t.shifts, S.id == B.shift_id))
        .where(
            B.person_id == P.id,
            B.cancelled_at.is_(None),
            S.starts_at > now - month,
            S.starts_at < now + month,
        )
        .scalar_subquery()
    )
    lately = sa.and_(
        S.unit_id == unit_id, S.starts_at > fourteen - _TICK, S.starts_at < now + _TICK
    )
    # Who worked at the unit lately: two small queries by unit, not one per person.
    worked_own = sa.select(S.person_id).where(
        lately, S.person_id.is_not(None), S.cancelled.is_(False), not_vacated()
    )
    worked_booked = (
        sa.select(B.person_id)
        .select_from(t.bookings.join(t.shifts, S.id == B.shift_id))
        .where(lately, B.cancelled_at.is_(None))
    )
    worked = {r[0] for r in await conn.execute(sa.union(worked_own, worked_booked))}
    q = sa.select(P.id, offered, booked).where(where)
    return {
        pid: PersonLoad(
            hours_offered_28d=float(o),
            hours_booked_28d=float(b),
            worked_units_14d=frozenset({unit_id}) if pid in worked else frozenset(),
        )
        for pid, o, b in await conn.execute(q)
    }


def _own_shifts(chunk: Sequence[str], after: dt.datetime, before: dt.datetime) -> sa.Select[Any]:
    """The people's own scheduled shifts starting in (after, before), not vacated."""
    return sa.select(
        t.shifts.c.person_id,
        t.shifts.c.id,
        t.shifts.c.unit_id,
        t.shifts.c.starts_at,
        t.shifts.c.ends_at,
    ).where(
        t.shifts.c.person_id.in_(chunk),
        t.shifts.c.cancelled.is_(False),
        t.shifts.c.starts_at > after,
        t.shifts.c.starts_at < before,
        not_vacated(),
    )


def _booked_shifts(chunk: Sequence[str], after: dt.datetime, before: dt.datetime) -> sa.Select[Any]:
    """The shifts the people hold live bookings for, starting in (after, before)."""
    return (
        sa.select(
            t.bookings.c.person_id,
            t.shifts.c.id,
            t.shifts.c.unit_id,
            t.shifts.c.starts_at,
            t.shifts.c.ends_at,
        )
        .join(t.shifts, t.shifts.c.id == t.bookings.c.shift_id)
        .where(
            t.bookings.c.person_id.in_(chunk),
            t.bookings.c.cancelled_at.is_(None),
            t.shifts.c.starts_at > after,
            t.shifts.c.starts_at < before,
        )
    )


async def people_working_during(
    conn: AsyncConnection, unit_id: str, start: dt.datetime, end: dt.datetime
) -> set[str]:
    """Who works a shift at the unit overlapping [start, end): scheduled (not vacated) or booked."""
    own = sa.select(t.shifts.c.person_id).where(
        t.shifts.c.unit_id == unit_id,
        t.shifts.c.person_id.is_not(None),
        t.shifts.c.cancelled.is_(False),
        t.shifts.c.starts_at < end,
        t.shifts.c.starts_at > start - MAX_SHIFT_SPAN,
        t.shifts.c.ends_at > start,
        not_vacated(),
    )
    booked = (
        sa.select(t.bookings.c.person_id)
        .join(t.shifts, t.shifts.c.id == t.bookings.c.shift_id)
        .where(
            t.shifts.c.unit_id == unit_id,
            t.bookings.c.cancelled_at.is_(None),
            t.shifts.c.starts_at < end,
            t.shifts.c.starts_at > start - MAX_SHIFT_SPAN,
            t.shifts.c.ends_at > start,
        )
    )
    out: set[str] = set()
    for q in (own, booked):
        out.update(r[0] for r in await conn.execute(q))
    return out


async def offered_person_ids(conn: AsyncConnection, vacancy_id: int) -> set[str]:
    q = sa.select(t.offers.c.person_id).where(t.offers.c.vacancy_id == vacancy_id)
    return {r[0] for r in await conn.execute(q)}


RESPONSE_HISTORY_DAYS = 180  # how far back the response model looks


async def response_history(
    conn: AsyncConnection, person_ids: Collection[str], now: dt.datetime
) -> dict[str, list[PastOffer]]:
    """The people's closed offers of the last `RESPONSE_HISTORY_DAYS`, as the response
    model reads them (`bot.domain.response_model`): answered (yes, no, late yes) with the
    delay, or expired unanswered. Offers closed by the bot (taken, withdrawn) and open ones
    are left out. One query (per 900 people)."""
    Of = t.offers.c
    since = now - dt.timedelta(days=RESPONSE_HISTORY_DAYS)
    kept = ("accepted", "declined", "late", "expired")
    out: dict[str, list[PastOffer]] = defaultdict(list)
    for chunk in chunks(sorted(person_ids)):
        q = sa.select(Of.person_id, Of.state, Of.created_at, Of.answered_at).where(
            Of.person_id.in_(chunk), Of.created_at >= since, Of.state.in_(kept)
        )
        for pid, state, created, answered in await conn.execute(q):
            if state == "expired" or answered is None:
                out[pid].append(PastOffer(answered=False, accepted=False, delay_minutes=None))
            else:
                delay = (answered - created).total_seconds() / 60
                out[pid].append(PastOffer(True, state in ("accepted", "late"), delay))
    return dict(out)
