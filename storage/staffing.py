"""Reads for the staffing figures (bemanningssiffror): a period's vacancies, their offer
tallies and live bookings, in a handful of queries whatever the period's size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import COUNTED_AS_NO, AbsenceCategory, OfferState, Tier, VacancyStatus
from bot.domain.outgoing import REDRAW
from bot.domain.staffing import BookingRow, OfferTally, StaffingRows, VacancyRow
from storage import tables as t
from storage.exports import booked_shifts

V, S, A, OF = t.vacancies.c, t.shifts.c, t.absences.c, t.offers.c
UNANSWERED = (OfferState.OPEN.value, OfferState.EXPIRED.value)


def _of_period(
    q: sa.Select[Any], after: dt.datetime, before: dt.datetime, unit_ids: Collection[str]
) -> sa.Select[Any]:
    """Restrict a query joined to shifts to shifts starting in [after, before) in the units."""
    return q.where(S.starts_at >= after, S.starts_at < before, S.unit_id.in_(list(unit_ids)))


async def staffing_rows(
    conn: AsyncConnection,
    after: dt.datetime,
    before: dt.datetime,
    unit_ids: Collection[str],
    shiftless_absences: bool = False,
) -> StaffingRows:
    """The vacancies of shifts starting in [after, before) in the units, each with its
    absence's category, its offer tally and its live booking. With `shiftless_absences`,
    also the absences starting in the range that vacated no shift (for an all-units total)."""
    vacancies = _of_period(
        sa.select(
            V.id, S.unit_id, V.shift_id, S.starts_at, S.ends_at, V.status, V.created_at,
            V.escalated_at, V.absence_id, A.category,
        ).select_from(
            t.vacancies.join(t.shifts, S.id == V.shift_id).outerjoin(
                t.absences, A.id == V.absence_id
            )
        ),
        after, before, unit_ids,
    ).order_by(S.starts_at, V.id)
    vacancy_rows = [
        VacancyRow(
            r.id, r.unit_id, r.shift_id, r.starts_at, r.ends_at, VacancyStatus(r.status),
            r.created_at, r.escalated_at is not None, r.absence_id,
            AbsenceCategory(r.category) if r.category else None,
        )
        for r in await conn.execute(vacancies)
    ]
    in_period = t.offers.join(t.vacancies, V.id == OF.vacancy_id).join(
        t.shifts, S.id == V.shift_id
    )
    offers = _of_period(
        sa.select(
            OF.vacancy_id,
            sa.func.count().label("offers"),
            sa.func.sum(sa.case((OF.state.in_(sorted(COUNTED_AS_NO)), 1), else_=0)).label(
                "declined"
            ),
            sa.func.sum(sa.case((OF.state.in_(UNANSWERED), 1), else_=0)).label("unanswered"),
        ).select_from(in_period),
        after, before, unit_ids,
    ).group_by(OF.vacancy_id)
    messages = _of_period(
        sa.select(OF.vacancy_id, sa.func.count().label("messages"))
        .select_from(in_period.join(t.outbox, t.outbox.c.offer_id == OF.id))
        # A bundle's redraw after someone's own answer redraws a message already counted.
        .where(t.outbox.c.kind != REDRAW),
        after, before, unit_ids,
    ).group_by(OF.vacancy_id)
    sent = {r.vacancy_id: int(r.messages) for r in await conn.execute(messages)}
    tallies = [
        OfferTally(
            r.vacancy_id, int(r.offers), int(r.declined), int(r.unanswered),
            sent.get(r.vacancy_id, 0),
        )
        for r in await conn.execute(offers)
    ]
    bookings = [
        BookingRow(b.vacancy_id, b.booked_at, b.by_hand, Tier(b.tier) if b.tier else None)
        for b in await booked_shifts(conn, after, before, unit_ids=unit_ids)
    ]
    shiftless: list[tuple[int, AbsenceCategory]] = []
    if shiftless_absences:
        any_vacancy = sa.exists().where(V.absence_id == A.id)
        q = sa.select(A.id, A.category).where(
            A.starts_at >= after, A.starts_at < before, ~any_vacancy
        )
        shiftless = [(r.id, AbsenceCategory(r.category)) for r in await conn.execute(q)]
    return StaffingRows(vacancy_rows, tallies, bookings, shiftless)
