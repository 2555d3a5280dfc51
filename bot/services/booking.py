"""One booking path: a substitute accepting an offer and a coordinator filling by hand
(Telegram or the web desk) both end in `book`, so a booking's side effects are written once.

First booking wins: the caller holds the person's lock and then the vacancy's (PostgreSQL
row locks, or SQLite's write lock), the status moves searching -> filled only if it is still
searching, and a unique index on live bookings per vacancy is the backstop (an
IntegrityError the caller turns into "someone was faster").

The boards and coordinator alerts need nothing from here: they are derived from the
database each round (`live_board`, `alerts.stale_alerts`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.eligibility import Verdict, is_introduced
from bot.domain.messages import booked_message, simple
from bot.domain.model import Offer, OfferState, Person, Vacancy, VacancyStatus
from bot.services import bundles, callout, introduction
from bot.services.deps import Deps, delivery_channel, send_to_person
from storage import audit, outbox, vacancies
from storage import bookings as bookings_repo
from storage import people as people_repo
from storage.db import is_transient

TRANSIENT_RETRIES = 3  # a deadlock or serialization failure is tried again this often

T = TypeVar("T")


async def retrying(attempt: Callable[[], Awaitable[T]]) -> T:
    """Run one write transaction, again when PostgreSQL reports a deadlock or a
    serialization failure (the other transaction won; ours may simply be repeated).
    Every other error, and the last transient one, is raised."""
    for tries in range(1, TRANSIENT_RETRIES + 1):
        try:
            return await attempt()
        except sa.exc.DBAPIError as exc:
            if not is_transient(exc) or tries == TRANSIENT_RETRIES:
                raise
    raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True)
class Accepted:
    """The substitute said yes to this offer (Ta passet)."""

    offer: Offer


@dataclass(frozen=True, slots=True)
class ByHand:
    """A coordinator booked the person (tillsatt för hand), with a reason when rules block."""

    by: str
    override_reason: str | None = None
    blocks: tuple[str, ...] = ()  # the rules overridden, in Swedish


How = Accepted | ByHand


@dataclass(frozen=True, slots=True)
class Booked:
    booking_id: int
    text: str  # the confirmation sent to the booked person
    moved_on: tuple[int, ...]  # vacancies whose step is due now (offers closed by this)


async def assess_now(
    conn: AsyncConnection, deps: Deps, vacancy: Vacancy, person: Person
) -> tuple[callout.Assessment, Verdict | None]:
    """Eligibility again, now, under the locks: the person may have been booked elsewhere
    since they were asked (or listed)."""
    a = await callout.assess(conn, deps, vacancy, exclude_offered=False, only=[person])
    return a, (a.verdicts[0] if a.verdicts else None)


def handledare_for(a: callout.Assessment, person: Person) -> str | None:
    """The handledare working alongside, named to someone not yet introduced at the unit."""
    return None if is_introduced(person, a.unit.id) else a.handledare


async def book(
    conn: AsyncConnection,
    deps: Deps,
    a: callout.Assessment,
    vacancy: Vacancy,
    person: Person,
    how: How,
    channel: str,
) -> Booked | None:
    """Book `person` on `vacancy` inside the caller's transaction (which holds the person's
    and the vacancy's locks and has checked eligibility): filled, the booking row, the
    confirmation, "taken" to everyone else still asked, the audit line, the introduction
    checklist and the person's other offers that now clash. None when the vacancy is no
    longer searching (someone was faster)."""
    now = deps.now()
    won = await vacancies.update_vacancy(
        conn,
        vacancy.id,
        now,
        expect_status=VacancyStatus.SEARCHING,
        status=VacancyStatus.FILLED.value,
        next_due_at=None,
    )
    if not won:
        return None
    by_hand = how if isinstance(how, ByHand) else None
    override = by_hand.override_reason if by_hand and by_hand.blocks else None
    booking_id = await bookings_repo.insert_booking(
        conn,
        vacancy.id,
        a.shift.id,
        person.id,
        now,
        channel,
        override_reason=override,
        by=by_hand.by if by_hand else None,
    )
    offer_id = how.offer.id if isinstance(how, Accepted) else None
    if offer_id is not None:
        await vacancies.answer_offer(conn, offer_id, OfferState.ACCEPTED, now, channel)
    else:
        # Booked by hand while holding an open offer for this shift: the offer closes
        # (withdrawn: it was not their answer) and the confirmation replaces its message,
        # so the last word they read is "booked", never "taken".
        own = next(
            (o for o in await vacancies.offers_for(conn, vacancy.id)
             if o.person_id == person.id and o.state == OfferState.OPEN),
            None,
        )
        if own is not None:
            await vacancies.answer_offer(conn, own.id, OfferState.WITHDRAWN, now, None)
            offer_id = own.id
    booked = booked_message(
        a.shift,
        a.unit,
        person,
        deps.tz,
        handledare=handledare_for(a, person),
        edit_offer_id=offer_id,
    )
    await send_to_person(conn, person, booked, now)
    if offer_id is not None:
        await bundles.redraw_later(conn, person, offer_id, now)
    others = await _tell_taken(conn, deps, a, vacancy, person)
    if by_hand is None:
        await audit.record(
            conn,
            now,
            person.id,
            "offer_accepted",
            "vacancy",
            vacancy.id,
            channel,
            offer=offer_id,
            booking=booking_id,
            others_told=len(others),
        )
    else:
        await audit.record(
            conn,
            now,
            by_hand.by,
            "filled_by_hand",
            "vacancy",
            vacancy.id,
            channel,
            person=person.id,
            override=override,
            blocks=list(by_hand.blocks),
        )
    await introduction.on_booking(conn, deps, person, a.unit.id, a.shift.id, booking_id)
    moved_on = await callout.withdraw_conflicting(conn, deps, person, a.shift)
    return Booked(booking_id, booked.text, moved_on)


async def _tell_taken(
    conn: AsyncConnection, deps: Deps, a: callout.Assessment, vacancy: Vacancy, booked: Person
) -> Sequence[Offer]:
    """Close everyone else's open offer as taken, and edit it to say so."""
    now = deps.now()
    others = await vacancies.close_open_offers(
        conn, vacancy.id, OfferState.TAKEN, now, except_person=booked.id
    )
    people = await people_repo.get_people(conn, [o.person_id for o in others])
    notices = []
    for o in others:  # one statement for them all: a wave can be a hundred people
        p = people[o.person_id]
        msg = simple("taken", a.shift, a.unit, p, deps.tz, edit_offer_id=o.id)
        channel = delivery_channel(p, msg)
        if channel is not None:
            notices.append(outbox.Enqueued(msg, channel, person_id=p.id, offer_id=o.id))
    await outbox.enqueue_many(conn, notices, now)
    return others


async def after_commit(deps: Deps, booked: Booked | None) -> None:
    """Once the booking is committed: the vacancies it moved on are due now, and the
    outbox worker is woken."""
    if booked is not None:
        await callout.due_now(deps, booked.moved_on)
    deps.kick()
