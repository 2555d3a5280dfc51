"""What a person says about themselves: when they take shifts (tillgänglighet), a pause,
the channel and language they want, and the bookings they hold.

Every change is recorded in the audit log. The engine reads the same columns
(available_days / available_from / available_to / paused_until) when it judges candidates.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Booking, Channel, Person, Shift, Unit
from bot.i18n import LANGUAGES
from bot.services.deps import Deps
from storage import audit, callout
from storage import people as people_repo

ALL_DAYS = "1234567"  # ISO weekdays, 1 = Monday


class AvailabilityError(LookupError):
    """The person does not exist."""


@dataclass(frozen=True, slots=True)
class BookingView:
    booking: Booking
    shift: Shift
    unit: Unit


class ChannelOutcome(enum.StrEnum):
    SET = "set"
    NO_PHONE = "no_phone"  # SMS wanted, but no number on record
    NO_TELEGRAM = "no_telegram"


async def _person(conn: AsyncConnection, person_id: str) -> Person:
    person = await people_repo.get_person(conn, person_id)
    if person is None:
        raise AvailabilityError(person_id)
    return person


async def _update(deps: Deps, person_id: str, action: str, **values: object) -> Person:
    now = deps.now()
    async with deps.db.write() as conn:
        await _person(conn, person_id)
        await people_repo.update_person(conn, person_id, **values)
        await audit.record(
            conn, now, person_id, action, "person", person_id, "telegram", changes=values
        )
        return await _person(conn, person_id)


async def get(deps: Deps, person_id: str) -> Person:
    async with deps.db.read() as conn:
        return await _person(conn, person_id)


def toggled_days(days: str, iso_day: int) -> str:
    """'12345' with 6 toggled -> '123456'; always in weekday order."""
    wanted = set(days) ^ {str(iso_day)}
    return "".join(d for d in ALL_DAYS if d in wanted)


async def toggle_day(deps: Deps, person_id: str, iso_day: int) -> Person:
    if not 1 <= iso_day <= 7:
        raise ValueError(f"weekday {iso_day}")
    person = await get(deps, person_id)
    return await _update(
        deps,
        person_id,
        "availability_days",
        available_days=toggled_days(person.available_days, iso_day),
    )


async def set_times(
    deps: Deps, person_id: str, start: dt.time | None, end: dt.time | None
) -> Person:
    """Local wall times; None for both means any time. A window may cross midnight."""
    return await _update(
        deps, person_id, "availability_times", available_from=start, available_to=end
    )


async def pause_until(deps: Deps, person_id: str, until: dt.datetime | None) -> Person:
    """No offers before `until` (aware); None ends the pause."""
    if until is not None and until.tzinfo is None:
        raise ValueError("pause_until needs an aware datetime")
    return await _update(deps, person_id, "paused" if until else "unpaused", paused_until=until)


async def pause_for(deps: Deps, person_id: str, days: int) -> Person:
    return await pause_until(deps, person_id, deps.now() + dt.timedelta(days=days))


async def pause_through(deps: Deps, person_id: str, last_day: dt.date) -> Person:
    """Paused up to and including `last_day` (local): offers resume the morning after."""
    resume = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=deps.tz)
    return await pause_until(deps, person_id, resume)


def is_paused(person: Person, now: dt.datetime) -> bool:
    return person.paused_until is not None and person.paused_until > now


async def set_channel(deps: Deps, person_id: str, channel: Channel) -> ChannelOutcome:
    person = await get(deps, person_id)
    if channel in (Channel.SMS, Channel.BOTH) and person.phone is None:
        return ChannelOutcome.NO_PHONE
    if channel == Channel.TELEGRAM and person.telegram_chat_id is None:
        return ChannelOutcome.NO_TELEGRAM
    await _update(deps, person_id, "channel_set", channel=channel.value)
    return ChannelOutcome.SET


async def set_language(deps: Deps, person_id: str, language: str) -> Person:
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}")
    return await _update(deps, person_id, "language_set", language=language)


async def bookings(deps: Deps, person_id: str) -> list[BookingView]:
    """The person's live bookings of shifts that have not ended, soonest first."""
    async with deps.db.read() as conn:
        rows = await callout.bookings_of(conn, person_id, deps.now())
        units = {u.id: u for u in await people_repo.all_units(conn)}
    return [BookingView(b, s, units[s.unit_id]) for b, s in rows if s.unit_id in units]


async def booking_of(deps: Deps, person_id: str, booking_id: int) -> BookingView | None:
    """One live booking, only if it is the person's own."""
    for view in await bookings(deps, person_id):
        if view.booking.id == booking_id:
            return view
    return None


async def scheduled_shifts(deps: Deps, person_id: str, days: int = 7) -> list[tuple[Shift, Unit]]:
    """The person's own coming scheduled shifts with their units (staff's /pass)."""
    now = deps.now()
    async with deps.db.read() as conn:
        shifts = await callout.shifts_of(conn, person_id, now, now + dt.timedelta(days=days))
        units = {u.id: u for u in await people_repo.all_units(conn)}
    return [(s, units[s.unit_id]) for s in shifts if s.unit_id in units]
