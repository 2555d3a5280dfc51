"""Loading a period's staffing rows, on SQLite and PostgreSQL: the local days' bounds, the
units asked for, offer tallies and live bookings, and no round trip per vacancy."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bot.domain.model import AbsenceCategory, Tier, VacancyStatus
from bot.domain.staffing import period_bounds
from storage import staffing
from storage.db import Database
from tests.builders import TZ
from tests.test_reports import _december


async def test_rows_of_a_period(any_db: Database) -> None:
    await _december(any_db)
    after, before = period_bounds(dt.date(2026, 12, 1), dt.date(2026, 12, 4), TZ)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(any_db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with any_db.read() as conn:
            rows = await staffing.staffing_rows(
                conn, after, before, ["norr", "soder"], shiftless_absences=True
            )
    finally:
        sa.event.remove(any_db.engine.sync_engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 5

    by_id = {v.vacancy_id: v for v in rows.vacancies}
    assert [(v.unit_id, v.status, v.category) for v in rows.vacancies] == [
        ("norr", VacancyStatus.FILLED, AbsenceCategory.VAB),
        ("norr", VacancyStatus.CANCELLED, AbsenceCategory.SJUK),
        ("soder", VacancyStatus.EXPIRED, AbsenceCategory.SJUK),
        ("soder", VacancyStatus.FILLED, AbsenceCategory.SJUK),
    ]  # by shift start
    assert all(v.starts_at.tzinfo is not None for v in rows.vacancies)
    day, cancelled, ssk, eve = rows.vacancies
    assert ssk.escalated and not day.escalated
    tallies = {t.vacancy_id: t for t in rows.tallies}
    assert ssk.vacancy_id not in tallies  # nobody could be asked
    assert (tallies[day.vacancy_id].offers, tallies[day.vacancy_id].declined) == (1, 0)
    assert tallies[day.vacancy_id].messages >= 1
    booked = {b.vacancy_id: b for b in rows.bookings}
    assert set(booked) == {day.vacancy_id, eve.vacancy_id}
    assert (booked[day.vacancy_id].tier, booked[day.vacancy_id].by_hand) == (Tier.SUBSTITUTE, False)
    assert (booked[eve.vacancy_id].tier, booked[eve.vacancy_id].by_hand) == (Tier.POOL, True)
    minutes = (booked[day.vacancy_id].booked_at - by_id[day.vacancy_id].created_at)
    assert minutes == dt.timedelta(minutes=12)
    assert list(rows.shiftless_absences) == []  # Anna's day off is the 10th
    assert cancelled.unit_id == "norr"

    # Only Söder; the 10th with its shiftless absence; a day ending before Friday 15:00.
    async with any_db.read() as conn:
        soder = await staffing.staffing_rows(conn, after, before, ["soder"])
        a10, b10 = period_bounds(dt.date(2026, 12, 10), dt.date(2026, 12, 10), TZ)
        tenth = await staffing.staffing_rows(conn, a10, b10, ["norr"], shiftless_absences=True)
        a3, b3 = period_bounds(dt.date(2026, 12, 3), dt.date(2026, 12, 3), TZ)
        third = await staffing.staffing_rows(conn, a3, b3, ["norr", "soder"])
    assert [v.vacancy_id for v in soder.vacancies] == [ssk.vacancy_id, eve.vacancy_id]
    assert [b.vacancy_id for b in soder.bookings] == [eve.vacancy_id]
    assert (tenth.vacancies, [c for _, c in tenth.shiftless_absences]) == (
        [], [AbsenceCategory.ANNAT])
    assert [v.vacancy_id for v in third.vacancies] == [ssk.vacancy_id] and not third.bookings
