"""The reminder the evening before (påminnelse): everyone booked for tomorrow is told once.

The database is the truth: from the reminder time (VIKARIE_REMINDER_TIME, local) on, each
run finds tomorrow's live bookings not yet reminded and enqueues one message per booking,
marking the booking in the same transaction. A second run, another worker or a restart
at 18:05 sends nothing twice and forgets nobody. Quiet hours are kept: what is not sent
by then is not sent (the confirmation already said where and when).

The reminder carries the shift, the unit's own address and phone and, for someone not
yet introduced there, the handledare on duty; never anything about who is absent.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.eligibility import handledare_among, is_introduced
from bot.domain.messages import reminder_message
from bot.domain.model import Person, Shift, Unit
from bot.domain.waves import in_quiet_hours
from bot.services.deps import Deps, send_to_person
from storage import audit, history, reminders
from storage import people as people_repo

log = logging.getLogger(__name__)


def reminder_window(
    now: dt.datetime, deps: Deps
) -> tuple[dt.datetime, dt.datetime, dt.datetime] | None:
    """(tomorrow's start, its end, today's reminder moment) once reminders are due today;
    None before the reminder time, in quiet hours, or when reminders are off."""
    at = deps.settings.reminder_at
    if at is None or in_quiet_hours(now, deps.rules):
        return None
    today = now.astimezone(deps.tz).date()
    due_from = dt.datetime.combine(today, at, tzinfo=deps.tz)
    if now < due_from:
        return None
    start = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=deps.tz)
    end = dt.datetime.combine(today + dt.timedelta(days=2), dt.time(0), tzinfo=deps.tz)
    return start, end, due_from


async def send_reminders(deps: Deps) -> int:
    """Remind every live booking starting tomorrow (local date) that has not been; returns
    how many reminders were enqueued."""
    now = deps.now()
    window = reminder_window(now, deps)
    if window is None:
        return 0
    start, end, due_from = window
    sent = 0
    async with deps.db.write() as conn:
        due = await reminders.due(conn, start, end, booked_before=due_from)
        if not due:
            return 0
        units = {u.id: u for u in await people_repo.all_units(conn)}
        people = await people_repo.get_people(conn, sorted({b.person_id for b, _ in due}))
        for booking, shift in due:
            if not await reminders.mark_reminded(conn, booking.id, now):
                continue  # another worker got there first
            person, unit = people[booking.person_id], units[shift.unit_id]
            name = await _handledare(conn, person, unit, shift)
            msg = reminder_message(booking.id, shift, unit, person, deps.tz, handledare=name)
            told = await send_to_person(conn, person, msg, now)
            sent += told
            await audit.record(
                conn,
                now,
                audit.SYSTEM,
                "booking_reminded",
                "booking",
                booking.id,
                "engine",
                told=told,
            )
    if sent:
        log.info("%d booking reminders for %s enqueued", sent, start.date())
        deps.kick()
    return sent


async def _handledare(
    conn: AsyncConnection, person: Person, unit: Unit, shift: Shift
) -> str | None:
    """The first name of a handledare working alongside, for someone not yet introduced."""
    if is_introduced(person, unit.id):
        return None
    working = await history.people_working_during(conn, unit.id, shift.starts_at, shift.ends_at)
    staff = await people_repo.get_people(conn, sorted(working - {person.id}))
    supervisors = handledare_among(staff.values(), unit.id)
    return supervisors[0].first_name if supervisors else None
