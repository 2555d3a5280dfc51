"""Staff report absence (frånvaroanmälan) and report well again (friskanmälan)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import callbacks as cb
from bot.domain.intents import ReportAbsence
from bot.domain.messages import shift_line, simple
from bot.domain.model import AbsenceCategory, OfferState, Person, Role, Shift, VacancyStatus
from bot.domain.outgoing import Button, OutMessage
from bot.services import bookings, callout
from bot.services.deps import Deps, send_to_coordinators, send_to_person
from bot.texts import day_label, hhmm, shift_times, t, tn
from storage import absences as absences_repo
from storage import audit, vacancies
from storage import bookings as bookings_repo
from storage import people as people_repo
from storage import shifts as shifts_repo


class AbsenceError(ValueError):
    """The report cannot be taken as given (unknown person, not their shift, ...)."""


log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AbsenceReceipt:
    absence_id: int | None
    shifts: list[Shift]  # every shift the report covers
    new_vacancy_ids: list[int]  # empty when the same report came before
    text: str  # the receipt to show the person


@dataclass(frozen=True, slots=True)
class WellReceipt:
    cancelled_vacancy_ids: list[int] = field(default_factory=list)
    kept_for_coordinator: list[int] = field(default_factory=list)  # booked: coordinator decides
    text: str = ""


async def upcoming_shifts(deps: Deps, person_id: str, days: int = 7) -> list[Shift]:
    """A person's own shifts from now on, soonest first (the absence picker)."""
    now = deps.now()
    async with deps.db.read() as conn:
        return await shifts_repo.shifts_of(
            conn, person_id, now - dt.timedelta(hours=12), now + dt.timedelta(days=days)
        )


WHOLE_DAY_OFFSETS = (0, 1)  # with no own shift then, today and tomorrow can be reported whole


@dataclass(frozen=True, slots=True)
class AbsenceChoices:
    """What an absence report can cover (the Telegram picker): the own shifts not yet over,
    soonest first, and the days among today and tomorrow without one (a whole-day report)."""

    shifts: list[Shift]
    whole_days: list[dt.date]


async def absence_choices(deps: Deps, person_id: str, max_shifts: int) -> AbsenceChoices:
    """The shifts and whole days a person may report absent, at most `max_shifts` shifts."""
    now = deps.now()
    shifts = [
        s for s in await upcoming_shifts(deps, person_id) if s.ends_at > now and not s.cancelled
    ][:max_shifts]
    today = now.astimezone(deps.tz).date()
    shift_days = {s.starts_at.astimezone(deps.tz).date() for s in shifts}
    days = [today + dt.timedelta(days=offset) for offset in WHOLE_DAY_OFFSETS]
    return AbsenceChoices(shifts, [d for d in days if d not in shift_days])


def whole_day(deps: Deps, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local day `day` as a period (midnight to midnight, daylight saving included)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=deps.tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=deps.tz)
    return start, end


SICK_LOOKAHEAD_DAYS = 14  # "SJUK" with no day and no shift today: the next shift this far


async def shifts_covered(deps: Deps, person_id: str, day: dt.date | None) -> list[Shift]:
    """The own shifts a sick report for `day` covers, in every channel: the shifts
    starting that local day that have not ended; with no day, today's not yet over (a
    running night shift too), else the next one within SICK_LOOKAHEAD_DAYS."""
    now = deps.now()
    if day is not None:
        start, end = whole_day(deps, day)
        async with deps.db.read() as conn:
            own = await shifts_repo.shifts_of(conn, person_id, start, end)
        return [s for s in own if s.ends_at > now]
    tomorrow = now.astimezone(deps.tz).date() + dt.timedelta(days=1)
    end_of_today = dt.datetime.combine(tomorrow, dt.time(0), tzinfo=deps.tz)
    async with deps.db.read() as conn:
        own = await shifts_repo.shifts_of(
            conn,
            person_id,
            now - dt.timedelta(days=1),
            now + dt.timedelta(days=SICK_LOOKAHEAD_DAYS),
        )
    live = [s for s in own if s.ends_at > now]
    return [s for s in live if s.starts_at < end_of_today] or live[:1]


