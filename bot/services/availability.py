"""What a person says about themselves: when they take shifts (tillgänglighet), a pause,
and the shifts they are scheduled for (channel and language: `bot.services.preferences`,
bookings: `bot.services.bookings`).

Every change is recorded in the audit log. The engine reads the same columns
(available_days / available_from / available_to / paused_until) when it judges candidates.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.intents import Pause, SetTimes, ToggleDay
from bot.domain.model import Person, Shift, Unit
from bot.services.deps import Deps
from storage import audit
from storage import people as people_repo
from storage import shifts as shifts_repo

ALL_DAYS = "1234567"  # ISO weekdays, 1 = Monday


class AvailabilityError(LookupError):
    """The person does not exist."""


async def _person(conn: AsyncConnection, person_id: str) -> Person:
    person = await people_repo.get_person(conn, person_id)
    if person is None:
        raise AvailabilityError(person_id)
    return person


async def _update(deps: Deps, person_id: str, action: str, via: str, **values: object) -> Person:
    now = deps.now()
    async with deps.db.write() as conn:
        await _person(conn, person_id)
        await people_repo.update_person(conn, person_id, **values)
        await audit.record(conn, now, person_id, action, "person", person_id, via, changes=values)
        return await _person(conn, person_id)


async def get(deps: Deps, person_id: str) -> Person:
    async with deps.db.read() as conn:
        return await _person(conn, person_id)


def toggled_days(days: str, iso_day: int) -> str:
    """'12345' with 6 toggled -> '123456'; always in weekday order."""
    wanted = set(days) ^ {str(iso_day)}
    return "".join(d for d in ALL_DAYS if d in wanted)


async def toggle_day(deps: Deps, person_id: str, iso_day: int, via: str) -> Person:
    if not 1 <= iso_day <= 7:
        raise ValueError(f"weekday {iso_day}")
    person = await get(deps, person_id)
    return await _update(
        deps,
        person_id,
        "availability_days",
        via,
        available_days=toggled_days(person.available_days, iso_day),
    )


async def set_times(
    deps: Deps, person_id: str, start: dt.time | None, end: dt.time | None, via: str
) -> Person:
    """Local wall times; None for both means any time. A window may cross midnight."""
    return await _update(
        deps, person_id, "availability_times", via, available_from=start, available_to=end
    )


async def pause_until(deps: Deps, person_id: str, until: dt.datetime | None, via: str) -> Person:
    """No offers before `until` (aware); None ends the pause."""
    if until is not None and until.tzinfo is None:
        raise ValueError("pause_until needs an aware datetime")
    action = "paused" if until else "unpaused"
    return await _update(deps, person_id, action, via, paused_until=until)


MAX_PAUSE_DAYS = 366  # a button's days are data a client could change: a year at most


async def pause_for(deps: Deps, person_id: str, days: int, via: str) -> Person:
    days = max(0, min(days, MAX_PAUSE_DAYS))
    return await pause_until(deps, person_id, deps.now() + dt.timedelta(days=days), via)


async def pause_through(deps: Deps, person_id: str, last_day: dt.date, via: str) -> Person:
    """Paused up to and including `last_day` (local): offers resume the morning after."""
    resume = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=deps.tz)
    return await pause_until(deps, person_id, resume, via)


def is_paused(person: Person, now: dt.datetime) -> bool:
    return person.paused_until is not None and person.paused_until > now


async def scheduled_shifts(deps: Deps, person_id: str, days: int = 7) -> list[tuple[Shift, Unit]]:
    """The person's own coming scheduled shifts with their units (staff's /pass)."""
    now = deps.now()
    async with deps.db.read() as conn:
        shifts = await shifts_repo.shifts_of(conn, person_id, now, now + dt.timedelta(days=days))
        units = {u.id: u for u in await people_repo.all_units(conn)}
    return [(s, units[s.unit_id]) for s in shifts if s.unit_id in units]


async def set_availability(
    deps: Deps, person: Person, intent: ToggleDay | SetTimes | Pause, via: str
) -> Person:
    """The one use case behind /ledig and its buttons (and any channel that adds them):
    a weekday on or off, the times, or a pause (`Pause()` with neither field ends it).
    Pausing through a past day is the caller's to refuse (see `bot.domain.grammar`)."""
    match intent:
        case ToggleDay(iso_day=day):
            return await toggle_day(deps, person.id, day, via)
        case SetTimes(start=start, end=end):
            return await set_times(deps, person.id, start, end, via)
        case Pause(through=through) if through is not None:
            return await pause_through(deps, person.id, through, via)
        case Pause(days=days) if days is not None and days > 0:
            return await pause_for(deps, person.id, days, via)
    return await pause_until(deps, person.id, None, via)
