"""What a coordinator (samordnare) does: widen, fill by hand, cancel, create, release, explain.

The channels (Telegram, the web desk) call the intent functions at the end of this module
(`fill`, `widen_vacancy`, `cancel`, `release_substitute`, `create`): each takes the acting
person and a typed intent (`bot.domain.intents`), checks that the actor
coordinates the vacancy's unit itself, and returns an outcome the channel renders. They
are the only way in: the private functions by id above them trust their caller (the intent
functions) to have checked the scope.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.eligibility import NEVER_OVERRIDDEN
from bot.domain.intents import CancelVacancy, CreateVacancy, FillByHand, Release, Widen
from bot.domain.messages import simple
from bot.domain.model import OfferState, Person, Shift, VacancyStatus
from bot.domain.ranking import explain as explain_lines
from bot.domain.rules import Reason
from bot.services import bundles, callout, coordinator_views
from bot.services.absence import cancel_vacancy_in
from bot.services.booking import Booked, ByHand, after_commit, assess_now, book, retrying
from bot.services.coordinator_views import answer_notes_in
from bot.services.deps import Deps, send_to_person
from bot.texts import ROLE_NAMES, reason_text, t
from storage import audit, vacancies
from storage import bookings as bookings_repo
from storage import people as people_repo
from storage import shifts as shifts_repo


class FillOutcome(enum.StrEnum):
    BOOKED = "booked"
    NOT_ALLOWED = "not_allowed"  # unknown, or not the actor's unit (told apart by nobody)
    NEEDS_OVERRIDE = "needs_override"  # rules block: ask for a reason
    FORBIDDEN = "forbidden"  # overlap, rest or shift length: no reason makes it legal
    NOT_SEARCHING = "not_searching"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class FillResult:
    outcome: FillOutcome
    blocks: tuple[Reason, ...] = ()  # why the rules block; channels render them
    booking_id: int | None = None


async def _widen(deps: Deps, vacancy_id: int, by: str, channel: str) -> bool:
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


async def _cancel_vacancy(deps: Deps, vacancy_id: int, by: str, channel: str) -> bool:
    async with deps.db.write() as conn:
        ok = await cancel_vacancy_in(conn, deps, vacancy_id, by, channel)
    deps.kick()
    return ok


async def _fill_by_hand(
    deps: Deps,
    vacancy_id: int,
    person_id: str,
    by: str,
    channel: str,
    override_reason: str | None = None,
) -> FillResult:
    """Book a named person. Rules are checked; a block needs an override reason (recorded).
    A deadlock with another transaction (PostgreSQL) is tried again."""

    async def attempt() -> tuple[FillResult, Booked | None]:
        try:
            async with deps.db.write() as conn:
                return await _fill_in(
                    conn, deps, vacancy_id, person_id, by, channel, override_reason
                )
        except sa.exc.IntegrityError:
            return FillResult(FillOutcome.NOT_SEARCHING), None

    result, booked = await retrying(attempt)
    if booked is not None:
        await after_commit(deps, booked)
    return result


async def _fill_in(
    conn: AsyncConnection,
    deps: Deps,
    vacancy_id: int,
    person_id: str,
    by: str,
    channel: str,
    override_reason: str | None,
) -> tuple[FillResult, Booked | None]:
    person = await people_repo.get_person(conn, person_id)
    if person is None:
        return FillResult(FillOutcome.UNKNOWN), None
    await people_repo.lock_person(conn, person_id)  # person, then vacancy
    vacancy = await vacancies.get_vacancy(conn, vacancy_id, for_update=True)
    if vacancy is None:
        return FillResult(FillOutcome.UNKNOWN), None
    if vacancy.status != VacancyStatus.SEARCHING:
        return FillResult(FillOutcome.NOT_SEARCHING), None
    a, verdict = await assess_now(conn, deps, vacancy, person)
    reasons = verdict.blocks if verdict else ()
    blocks = tuple(reasons)
    hard = tuple(r for r in reasons if r.code in NEVER_OVERRIDDEN)
    if hard:
        # Working-time law and double bookings are not the coordinator's to waive.
        return FillResult(FillOutcome.FORBIDDEN, hard), None
    if blocks and not override_reason:
        return FillResult(FillOutcome.NEEDS_OVERRIDE, blocks), None
    how = ByHand(by, override_reason, tuple(reason_text(r, "sv") for r in blocks))
    booked = await book(conn, deps, a, vacancy, person, how, channel)
    if booked is None:
        return FillResult(FillOutcome.NOT_SEARCHING), None
    return FillResult(FillOutcome.BOOKED, blocks, booked.booking_id), booked


async def _release(deps: Deps, vacancy_id: int, keep: bool, by: str, channel: str) -> bool:
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
        own = await vacancies.offer_of(conn, vacancy_id, sub.id)
        if own is not None:  # a bundled offer it came from no longer says "Ditt pass"
            await bundles.redraw_later(conn, sub, own.id, now)
        if regular is not None:
            await send_to_person(
                conn, regular, simple("well_back", shift, unit, regular, deps.tz), now
            )
        await audit.record(
            conn, now, by, "substitute_released", "vacancy", vacancy_id, channel, booking=booking.id
        )
    deps.kick()
    return True


async def _create_vacancy(
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
            return [t("explain_missing", "sv", vid=vacancy_id)]
        a = await callout.assess(conn, deps, vacancy, exclude_offered=False)
        offers = await vacancies.offers_for(conn, vacancy_id)
        tally = await callout.offer_tally(conn, vacancy_id)
        notes = await answer_notes_in(conn, deps.now(), [c.verdict.person.id for c in a.ranked])
        estimates = await callout.response_estimates(conn, a.ranked, deps.now())
    for pid, e in estimates.items():  # what a learned wave counts on, for each candidate
        said = coordinator_views.response_note(e)
        notes[pid] = f"{said} · {notes[pid]}" if pid in notes else said
    start = a.shift.starts_at.astimezone(deps.tz).strftime("%Y-%m-%d %H:%M")
    end = a.shift.ends_at.astimezone(deps.tz).strftime("%H:%M")
    yes = sum(o.state == OfferState.ACCEPTED for o in offers)
    head = [
        t(
            "explain_state",
            "sv",
            vid=vacancy_id,
            unit=a.unit.name,
            start=start,
            end=end,
            role=a.shift.role,
            status=vacancy.status,
            wave=vacancy.wave,
        ),
        t(
            "explain_tally",
            "sv",
            asked=tally["asked"],
            declined=tally["declined"],
            silent=tally["silent"],
            yes=yes,
        ),
    ]
    return head + explain_lines(a.context, a.verdicts, a.tie_seed, deps.rules, notes)


# ---------- the intents, scope checked: what the channels call ----------


class ActOutcome(enum.StrEnum):
    DONE = "done"
    REFUSED = "refused"  # the vacancy is not in the state for it (no longer searching, ...)
    INVALID = "invalid"  # a new vacancy's time or role does not hold
    NOT_ALLOWED = "not_allowed"  # unknown, or not the actor's unit (told apart by nobody)


@dataclass(frozen=True, slots=True)
class Acted:
    outcome: ActOutcome
    vacancy_id: int | None = None  # the vacancy created (CreateVacancy)


async def _in_scope(deps: Deps, actor: Person, vacancy_id: int) -> bool:
    """The vacancy exists and the actor coordinates its unit (an admin: every unit)."""
    return await coordinator_views.vacancy_for(deps, actor, vacancy_id) is not None


def _acted(ok: bool) -> Acted:
    return Acted(ActOutcome.DONE if ok else ActOutcome.REFUSED)


async def fill(deps: Deps, actor: Person, intent: FillByHand, channel: str) -> FillResult:
    """FillByHand: `_fill_by_hand`, for a vacancy of the actor's units only."""
    if not await _in_scope(deps, actor, intent.vacancy_id):
        return FillResult(FillOutcome.NOT_ALLOWED)
    return await _fill_by_hand(
        deps, intent.vacancy_id, intent.person_id, actor.id, channel, intent.override_reason
    )