@dataclass(frozen=True, slots=True)
class SickOutcome:
    """What a sick report without picked shifts (SJUK [day]) did: an absence with its
    receipt, or (no own shift) the bookings given up, or nothing to report."""

    receipt: AbsenceReceipt | None = None
    given_up: list[Shift] = field(default_factory=list)


async def report_sick(deps: Deps, person: Person, intent: ReportAbsence, via: str) -> SickOutcome:
    """A sick report by day (or today / the next shift). Someone with no scheduled shift
    then is a substitute: sick means giving up their bookings (that day's, or today's
    and else the next), each through the one cancel use case."""
    shifts = await shifts_covered(deps, person.id, intent.day)
    if shifts:
        receipt = await report_absence(
            deps,
            person.id,
            intent.category or AbsenceCategory.SJUK,
            via,
            shift_ids=[s.id for s in shifts],
        )
        return SickOutcome(receipt=receipt)
    covered = await bookings.covered_by_sick_report(deps, person.id, intent.day)
    given_up = await bookings.give_up_each(deps, person, [v.booking.id for v in covered], via)
    return SickOutcome(given_up=given_up)


async def report_absence(
    deps: Deps,
    person_id: str,
    category: AbsenceCategory,
    channel: str,
    *,
    shift_ids: list[str] | None = None,
    period: tuple[dt.datetime, dt.datetime] | None = None,
) -> AbsenceReceipt:
    """Record an absence and open one vacancy per covered shift, in one transaction.

    Idempotent: shifts that already have a live vacancy are left as they are, so the same
    report twice creates nothing new. The first wave is computed straight after.
    """
    now = deps.now()
    async with deps.db.write() as conn:
        person = await people_repo.get_person(conn, person_id)
        if person is None:
            raise AbsenceError(f"okänd person {person_id}")
        shifts: list[Shift] = []
        if shift_ids:
            for sid in shift_ids:
                shift = await shifts_repo.get_shift(conn, sid)
                if shift is None or shift.person_id != person_id:
                    raise AbsenceError(f"passet {sid} är inte ditt")
                if shift.ends_at > now and not shift.cancelled:
                    shifts.append(shift)
        elif period is not None:
            shifts = [
                s
                for s in await shifts_repo.shifts_of(conn, person_id, period[0], period[1])
                if s.ends_at > now
            ]
        else:
            raise AbsenceError("ange pass eller period")
        # Going home sick mid-shift: what is left of the shift is searched for.
        shifts = [r for s in shifts if (r := await _rest_of_shift(conn, s, now)) is not None]
        shifts.sort(key=lambda s: s.starts_at)
        todo: list[Shift] = []
        reopen: dict[str, int] = {}
        for s in shifts:
            existing = await vacancies.vacancy_for_shift(conn, s.id)
            if existing is None:
                todo.append(s)
            elif existing.status == VacancyStatus.CANCELLED:
                todo.append(s)
                reopen[s.id] = existing.id
        if not todo and shifts:  # the same report again: nothing new
            return AbsenceReceipt(
                None, shifts, [], _receipt_text(deps, person.language, shifts, channel)
            )
        start = todo[0].starts_at if todo else (period[0] if period else now)
        end = max(s.ends_at for s in todo) if todo else (period[1] if period else now)
        absence_id = await absences_repo.insert_absence(
            conn, person_id, category, start, end, channel, now
        )
        await audit.record(
            conn,
            now,
            person_id,
            "absence_reported",
            "absence",
            absence_id,
            channel,
            shifts=[s.id for s in todo],  # the category stays in `absences`: health data
        )
        new_ids: list[int] = []
        for s in todo:
            if s.id in reopen:
                vid = reopen[s.id]
                await vacancies.update_vacancy(
                    conn,
                    vid,
                    now,
                    status="searching",
                    absence_id=absence_id,
                    next_due_at=now,
                    escalated_at=None,
                )
            else:
                vid = await vacancies.insert_vacancy(conn, s.id, absence_id, now)
            new_ids.append(vid)
            await audit.record(
                conn, now, person_id, "vacancy_opened", "vacancy", vid, channel, shift=s.id
            )
        if not shifts:
            await _tell_coordinator_no_shift(deps, conn, person_id, start, end)
        text = _receipt_text(deps, person.language, shifts, channel)
    # The first wave straight away, each vacancy in its own short transaction.
    for vid in new_ids:
        try:
            async with deps.db.write() as conn:
                await callout.advance(conn, deps, vid)
        except Exception:  # the report stands; the vacancy is due, so the tick sends it
            log.exception("first wave for vacancy %s failed; the tick will retry it", vid)
    deps.kick()
    return AbsenceReceipt(absence_id, shifts, new_ids, text)


