"""Substitutes answer offers (Ta passet / Nej tack) and cancel bookings (avboka).

First accept wins: the vacancy row is locked (PostgreSQL) or the write lock is held
(SQLite, BEGIN IMMEDIATE), the status moves searching -> filled only if it is still
searching, and a unique index on live bookings per vacancy is the backstop.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.eligibility import is_introduced
from bot.domain.messages import booked_message, simple
from bot.domain.model import Offer, OfferState, Person, VacancyStatus
from bot.domain.outgoing import OutMessage
from bot.services import callout
from bot.services.deps import Deps, send_to_coordinators, send_to_person
from bot.texts import shift_times, t
from storage import audit, vacancies
from storage import bookings as bookings_repo
from storage import people as people_repo
from storage import shifts as shifts_repo
from storage.db import is_transient

TRANSIENT_RETRIES = 3


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


async def accept(deps: Deps, offer_id: int, person_id: str, channel: str) -> AnswerResult:
    for attempt in range(TRANSIENT_RETRIES):
        try:
            async with deps.db.write() as conn:
                result = await _accept_in(conn, deps, offer_id, person_id, channel)
            break
        except sa.exc.IntegrityError:
            # Another worker booked this vacancy between our check and insert.
            async with deps.db.write() as conn:
                result = await _late(conn, deps, offer_id, person_id, channel)
            break
        except sa.exc.DBAPIError as exc:
            if not is_transient(exc) or attempt == TRANSIENT_RETRIES - 1:
                raise
    if result.outcome == Outcome.BOOKED:
        await callout.due_now(deps, result.moved_on)
    deps.kick()
    return result


async def _accept_in(
    conn: AsyncConnection, deps: Deps, offer_id: int, person_id: str, channel: str
) -> AnswerResult:
    now = deps.now()
    offer = await vacancies.get_offer(conn, offer_id)
    if offer is None:
        return AnswerResult(Outcome.UNKNOWN)
    if offer.person_id != person_id:
        return AnswerResult(Outcome.NOT_YOURS)
    # Lock order everywhere: the person, then the vacancy.
    await people_repo.lock_person(conn, person_id)
    vacancy = await vacancies.get_vacancy(conn, offer.vacancy_id, for_update=True)
    assert vacancy is not None
    offer = await vacancies.get_offer(conn, offer_id)  # as it stands now that we hold the locks
    assert offer is not None
    if offer.state in (OfferState.TAKEN, OfferState.LATE) or (
        offer.state == OfferState.OPEN and vacancy.status == VacancyStatus.FILLED
    ):
        return await _late(conn, deps, offer_id, person_id, channel)
    if offer.state != OfferState.OPEN or vacancy.status != VacancyStatus.SEARCHING:
        return AnswerResult(Outcome.NOT_OPEN, offer, reply=await _expired_text(conn, deps, offer))
    person = await people_repo.get_person(conn, person_id)
    assert person is not None
    # Eligibility again, now: the person may have been booked elsewhere meanwhile.
    a = await callout.assess(conn, deps, vacancy, exclude_offered=False, only=[person])
    verdict = a.verdicts[0] if a.verdicts else None
    if verdict is None or not verdict.eligible:
        # Closed by the rules, not by the person: not counted as a decline.
        await vacancies.answer_offer(conn, offer.id, OfferState.WITHDRAWN, now, channel)
        msg = simple(
            "not_eligible_now", a.shift, a.unit, person, deps.tz, edit_offer_id=offer.id, sms=False
        )
        sms_msg = OutMessage(msg.kind, msg.text, msg.text.replace("–", "-"), (), offer.id)
        await send_to_person(conn, person, sms_msg, now)
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
        return AnswerResult(Outcome.NOT_ELIGIBLE, offer, reply=msg.text)
    won = await vacancies.update_vacancy(
        conn,
        vacancy.id,
        now,
        expect_status=VacancyStatus.SEARCHING,
        status=VacancyStatus.FILLED.value,
        next_due_at=None,
    )
    if not won:
        return await _late(conn, deps, offer_id, person_id, channel)
    booking_id = await bookings_repo.insert_booking(
        conn, vacancy.id, a.shift.id, person_id, now, channel
    )
    await vacancies.answer_offer(conn, offer.id, OfferState.ACCEPTED, now, channel)
    booked = booked_message(
        a.shift,
        a.unit,
        person,
        deps.tz,
        handledare=handledare_for(a, person),
        edit_offer_id=offer.id,
    )
    await send_to_person(conn, person, booked, now)
    others = await vacancies.close_open_offers(conn, vacancy.id, OfferState.TAKEN, now)
    people = await people_repo.get_people(conn, [o.person_id for o in others])
    for o in others:
        p = people[o.person_id]
        await send_to_person(
            conn, p, simple("taken", a.shift, a.unit, p, deps.tz, edit_offer_id=o.id), now
        )
    await audit.record(
        conn,
        now,
        person_id,
        "offer_accepted",
        "vacancy",
        vacancy.id,
        channel,
        offer=offer.id,
        booking=booking_id,
        others_told=len(others),
    )
    await _after_booking(conn, deps, person, a.unit.id, a.shift.id, booking_id)
    moved_on = await callout.withdraw_conflicting(conn, deps, person, a.shift)
    return AnswerResult(Outcome.BOOKED, offer, booking_id, booked.text, moved_on)


def handledare_for(a: callout.Assessment, person: Person) -> str | None:
    """The handledare working alongside, named to someone not yet introduced at the unit."""
    return None if is_introduced(person, a.unit.id) else a.handledare


async def _after_booking(
    conn: AsyncConnection,
    deps: Deps,
    person: Person,
    unit_id: str,
    shift_id: str,
    booking_id: int,
) -> None:
    """Hook for the introduction path (a first booking at a unit starts a checklist)."""
    from bot.services import introduction  # here: this function's body is the only seam

    await introduction.on_booking(conn, deps, person, unit_id, shift_id, booking_id)


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


async def decline(deps: Deps, offer_id: int, person_id: str, channel: str) -> AnswerResult:
    """Nej tack. When nobody is left holding an open offer, the next wave is due at once."""
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
        await audit.record(conn, now, person_id, "offer_declined", "offer", offer.id, channel)
    return AnswerResult(Outcome.DECLINED, offer, reply=t("declined", lang))


async def cancel_booking(deps: Deps, booking_id: int, person_id: str, channel: str) -> bool:
    """A substitute cancels: the vacancy reopens, the coordinator is told, the search resumes
    without that person (their offer stays on record, so they are not asked again)."""
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
