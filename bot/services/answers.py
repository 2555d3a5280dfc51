"""Substitutes answer offers (Ta passet / Nej tack) and cancel bookings (avboka).

First accept wins; the booking itself, shared with filling by hand, is `booking.book`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.intents import Accept, CancelBooking, Decline
from bot.domain.messages import simple
from bot.domain.model import Offer, OfferState, VacancyStatus
from bot.domain.outgoing import OutMessage
from bot.services import bundles
from bot.services.booking import Accepted, Booked, after_commit, assess_now, book, retrying
from bot.services.deps import Deps, send_to_coordinators, send_to_person
from bot.texts import shift_times, t
from storage import audit, vacancies
from storage import bookings as bookings_repo
from storage import people as people_repo
from storage import shifts as shifts_repo


class Outcome(enum.StrEnum):
    BOOKED = "booked"
    LATE = "late"  # someone was faster
    DECLINED = "declined"
    NOT_OPEN = "not_open"  # already answered, withdrawn or expired
    NOT_ELIGIBLE = "not_eligible"  # a rule now blocks (e.g. booked elsewhere meanwhile)
    NOT_YOURS = "not_yours"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class AnswerResult:
    outcome: Outcome
    offer: Offer | None = None
    booking_id: int | None = None
    reply: str = ""  # a short line for the Telegram toast / handler
    moved_on: tuple[int, ...] = ()  # vacancies whose step is due now (offers closed by this)


async def accept(deps: Deps, person_id: str, intent: Accept, channel: str) -> AnswerResult:
    """Ta passet: the first accept books (`booking.book`); a later one hears it was late.
    The intent names its offer (a channel resolves an SMS code first: `bookings.offer_meant`)."""
    if intent.offer_id is None:
        return AnswerResult(Outcome.UNKNOWN)
    offer_id = intent.offer_id

    async def attempt() -> tuple[AnswerResult, Booked | None]:
        try:
            async with deps.db.write() as conn:
                return await _accept_in(conn, deps, offer_id, person_id, channel)
        except sa.exc.IntegrityError:
            # Another worker booked this vacancy between our check and insert.
            async with deps.db.write() as conn:
                return await _late(conn, deps, offer_id, person_id, channel), None

    result, booked = await retrying(attempt)
    await after_commit(deps, booked)
    return result


async def _accept_in(
    conn: AsyncConnection, deps: Deps, offer_id: int, person_id: str, channel: str
) -> tuple[AnswerResult, Booked | None]:
    now = deps.now()
    offer = await vacancies.get_offer(conn, offer_id)
    if offer is None:
        return AnswerResult(Outcome.UNKNOWN), None
    if offer.person_id != person_id:
        return AnswerResult(Outcome.NOT_YOURS), None
    # Lock order everywhere: the person, then the vacancy.
    await people_repo.lock_person(conn, person_id)
    vacancy = await vacancies.get_vacancy(conn, offer.vacancy_id, for_update=True)
    assert vacancy is not None
    offer = await vacancies.get_offer(conn, offer_id)  # as it stands now that we hold the locks
    assert offer is not None
    if offer.state in (OfferState.TAKEN, OfferState.LATE) or (
        offer.state == OfferState.OPEN and vacancy.status == VacancyStatus.FILLED
    ):
        return await _late(conn, deps, offer_id, person_id, channel), None
    if offer.state != OfferState.OPEN or vacancy.status != VacancyStatus.SEARCHING:
        expired = await _expired_text(conn, deps, offer)
        return AnswerResult(Outcome.NOT_OPEN, offer, reply=expired), None
    person = await people_repo.get_person(conn, person_id)
    assert person is not None
    a, verdict = await assess_now(conn, deps, vacancy, person)
    if verdict is None or not verdict.eligible:
        # Closed by the rules, not by the person: not counted as a decline.
        await vacancies.answer_offer(conn, offer.id, OfferState.WITHDRAWN, now, channel)
        msg = simple(
            "not_eligible_now", a.shift, a.unit, person, deps.tz, edit_offer_id=offer.id, sms=False
        )
        sms_msg = OutMessage(msg.kind, msg.text, msg.text.replace("–", "-"), (), offer.id)
        await send_to_person(conn, person, sms_msg, now)
        await bundles.redraw_later(conn, person, offer.id, now)
        await vacancies.update_vacancy(conn, vacancy.id, now, next_due_at=now)
        await audit.record(
            conn,
            now,
            person_id,
            "accept_refused",
            "offer",
            offer.id,
            channel,
            blocks=[r.code for r in verdict.blocks] if verdict else ["kind"],
        )
        return AnswerResult(Outcome.NOT_ELIGIBLE, offer, reply=msg.text), None
    booked = await book(conn, deps, a, vacancy, person, Accepted(offer), channel)
    if booked is None:
        return await _late(conn, deps, offer_id, person_id, channel), None
    result = AnswerResult(Outcome.BOOKED, offer, booked.booking_id, booked.text, booked.moved_on)
    return result, booked


async def _late(
    conn: AsyncConnection, deps: Deps, offer_id: int, person_id: str, channel: str
) -> AnswerResult:
    now = deps.now()
    offer = await vacancies.get_offer(conn, offer_id)
    assert offer is not None
    await vacancies.answer_offer(conn, offer.id, OfferState.LATE, now, channel, only_if_open=False)
    vacancy = await vacancies.get_vacancy(conn, offer.vacancy_id)
    assert vacancy is not None
    shift = await shifts_repo.get_shift(conn, vacancy.shift_id)
    unit = await people_repo.get_unit(conn, shift.unit_id) if shift else None
    person = await people_repo.get_person(conn, person_id)
    assert shift is not None and unit is not None and person is not None
    still_open = [o for o in await vacancies.open_offers_of(conn, person_id) if o.id != offer.id]
    lang = person.language
    others = t("late_others", lang) if still_open else ""
    others_sms = t("late_others_sms", lang) if still_open else ""
    msg = simple(
        "late",
        shift,
        unit,
        person,
        deps.tz,
        edit_offer_id=offer.id,
        others=others,
        others_sms=others_sms,
    )
    await send_to_person(conn, person, msg, now)
    await audit.record(conn, now, person_id, "offer_late", "offer", offer.id, channel)
    return AnswerResult(Outcome.LATE, offer, reply=msg.text)


async def _expired_text(conn: AsyncConnection, deps: Deps, offer: Offer) -> str:
    vacancy = await vacancies.get_vacancy(conn, offer.vacancy_id)
    assert vacancy is not None
    shift = await shifts_repo.get_shift(conn, vacancy.shift_id)
    assert shift is not None
    person = await people_repo.get_person(conn, offer.person_id)
    lang = person.language if person else "sv"
    return t("offer_expired", lang, **shift_times(shift.starts_at, shift.ends_at, deps.tz, lang))


async def decline(
    deps: Deps, person_id: str, intent: Decline, channel: str, *, redraw: bool = True
) -> AnswerResult:
    """Nej tack. When nobody is left holding an open offer, the next wave is due at once.
    A bundled offer's message is redrawn (`redraw`), the declined shift without its button."""
    if intent.offer_id is None:
        return AnswerResult(Outcome.UNKNOWN)
    offer_id = intent.offer_id
    async with deps.db.write() as conn:
        now = deps.now()
        offer = await vacancies.get_offer(conn, offer_id)
        if offer is None:
            return AnswerResult(Outcome.UNKNOWN)
        if offer.person_id != person_id:
            return AnswerResult(Outcome.NOT_YOURS)
        if not await vacancies.answer_offer(conn, offer.id, OfferState.DECLINED, now, channel):
            return AnswerResult(
                Outcome.NOT_OPEN, offer, reply=await _expired_text(conn, deps, offer)
            )
        vacancy = await vacancies.get_vacancy(conn, offer.vacancy_id)
        assert vacancy is not None
        if vacancy.status == VacancyStatus.SEARCHING and not any(
            o.state == OfferState.OPEN for o in await vacancies.offers_for(conn, vacancy.id)
        ):
            await vacancies.update_vacancy(conn, vacancy.id, now, next_due_at=now)
        person = await people_repo.get_person(conn, person_id)
        lang = person.language if person else "sv"
        if person is not None and redraw:
            await bundles.redraw_later(conn, person, offer.id, now)
        await audit.record(conn, now, person_id, "offer_declined", "offer", offer.id, channel)
    return AnswerResult(Outcome.DECLINED, offer, reply=t("declined", lang))


