"""A substitute's bookings and open offers as the person sees them: list them, give
bookings up by day ("AVBOKA 2/12"), and find which offer a bare "JA" / "NEJ 47" means.

Booking and answering themselves are `bot.services.answers` (one booking path); this
module only chooses what they act on, for every channel alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.intents import Accept, CancelBooking, Decline
from bot.domain.model import Booking, Offer, Person, Shift, Unit
from bot.services import answers
from bot.services.deps import Deps
from storage import bookings as bookings_repo
from storage import people as people_repo
from storage import shifts as shifts_repo
from storage import vacancies

RECENT_OFFER = dt.timedelta(hours=24)  # "JA" to an offer closed meanwhile: say what happened


@dataclass(frozen=True, slots=True)
class BookingView:
    booking: Booking
    shift: Shift
    unit: Unit
    can_give_up: bool = False  # not begun: the person may still give it up themselves


async def bookings(deps: Deps, person_id: str) -> list[BookingView]:
    """The person's live bookings of shifts that have not ended, soonest first."""
    now = deps.now()
    async with deps.db.read() as conn:
        rows = await bookings_repo.bookings_of(conn, person_id, now)
        units = {u.id: u for u in await people_repo.all_units(conn)}
    return [
        BookingView(b, s, units[s.unit_id], s.starts_at > now)
        for b, s in rows
        if s.unit_id in units
    ]


async def booking_of(deps: Deps, person_id: str, booking_id: int) -> BookingView | None:
    """One live booking, only if it is the person's own."""
    for view in await bookings(deps, person_id):
        if view.booking.id == booking_id:
            return view
    return None


async def upcoming(deps: Deps, person_id: str) -> list[tuple[int, Shift]]:
    """(booking id, shift) of the person's live bookings not yet begun, soonest first."""
    now = deps.now()
    async with deps.db.read() as conn:
        booked = await bookings_repo.bookings_of(conn, person_id, now)
    return [(b.id, s) for b, s in booked if s.starts_at > now]


@dataclass(frozen=True, slots=True)
class GiveUpOutcome:
    cancelled: list[Shift]  # given up now
    remaining: list[Shift]  # the bookings left, when nothing matched the day


async def give_up(deps: Deps, person: Person, intent: CancelBooking, via: str) -> GiveUpOutcome:
    """Give up bookings through the one use case (`answers.cancel_booking`): the vacancy
    searches again. With a day, every booking starting that day (a split shift is one
    promise to be there); without one, only the next booked shift. A shift that has begun
    is not given up this way (that is a call to the coordinator)."""
    booked = await upcoming(deps, person.id)
    if intent.booking_id is not None:
        chosen = [(b, s) for b, s in booked if b == intent.booking_id]
    elif intent.day is None:
        chosen = booked[:1]
    else:
        chosen = [(b, s) for b, s in booked if s.starts_at.astimezone(deps.tz).date() == intent.day]
    cancelled = [
        shift
        for booking_id, shift in chosen
        if await answers.cancel_booking(deps, person.id, CancelBooking(booking_id=booking_id), via)
    ]
    if cancelled:
        return GiveUpOutcome(cancelled, [])
    if chosen:  # given up meanwhile (a second text, the Telegram button): read again
        booked = await upcoming(deps, person.id)
    return GiveUpOutcome([], [s for _, s in booked])


async def covered_by_sick_report(
    deps: Deps, person_id: str, day: dt.date | None
) -> list[BookingView]:
    """The bookings a sick report gives up when the person has no own shift then, in
    every channel: that day's, or with no day today's and else the next one. A shift that
    has begun is left to the coordinator."""
    now = deps.now()
    views = [v for v in await bookings(deps, person_id) if v.can_give_up]
    wanted = day if day is not None else now.astimezone(deps.tz).date()
    on_day = [v for v in views if v.shift.starts_at.astimezone(deps.tz).date() == wanted]
    return on_day if day is not None else on_day or views[:1]


async def give_up_each(
    deps: Deps, person: Person, booking_ids: Sequence[int], via: str
) -> list[Shift]:
    """Give up these bookings one by one through `give_up` (a sick substitute's, once
    shown and confirmed); the shifts actually given up."""
    given_up: list[Shift] = []
    for booking_id in booking_ids:
        outcome = await give_up(deps, person, CancelBooking(booking_id=booking_id), via)
        given_up += outcome.cancelled
    return given_up


@dataclass(frozen=True, slots=True)
class OfferChoice:
    """Which offer an answer means: one (`offer_id`), or ask (`ask`: the open offers with
    their shifts; `bad_code` when the code named none of them), or none at all."""

    offer_id: int | None = None
    ask: tuple[tuple[Offer, Shift], ...] = ()
    bad_code: bool = False


async def offer_meant(deps: Deps, person: Person, intent: Accept | Decline) -> OfferChoice:
    """The offer a JA / NEJ (with or without its code) answers. A JA to an offer closed in
    the last day still finds it, so the person hears "someone was faster", not a shrug."""
    if intent.offer_id is not None:
        return OfferChoice(intent.offer_id)
    now = deps.now()
    code = intent.code
    async with deps.db.read() as conn:
        open_offers = await vacancies.open_offers_of(conn, person.id)
        if code is not None:
            found = next((o.id for o in open_offers if o.code == code), None)
            if found is not None:
                return OfferChoice(found)
            if open_offers:
                return OfferChoice(ask=await _with_shifts(conn, open_offers), bad_code=True)
            return OfferChoice(await _recent_offer_id(conn, person.id, now, code))
        if len(open_offers) == 1:
            return OfferChoice(open_offers[0].id)
        if open_offers:
            return OfferChoice(ask=await _with_shifts(conn, open_offers))
        if isinstance(intent, Accept):
            return OfferChoice(await _recent_offer_id(conn, person.id, now, None))
    return OfferChoice()


async def _with_shifts(
    conn: AsyncConnection, offers: Sequence[Offer]
) -> tuple[tuple[Offer, Shift], ...]:
    pairs = []
    for offer in sorted(offers, key=lambda o: o.code):
        vacancy = await vacancies.get_vacancy(conn, offer.vacancy_id)
        assert vacancy is not None
        shift = await shifts_repo.get_shift(conn, vacancy.shift_id)
        assert shift is not None
        pairs.append((offer, shift))
    return tuple(pairs)


async def _recent_offer_id(
    conn: AsyncConnection, person_id: str, now: dt.datetime, code: int | None
) -> int | None:
    """The person's latest offer of the last day (with this code)."""
    found = await vacancies.latest_offer_id(conn, person_id, now - RECENT_OFFER, code)
    return int(found) if found is not None else None
