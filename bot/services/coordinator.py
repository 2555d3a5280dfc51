"""What a coordinator (samordnare) does: widen, fill by hand, cancel, create, release, explain."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from bot.domain.eligibility import NEVER_OVERRIDDEN
from bot.domain.messages import booked_message, simple
from bot.domain.model import OfferState, Shift, VacancyStatus
from bot.domain.ranking import explain as explain_lines
from bot.services import callout, introduction
from bot.services.absence import cancel_vacancy_in
from bot.services.answers import handledare_for
from bot.services.coordinator_desk import answer_notes_in
from bot.services.deps import Deps, send_to_person
from bot.texts import t
from storage import audit, vacancies
from storage import bookings as bookings_repo
from storage import people as people_repo
from storage import shifts as shifts_repo
from storage.db import is_transient

TRANSIENT_RETRIES = 3  # a deadlock with a call-out step is tried again this often


class FillOutcome(enum.StrEnum):
    BOOKED = "booked"
    NEEDS_OVERRIDE = "needs_override"  # rules block: ask for a reason
    FORBIDDEN = "forbidden"  # overlap, rest or shift length: no reason makes it legal
    NOT_SEARCHING = "not_searching"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class FillResult:
    outcome: FillOutcome
    blocks: tuple[str, ...] = ()  # Swedish reasons when rules block
    booking_id: int | None = None


async def widen(deps: Deps, vacancy_id: int, by: str, channel: str) -> bool:
    """Include regular staff (extra time / overtime) from the next step on, due at once."""
    async with deps.db.write() as conn:
        now = deps.now()
        ok = await vacancies.update_vacancy(
            conn,
            vacancy_id,
            now,
            expect_status=VacancyStatus.SEARCHING,
            widened=True,
            next_due_at=now,
        )
        if ok:
            await audit.record(conn, now, by, "vacancy_widened", "vacancy", vacancy_id, channel)
    # The next tick (within VIKARIE_TICK_SECONDS) sends the wave: a Telegram handler must
    # return in milliseconds, not run the call-out for every unit.
    return ok


async def cancel_vacancy(deps: Deps, vacancy_id: int, by: str, channel: str) -> bool:
    async with deps.db.write() as conn:
        ok = await cancel_vacancy_in(conn, deps, vacancy_id, by, channel)
    deps.kick()
    return ok


async def fill_by_hand(
    deps: Deps,
    vacancy_id: int,
    person_id: str,
    by: str,
    channel: str,
    override_reason: str | None = None,
) -> FillResult:
    """Book a named person. Rules are checked; a block needs an override reason (recorded).
    A deadlock with another transaction (PostgreSQL) is tried again."""
    for attempt in range(TRANSIENT_RETRIES):
        try:
            return await _fill_by_hand(deps, vacancy_id, person_id, by, channel, override_reason)
        except sa.exc.DBAPIError as exc:
            if not is_transient(exc) or attempt == TRANSIENT_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


async def _fill_by_hand(
    deps: Deps,
    vacancy_id: int,
    person_id: str,
    by: str,
    channel: str,
    override_reason: str | None,
) -> FillResult:
    try:
        async with deps.db.write() as conn:
            now = deps.now()
            person = await people_repo.get_person(conn, person_id)
            if person is None:
                return FillResult(FillOutcome.UNKNOWN)
            await people_repo.lock_person(conn, person_id)  # person, then vacancy
            vacancy = await vacancies.get_vacancy(conn, vacancy_id, for_update=True)
            if vacancy is None:
                return FillResult(FillOutcome.UNKNOWN)
            if vacancy.status != VacancyStatus.SEARCHING:
                return FillResult(FillOutcome.NOT_SEARCHING)
            a = await callout.assess(conn, deps, vacancy, exclude_offered=False, only=[person])
            reasons = a.verdicts[0].blocks if a.verdicts else ()
            blocks = tuple(r.text for r in reasons)
            hard = tuple(r.text for r in reasons if r.code in NEVER_OVERRIDDEN)
            if hard:
                # Working-time law and double bookings are not the coordinator's to waive.
                return FillResult(FillOutcome.FORBIDDEN, hard)
            if blocks and not override_reason:
                return FillResult(FillOutcome.NEEDS_OVERRIDE, blocks)
            await vacancies.update_vacancy(conn, vacancy.id, now, status="filled", next_due_at=None)
            booking_id = await bookings_repo.insert_booking(
                conn,
                vacancy.id,
                a.shift.id,
                person.id,
                now,
                channel,
                override_reason=override_reason if blocks else None,
                by=by,
            )
            others = await vacancies.close_open_offers(conn, vacancy.id, OfferState.TAKEN, now)
            people = await people_repo.get_people(conn, [o.person_id for o in others])
            for o in others:
                p = people[o.person_id]
                await send_to_person(
                    conn, p, simple("taken", a.shift, a.unit, p, deps.tz, edit_offer_id=o.id), now
                )
            await send_to_person(
                conn,
                person,
                booked_message(
                    a.shift, a.unit, person, deps.tz, handledare=handledare_for(a, person)
                ),
                now,
            )
            await audit.record(
                conn,
                now,
                by,
                "filled_by_hand",
                "vacancy",
                vacancy.id,
                channel,
                person=person.id,
                override=override_reason if blocks else None,
                blocks=list(blocks),
            )
            await introduction.on_booking(conn, deps, person, a.unit.id, a.shift.id, booking_id)
            moved_on = await callout.withdraw_conflicting(conn, deps, person, a.shift)
    except sa.exc.IntegrityError:
        return FillResult(FillOutcome.NOT_SEARCHING)
    await callout.due_now(deps, moved_on)
    deps.kick()
    return FillResult(FillOutcome.BOOKED, blocks, booking_id)


async def release(deps: Deps, vacancy_id: int, keep: bool, by: str, channel: str) -> bool:
    """After the absent person reported well: keep the substitute, or release them.
    Both the substitute and the person who reported well are told what it means for them."""
    async with deps.db.write() as conn:
        now = deps.now()
        vacancy = await vacancies.get_vacancy(conn, vacancy_id, for_update=True)
        if vacancy is None or vacancy.status != VacancyStatus.FILLED:
            return False
        booking = await bookings_repo.live_booking(conn, vacancy_id)
        shift = await shifts_repo.get_shift(conn, vacancy.shift_id)
        unit = await people_repo.get_unit(conn, shift.unit_id) if shift else None
        if booking is None or shift is None or unit is None:
            return False
        regular = await people_repo.get_person(conn, shift.person_id) if shift.person_id else None
        if keep:
            await audit.record(conn, now, by, "substitute_kept", "vacancy", vacancy_id, channel)
            if regular is not None:
                await send_to_person(
                    conn, regular, simple("well_kept", shift, unit, regular, deps.tz), now
                )
            return True
        await bookings_repo.cancel_booking_row(conn, booking.id, now, "released")
        await vacancies.update_vacancy(conn, vacancy_id, now, status="cancelled", next_due_at=None)
        sub = await people_repo.get_person(conn, booking.person_id)
        assert sub is not None
        await send_to_person(conn, sub, simple("released", shift, unit, sub, deps.tz), now)
        if regular is not None:
            await send_to_person(
                conn, regular, simple("well_back", shift, unit, regular, deps.tz), now
            )
        await audit.record(
            conn, now, by, "substitute_released", "vacancy", vacancy_id, channel, booking=booking.id
        )
    deps.kick()
    return True


async def create_vacancy(
    deps: Deps,
    unit_id: str,
    start: dt.datetime,
    end: dt.datetime,
    role: str,
    requirements: tuple[str, ...],
    by: str,
    channel: str,
) -> int:
    """A new open shift created by hand (/nytt), searched for at once."""
    async with deps.db.write() as conn:
        now = deps.now()
        shift = Shift(
            id=f"m-{uuid.uuid4().hex[:10]}",
            unit_id=unit_id,
            starts_at=start,
            ends_at=end,
            role=role,
            requirements=requirements,
        )
        await shifts_repo.insert_shift(conn, shift)
        vid = await vacancies.insert_vacancy(conn, shift.id, None, now)
        await audit.record(
            conn, now, by, "vacancy_created", "vacancy", vid, channel, shift=shift.id, unit=unit_id
        )
        await callout.advance(conn, deps, vid)
    deps.kick()
    return vid


async def explain(deps: Deps, vacancy_id: int) -> list[str]:
    """Why each person is ranked where they are, or excluded (`vikariebot explain`)."""
    async with deps.db.read() as conn:
        vacancy = await vacancies.get_vacancy(conn, vacancy_id)
        if vacancy is None:
            return [f"Vakans {vacancy_id} finns inte."]
        a = await callout.assess(conn, deps, vacancy, exclude_offered=False)
        offers = await vacancies.offers_for(conn, vacancy_id)
        tally = await callout.offer_tally(conn, vacancy_id)
        notes = await answer_notes_in(conn, deps.now(), [c.verdict.person.id for c in a.ranked])
        estimates = await callout.response_estimates(conn, a.ranked, deps.now())
    for pid, e in estimates.items():  # what a learned wave counts on, for each candidate
        said = t(
            "coord_response_estimate",
            "sv",
            yes=round(100 * e.p_yes),
            minutes=f"{e.median_minutes:.0f}",
            offers=e.offers,
        )
        notes[pid] = f"{said} · {notes[pid]}" if pid in notes else said
    start = a.shift.starts_at.astimezone(deps.tz).strftime("%Y-%m-%d %H:%M")
    end = a.shift.ends_at.astimezone(deps.tz).strftime("%H:%M")
    head = [
        f"Vakans {vacancy_id}: {a.unit.name}, {start}–{end}, {a.shift.role}, "
        f"status {vacancy.status}, våg {vacancy.wave}",
        f"Tillfrågade {tally['asked']}, nej {tally['declined']}, inget svar {tally['silent']}; "
        f"{sum(o.state == OfferState.ACCEPTED for o in offers)} ja.",
    ]
    return head + explain_lines(a.context, a.verdicts, a.tie_seed, deps.rules, notes)