async def widen_vacancy(deps: Deps, actor: Person, intent: Widen, channel: str) -> Acted:
    """Widen: `_widen`, for a vacancy of the actor's units only."""
    if not await _in_scope(deps, actor, intent.vacancy_id):
        return Acted(ActOutcome.NOT_ALLOWED)
    return _acted(await _widen(deps, intent.vacancy_id, actor.id, channel))


async def cancel(deps: Deps, actor: Person, intent: CancelVacancy, channel: str) -> Acted:
    """CancelVacancy: `_cancel_vacancy`, for a vacancy of the actor's units only."""
    if not await _in_scope(deps, actor, intent.vacancy_id):
        return Acted(ActOutcome.NOT_ALLOWED)
    return _acted(await _cancel_vacancy(deps, intent.vacancy_id, actor.id, channel))


async def release_substitute(deps: Deps, actor: Person, intent: Release, channel: str) -> Acted:
    """Release: `_release` (keep or release), for a vacancy of the actor's units only."""
    if not await _in_scope(deps, actor, intent.vacancy_id):
        return Acted(ActOutcome.NOT_ALLOWED)
    return _acted(await _release(deps, intent.vacancy_id, intent.keep, actor.id, channel))


async def create(deps: Deps, actor: Person, intent: CreateVacancy, channel: str) -> Acted:
    """CreateVacancy: at a unit the actor coordinates (checked first, whatever the times),
    starting in the future, for a known role."""
    if intent.unit_id not in {u.id for u in await coordinator_views.units_of(deps, actor)}:
        return Acted(ActOutcome.NOT_ALLOWED)
    start, end = intent.start, intent.end
    if start is None or end is None or start <= deps.now() or intent.role not in ROLE_NAMES:
        return Acted(ActOutcome.INVALID)
    vid = await _create_vacancy(
        deps, intent.unit_id, start, end, intent.role, intent.requirements, actor.id, channel
    )
    return Acted(ActOutcome.DONE, vid)