WELL_HORIZON = dt.timedelta(hours=24)  # "frisk" ends absences starting before this
REST_OF_SHIFT_LEAD = dt.timedelta(minutes=30)  # time for a substitute to get there
REST_OF_SHIFT_MIN = dt.timedelta(hours=1)  # shorter than this: the coordinator decides


async def _rest_of_shift(conn: AsyncConnection, shift: Shift, now: dt.datetime) -> Shift | None:
    """The shift itself if it has not started; else an open shift for what is left of it
    (from half an hour from now, on the quarter), or None when too little is left."""
    if shift.starts_at > now:
        return shift
    rest_id = f"{shift.id}~rest"
    existing = await shifts_repo.get_shift(conn, rest_id)
    if existing is not None:
        return existing
    start = now + REST_OF_SHIFT_LEAD
    start = start.replace(second=0, microsecond=0) + dt.timedelta(minutes=-start.minute % 15)
    if shift.ends_at - start < REST_OF_SHIFT_MIN:
        return None
    rest = Shift(
        id=rest_id,
        unit_id=shift.unit_id,
        starts_at=start,
        ends_at=shift.ends_at,
        role=shift.role,
        requirements=shift.requirements,
    )
    await shifts_repo.insert_shift(conn, rest)
    return rest


def _receipt_text(deps: Deps, lang: str, shifts: list[Shift], channel: str) -> str:
    if not shifts:
        return t("absence_no_shifts", lang)
    tz = deps.tz
    lines = [
        f"{day_label(s.starts_at, tz, lang)} {hhmm(s.starts_at, tz)}-{hhmm(s.ends_at, tz)}"
        for s in shifts
    ]
    if channel == "sms":
        return t("absence_receipt_sms", lang, shifts=", ".join(lines))
    return t("absence_receipt", lang, shifts="\n".join(f"• {x}" for x in lines))


async def _tell_coordinator_no_shift(
    deps: Deps,
    conn: AsyncConnection,
    person_id: str,
    start: dt.datetime,
    end: dt.datetime,
) -> None:
    person = await people_repo.get_person(conn, person_id)
    assert person is not None
    lang = deps.settings.language
    tz = deps.tz
    period = (
        f"{day_label(start, tz, lang)} {hhmm(start, tz)}–{day_label(end, tz, lang)} {hhmm(end, tz)}"
    )
    text = t(
        "coord_absence_no_shift",
        lang,
        person=person.name,
        period=period,
    )
    for unit_id in sorted(person.units_for(Role.STAFF)):
        unit = await people_repo.get_unit(conn, unit_id)
        if unit:
            await send_to_coordinators(conn, unit, OutMessage("absence_no_shift", text), deps.now())


