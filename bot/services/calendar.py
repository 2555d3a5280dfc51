"""A substitute's private calendar link (kalenderlänk): /ical/<token>.ics with their bookings.

The token is random (secrets.token_urlsafe(32)) and stored only as its sha256, so the link
cannot be shown again: a person who lost it gets a new one, which replaces the old. The
feed holds the person's own bookings only: unit, times, area; no health data, no names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from bot.domain.ical import CalendarEvent, render_calendar
from bot.services.deps import Deps
from bot.texts import t
from storage import audit, ical_tokens
from storage import bookings as bookings_repo
from storage import people as people_repo

TOKEN_BYTES = 32
# What secrets.token_urlsafe(32) gives: 43 characters of the URL-safe base64 alphabet.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# Past bookings stay in the calendar this long.
HISTORY = dt.timedelta(days=62)


@dataclass(frozen=True, slots=True)
class Link:
    url: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/ical/{token}.ics"


async def has_link(deps: Deps, person_id: str) -> bool:
    async with deps.db.read() as conn:
        return await ical_tokens.exists(conn, person_id)


async def new_link(deps: Deps, person_id: str, channel: str) -> Link | None:
    """A new private link for the person (any older one stops working), or None when the
    bot has no public address (VIKARIE_PUBLIC_URL) to put in it."""
    public_url = deps.settings.public_url
    if public_url is None:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = deps.now()
    async with deps.db.write() as conn:
        await ical_tokens.replace(conn, person_id, token_hash(token), now)
        await audit.record(conn, now, person_id, "calendar_link_created", "person", person_id,
                           channel)
    return Link(link_url(public_url, token))


async def revoke(deps: Deps, person_id: str, by: str, channel: str) -> bool:
    """Switch the person's link off; False when there was none."""
    now = deps.now()
    async with deps.db.write() as conn:
        gone = await ical_tokens.delete(conn, person_id)
        if gone:
            await audit.record(conn, now, by, "calendar_link_revoked", "person", person_id,
                               channel)
    return gone


async def feed(deps: Deps, token: str) -> str | None:
    """The calendar for a token, or None for anything that is not a live token."""
    if not _TOKEN.fullmatch(token):
        return None
    wanted = token_hash(token)
    async with deps.db.read() as conn:
        # Looked up by the hash (an attacker cannot steer which hash is compared), and the
        # hit is compared once more in constant time.
        found = await ical_tokens.holder(conn, wanted)
        if found is None or not hmac.compare_digest(found[1], wanted):
            return None
        person = await people_repo.get_person(conn, found[0])
        if person is None or not person.active:  # a deactivated person has no calendar
            return None
        rows = await bookings_repo.bookings_of(conn, person.id, deps.now() - HISTORY)
        units = {u.id: u for u in await people_repo.all_units(conn)}
    lang = person.language
    events = [
        CalendarEvent(
            uid=f"booking-{booking.id}@vikariebot",
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            stamp=booking.booked_at,
            summary=t("ical_summary", lang, unit=units[shift.unit_id].name),
            location=units[shift.unit_id].area,
        )
        for booking, shift in rows
        if shift.unit_id in units and not shift.cancelled
    ]
    return render_calendar(t("ical_name", lang), events)