async def decline_all(deps: Deps, person_id: str, intent: Decline, channel: str) -> AnswerResult:
    """Nej tack till alla: every offer still open on the message that carries the named
    offer (a bundled offer), each declined as `decline` would."""
    if intent.offer_id is None:
        return AnswerResult(Outcome.UNKNOWN)
    async with deps.db.read() as conn:
        offer = await vacancies.get_offer(conn, intent.offer_id)
        if offer is None:
            return AnswerResult(Outcome.UNKNOWN)
        if offer.person_id != person_id:
            return AnswerResult(Outcome.NOT_YOURS)
        mates = (
            await vacancies.offers_on_message(conn, person_id, offer.telegram_message_id)
            if offer.telegram_message_id is not None
            else [offer]
        )
    result = AnswerResult(Outcome.NOT_OPEN, offer)
    for mate in mates:
        if mate.state != OfferState.OPEN:
            continue
        one = await decline(deps, person_id, Decline(mate.id), channel, redraw=False)
        if one.outcome == Outcome.DECLINED:
            result = one
    if result.outcome == Outcome.DECLINED:
        async with deps.db.write() as conn:
            person = await people_repo.get_person(conn, person_id)
            if person is not None:
                await bundles.redraw_later(conn, person, offer.id, deps.now())
    else:
        async with deps.db.read() as conn:
            result = AnswerResult(
                Outcome.NOT_OPEN, offer, reply=await _expired_text(conn, deps, offer)
            )
    return result


