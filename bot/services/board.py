"""Reads for the coordinators' board and the demo's summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bot.domain.board import BOARD_DAYS_AHEAD, BoardRow, render_board
from bot.domain.model import COUNTED_AS_NO
from bot.services.deps import Deps
from storage import bookings as bookings_repo
from storage import people as people_repo
from storage import vacancies


async def board_rows(
    deps: Deps,
    day: dt.date | None = None,
    unit_ids: Iterable[str] | None = None,
    days: int = 1,
) -> tuple[dt.date, list[BoardRow]]:
    tz = deps.tz
    day = day or deps.now().astimezone(tz).date()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=days), dt.time(0), tzinfo=tz)
    rows: list[BoardRow] = []
    async with deps.db.read() as conn:
        for vacancy, shift in await vacancies.vacancies_in(conn, start, end, unit_ids):
            offers = await vacancies.offers_for(conn, vacancy.id)
            booking = await bookings_repo.live_booking(conn, vacancy.id)
            name = None
            if booking:
                p = await people_repo.get_person(conn, booking.person_id)
                name = p.name if p else booking.person_id
            rows.append(
                BoardRow(
                    vacancy,
                    shift,
                    len(offers),
                    sum(o.state in COUNTED_AS_NO for o in offers),
                    name,
                    booking.booked_at if booking else None,
                )
            )
    return day, rows


async def board_text(
    deps: Deps,
    day: dt.date | None = None,
    unit_ids: Iterable[str] | None = None,
    days_ahead: int = BOARD_DAYS_AHEAD,
) -> str:
    """The board from `day` (today) through `days_ahead` more days: /status, /board, the CLI."""
    day, rows = await board_rows(deps, day, unit_ids, days=1 + days_ahead)
    async with deps.db.read() as conn:
        units = {u.id: u for u in await people_repo.all_units(conn)}
    return render_board(rows, units, day, deps.tz, days_ahead)
