"""Reads for payroll and time reporting: bookings and absences in a time range, as typed
records with the names they are reported under. Only the absence category is read, never
anything more about an absence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import tables as t


@dataclass(frozen=True, slots=True)
class BookedShift:
    booking_id: int
    shift_id: str
    person_id: str
    person_name: str
    tier: str | None
    unit_id: str
    unit_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    channel: str  # where the booking was made: telegram / sms / cli ...
    by_person_id: str | None  # set when a coordinator booked by hand
    overridden: bool  # booked by hand past a rule (the reason itself is not exported)
    vacancy_id: int
    booked_at: dt.datetime

    @property
    def by_hand(self) -> bool:
        """Booked by a coordinator (tillsatt för hand), not through an accepted offer."""
        return self.by_person_id is not None


@dataclass(frozen=True, slots=True)
class AbsenceSpan:
    absence_id: int
    person_id: str
    person_name: str
    category: str  # sjuk / vab / annat
    shift_id: str | None  # None: an absence that covered no shift
    unit_id: str | None
    unit_name: str | None
    starts_at: dt.datetime  # the shift's times, or the absence's own when no shift
    ends_at: dt.datetime


async def booked_shifts(
    conn: AsyncConnection,
    after: dt.datetime,
    before: dt.datetime,
    unit_id: str | None = None,
    *,
    unit_ids: Collection[str] | None = None,
) -> list[BookedShift]:
    """Live bookings of shifts starting in [after, before), by start, unit, person; of
    one unit, or of several (`unit_ids`), or of all."""
    B, S, P, U = t.bookings.c, t.shifts.c, t.people.c, t.units.c
    q = (
        sa.select(
            B.id, B.shift_id, B.person_id, P.name, P.tier, S.unit_id, U.name.label("unit_name"),
            S.starts_at, S.ends_at, B.channel, B.by_person_id, B.override_reason,
            B.vacancy_id, B.booked_at,
        )
        .select_from(
            t.bookings.join(t.shifts, S.id == B.shift_id)
            .join(t.people, P.id == B.person_id)
            .join(t.units, U.id == S.unit_id)
        )
        .where(
            B.cancelled_at.is_(None),
            S.cancelled.is_(False),
            S.starts_at >= after,
            S.starts_at < before,
        )
        .order_by(S.starts_at, S.unit_id, B.person_id, B.id)
    )
    if unit_id is not None:
        q = q.where(S.unit_id == unit_id)
    if unit_ids is not None:
        q = q.where(S.unit_id.in_(list(unit_ids)))
    return [
        BookedShift(
            r.id, r.shift_id, r.person_id, r.name, r.tier, r.unit_id, r.unit_name,
            r.starts_at, r.ends_at, r.channel, r.by_person_id, r.override_reason is not None,
            r.vacancy_id, r.booked_at,
        )
        for r in await conn.execute(q)
    ]


async def absence_spans(
    conn: AsyncConnection, after: dt.datetime, before: dt.datetime, unit_id: str | None = None
) -> list[AbsenceSpan]:
    """One span per shift an absence vacated (starting in [after, before), unless the
    person reported well before it began), and one per absence in the range that vacated
    no shift (left out when a unit is asked for: it has none)."""
    A, V, S, P, U = t.absences.c, t.vacancies.c, t.shifts.c, t.people.c, t.units.c
    vacated = (
        sa.select(
            A.id, A.person_id, P.name, A.category, S.id.label("shift_id"), S.unit_id,
            U.name.label("unit_name"), S.starts_at, S.ends_at,
        )
        .select_from(
            t.vacancies.join(t.absences, A.id == V.absence_id)
            .join(t.shifts, S.id == V.shift_id)
            .join(t.units, U.id == S.unit_id)
            .join(t.people, P.id == A.person_id)
        )
        .where(
            S.starts_at >= after,
            S.starts_at < before,
            sa.or_(A.ended_at.is_(None), S.starts_at < A.ended_at),
        )
    )
    if unit_id is not None:
        vacated = vacated.where(S.unit_id == unit_id)
    spans = [
        AbsenceSpan(
            r.id, r.person_id, r.name, r.category, r.shift_id, r.unit_id, r.unit_name,
            r.starts_at, r.ends_at,
        )
        for r in await conn.execute(vacated)
    ]
    if unit_id is None:
        any_vacancy = sa.exists().where(V.absence_id == A.id)
        no_shift = (
            sa.select(A.id, A.person_id, P.name, A.category, A.starts_at, A.ends_at)
            .join(t.people, P.id == A.person_id)
            .where(A.starts_at >= after, A.starts_at < before, ~any_vacancy)
        )
        spans += [
            AbsenceSpan(
                r.id, r.person_id, r.name, r.category, None, None, None, r.starts_at, r.ends_at
            )
            for r in await conn.execute(no_shift)
        ]
    return sorted(spans, key=lambda s: (s.starts_at, s.unit_id or "", s.person_id, s.absence_id))
