"""What people did and have on: the inputs that ranking and the coordinators read.

Declines and cancellations per person, each candidate's commitments and fairness history
around a shift (`loads_for`, `history_where`), who works at a unit at a time, and the
closed offers the response model learns from. Reads only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Interval, OfferState, PersonLoad, Shift
from bot.domain.response_model import PastOffer
from storage import people as people_repo
from storage import shifts as shifts_repo
from storage import tables as t

_TICK = dt.timedelta(microseconds=1)  # (after, before) bounds made inclusive


def _said_no() -> sa.ColumnElement[bool]:
    """Offers the person declined themselves (an offer no channel reached is
    `unreachable`, not theirs)."""
    return t.offers.c.state == OfferState.DECLINED.value


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
    for chunk in people_repo.chunks(ids):
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
    earliest_start = window_start - shifts_repo.MAX_SHIFT_SPAN
    ids = list(dict.fromkeys(person_ids))
    commitments: dict[str, list[Interval]] = defaultdict(list)
    unavailable: dict[str, list[Interval]] = defaultdict(list)
    extra: dict[str, list[Interval]] = defaultdict(list)
    extra_year: dict[str, float] = {}
    for chunk in people_repo.chunks(ids):
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
    for chunk in people_repo.chunks(ids):
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
        lately, S.person_id.is_not(None), S.cancelled.is_(False), shifts_repo.not_vacated()
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
        shifts_repo.not_vacated(),
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
        t.shifts.c.starts_at > start - shifts_repo.MAX_SHIFT_SPAN,
        t.shifts.c.ends_at > start,
        shifts_repo.not_vacated(),
    )
    booked = (
        sa.select(t.bookings.c.person_id)
        .join(t.shifts, t.shifts.c.id == t.bookings.c.shift_id)
        .where(
            t.shifts.c.unit_id == unit_id,
            t.bookings.c.cancelled_at.is_(None),
            t.shifts.c.starts_at < end,
            t.shifts.c.starts_at > start - shifts_repo.MAX_SHIFT_SPAN,
            t.shifts.c.ends_at > start,
        )
    )
    out: set[str] = set()
    for q in (own, booked):
        out.update(r[0] for r in await conn.execute(q))
    return out


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
    for chunk in people_repo.chunks(sorted(person_ids)):
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