async def cancel_booking(
    deps: Deps, person_id: str, intent: CancelBooking, channel: str
) -> bool:
    """A substitute cancels one booking (by id; which booking "AVBOKA 2/12" means is
    `bookings.give_up`'s choice): the vacancy reopens, the coordinator is told, the search
    resumes without that person (their offer stays on record, so they are not asked again)."""
    if intent.booking_id is None:
        return False
    booking_id = intent.booking_id
    async with deps.db.write() as conn:
        now = deps.now()
        booking = await bookings_repo.get_booking(conn, booking_id)
        if booking is None or booking.person_id != person_id or booking.cancelled_at:
            return False
        shift = await shifts_repo.get_shift(conn, booking.shift_id)
        assert shift is not None
        if shift.starts_at <= now:
            return False
        await bookings_repo.cancel_booking_row(conn, booking.id, now, "substitute")
        # Searching again, and the coordinator is to be alerted again if it stays open.
        await vacancies.update_vacancy(
            conn,
            booking.vacancy_id,
            now,
            expect_status=VacancyStatus.FILLED,
            status="searching",
            next_due_at=now,
            escalated_at=None,
        )

        unit = await people_repo.get_unit(conn, shift.unit_id)
        person = await people_repo.get_person(conn, person_id)
        assert unit is not None and person is not None
        await send_to_person(
            conn, person, simple("booking_cancelled", shift, unit, person, deps.tz, sms=False), now
        )
        own = await vacancies.offer_of(conn, booking.vacancy_id, person_id)
        if own is not None:  # a bundled offer it came from no longer says "Ditt pass"
            await bundles.redraw_later(conn, person, own.id, now)
        lang = deps.settings.language
        text = t(
            "coord_booking_cancelled",
            lang,
            person=person.name,
            unit=unit.name,
            **shift_times(shift.starts_at, shift.ends_at, deps.tz, lang),
        )
        await send_to_coordinators(conn, unit, OutMessage("booking_cancelled", text), now)
        await audit.record(
            conn,
            now,
            person_id,
            "booking_cancelled",
            "booking",
            booking.id,
            channel,
            vacancy=booking.vacancy_id,
        )
    deps.kick()
    return True