async def report_well(deps: Deps, person_id: str, channel: str) -> WellReceipt:
    """End the person's open absences: open vacancies are cancelled and their offers
    withdrawn (the people offered are told); booked ones go to the coordinator."""
    now = deps.now()
    cancelled: list[int] = []
    kept: list[int] = []
    pending: list[str] = []
    async with deps.db.write() as conn:
        person = await people_repo.get_person(conn, person_id)
        if person is None:
            raise AbsenceError(f"okänd person {person_id}")
        # "Frisk igen" is about now: a VAB day already reported for next week stays.
        absences = [
            a
            for a in await absences_repo.open_absences(conn, person_id, now)
            if a.starts_at <= now + WELL_HORIZON
        ]
        lang = person.language
        if not absences:
            return WellReceipt(text=t("well_nothing", lang))
        for absence in absences:
            await absences_repo.end_absence(conn, absence.id, now)
            await audit.record(
                conn, now, person_id, "reported_well", "absence", absence.id, channel
            )
        absence_ids = {a.id for a in absences}
        lo = min(a.starts_at for a in absences) - dt.timedelta(days=1)
        hi = max(a.ends_at for a in absences) + dt.timedelta(days=1)
        for vacancy, shift in await vacancies.vacancies_in(conn, lo, hi):
            if vacancy.absence_id not in absence_ids or shift.ends_at <= now:
                continue
            unit = await people_repo.get_unit(conn, shift.unit_id)
            assert unit is not None
            if vacancy.status == VacancyStatus.SEARCHING:
                clash = await _clashing_booking(conn, deps, person_id, shift)
                if clash is not None:
                    # Booked elsewhere meanwhile: taking the shift back would break the rest
                    # rule or double-book. The search goes on; the person is told why.
                    pending.append(
                        t(
                            "well_clash",
                            lang,
                            **shift_times(shift.starts_at, shift.ends_at, deps.tz, lang),
                        )
                    )
                    continue
                await cancel_vacancy_in(conn, deps, vacancy.id, person_id, channel)
                cancelled.append(vacancy.id)
            elif vacancy.status == VacancyStatus.FILLED:
                booking = await bookings_repo.live_booking(conn, vacancy.id)
                assert booking is not None
                sub = await people_repo.get_person(conn, booking.person_id)
                clang = deps.settings.language
                text = t(
                    "coord_well_booked",
                    clang,
                    person=person.name,
                    sub=sub.name if sub else "?",
                    unit=unit.name,
                    **shift_times(shift.starts_at, shift.ends_at, deps.tz, clang),
                )
                buttons = (
                    (
                        Button(t("btn_keep", clang), cb.encode(cb.RELEASE, "k", vacancy.id)),
                        Button(t("btn_release", clang), cb.encode(cb.RELEASE, "r", vacancy.id)),
                    ),
                )
                await send_to_coordinators(
                    conn, unit, OutMessage("well_booked", text, None, buttons), now
                )
                kept.append(vacancy.id)
                pending.append(
                    t(
                        "well_booked_pending",
                        lang,
                        **shift_times(shift.starts_at, shift.ends_at, deps.tz, lang),
                    )
                )
    deps.kick()
    ended = len(cancelled) + len(kept)
    text = tn("well_receipt", ended, lang, count=ended)
    for line in pending:
        text += "\n" + line
    return WellReceipt(cancelled, kept, text)


async def _clashing_booking(
    conn: AsyncConnection, deps: Deps, person_id: str, shift: Shift
) -> Shift | None:
    """A live booking of the person that overlaps the shift or leaves too little rest."""
    rest = dt.timedelta(hours=deps.rules.rest_daily_hours)
    for _, booked in await bookings_repo.bookings_of(conn, person_id, shift.starts_at - rest * 2):
        if booked.starts_at < shift.ends_at + rest and shift.starts_at < booked.ends_at + rest:
            return booked
    return None


async def cancel_vacancy_in(
    conn: AsyncConnection, deps: Deps, vacancy_id: int, actor: str, channel: str
) -> bool:
    """Cancel a searching vacancy and withdraw its open offers, telling each person offered."""
    now = deps.now()
    ok = await vacancies.update_vacancy(
        conn,
        vacancy_id,
        now,
        expect_status=VacancyStatus.SEARCHING,
        status=VacancyStatus.CANCELLED.value,
        next_due_at=None,
    )
    if not ok:
        return False
    vacancy = await vacancies.get_vacancy(conn, vacancy_id)
    assert vacancy is not None
    shift = await shifts_repo.get_shift(conn, vacancy.shift_id)
    assert shift is not None
    unit = await people_repo.get_unit(conn, shift.unit_id)
    assert unit is not None
    withdrawn = await vacancies.close_open_offers(conn, vacancy_id, OfferState.WITHDRAWN, now)
    people = await people_repo.get_people(conn, [o.person_id for o in withdrawn])
    for offer in withdrawn:
        p = people[offer.person_id]
        await send_to_person(
            conn, p, simple("withdrawn", shift, unit, p, deps.tz, edit_offer_id=offer.id), now
        )
    await audit.record(
        conn,
        now,
        actor,
        "vacancy_cancelled",
        "vacancy",
        vacancy_id,
        channel,
        withdrawn=len(withdrawn),
        shift=shift_line(shift, unit, deps.tz),
    )
    return True
