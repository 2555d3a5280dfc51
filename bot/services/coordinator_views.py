"""What a coordinator sees, in Telegram and on the web desk alike: the reads (and the one
small write) around the use cases in `coordinator.py`. Which units a coordinator (or a group
chat) covers, a vacancy's unit, the people to choose from when filling by hand, registering
a unit's group chat, and each candidate's recent declines and cancellations (shown to
coordinators, never acted on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.eligibility import NEVER_OVERRIDDEN, Verdict
from bot.domain.messages import shift_line
from bot.domain.model import Booking, Offer, Person, Role, Shift, Unit, Vacancy
from bot.domain.response_model import ResponseEstimate
from bot.services import callout
from bot.services.deps import Deps
from bot.services.linking import may_manage
from bot.texts import reason_text, t
from storage import absences as absences_repo
from storage import audit, history, vacancies
from storage import bookings as bookings_repo
from storage import people as people_repo
from storage import shifts as shifts_repo


@dataclass(frozen=True, slots=True)
class VacancyInfo:
    vacancy: Vacancy
    shift: Shift
    unit: Unit

    def line(self, deps: Deps, lang: str) -> str:
        return shift_line(self.shift, self.unit, deps.tz, lang)


# Declines and cancellations shown next to a candidate count over this many days.
ANSWER_WINDOW_DAYS = 90


@dataclass(frozen=True, slots=True)
class Candidate:
    person_id: str
    name: str
    tier_name: str
    answers: str = ""  # "2 nej, 1 återbud senaste 90 dagarna"; empty when none of either
    reasons: tuple[str, ...] = ()  # why this rank, warnings included (as /forklara says)
    # The response model's estimate: "ja ~40 %, typisk svarstid 3 min (12 tidigare ...)".
    response: str = ""


@dataclass(frozen=True, slots=True)
class Excluded:
    """Someone the rules keep from the vacancy: a coordinator may override a soft block
    with a reason, never a hard one (`NEVER_OVERRIDDEN`)."""

    person_id: str
    name: str
    blocks: tuple[str, ...]
    overridable: bool
    answers: str = ""


@dataclass(frozen=True, slots=True)
class FillChoices:
    ranked: list[Candidate]  # in call-out order
    excluded: list[Excluded]  # overridable first, then by name


@dataclass(frozen=True, slots=True)
class VacancyHistory:
    """What happened to a vacancy, for its timeline: never who is absent or why."""

    absence_reported_at: dt.datetime | None  # None: created by hand
    absence_ended_at: dt.datetime | None  # the absent person reported well
    offers: list[Offer]
    bookings: list[Booking]
    audit: list[audit.AuditEntry]
    names: dict[str, str]  # person id -> name, for the offers, bookings and actors


async def answer_notes_in(
    conn: AsyncConnection, now: dt.datetime, person_ids: Iterable[str], lang: str = "sv"
) -> dict[str, str]:
    """Each person's declines and cancellations in the last `ANSWER_WINDOW_DAYS`, as text
    for a coordinator; people with neither are left out. Never for texts to substitutes."""
    since = now - dt.timedelta(days=ANSWER_WINDOW_DAYS)
    counts = await history.answer_counts_for(conn, person_ids, since)
    return {
        pid: t("coord_answer_counts", lang, declines=d, cancellations=c, days=ANSWER_WINDOW_DAYS)
        for pid, (d, c) in counts.items()
    }


async def answer_notes(deps: Deps, person_ids: Iterable[str], lang: str = "sv") -> dict[str, str]:
    """`answer_notes_in`, in a read transaction of its own."""
    async with deps.db.read() as conn:
        return await answer_notes_in(conn, deps.now(), person_ids, lang)


async def units_of(deps: Deps, person: Person) -> list[Unit]:
    """The units a person coordinates; an admin coordinates every unit."""
    async with deps.db.read() as conn:
        units = await people_repo.all_units(conn)
    if person.has_role(Role.ADMIN):
        return units
    mine = person.units_for(Role.COORDINATOR)
    return [u for u in units if u.id in mine]


async def units_of_chat(deps: Deps, chat_id: int) -> list[Unit]:
    """The units whose coordinator chat is this group."""
    async with deps.db.read() as conn:
        return [u for u in await people_repo.all_units(conn) if u.coordinator_chat_id == chat_id]


def coordinates(person: Person, unit_id: str) -> bool:
    """Coordinator grants are unit-bound; an admin coordinates every unit."""
    return person.has_role(Role.ADMIN) or unit_id in person.units_for(Role.COORDINATOR)


async def vacancy_info(deps: Deps, vacancy_id: int) -> VacancyInfo | None:
    async with deps.db.read() as conn:
        vacancy = await vacancies.get_vacancy(conn, vacancy_id)
        if vacancy is None:
            return None
        shift = await shifts_repo.get_shift(conn, vacancy.shift_id)
        unit = await people_repo.get_unit(conn, shift.unit_id) if shift else None
    if shift is None or unit is None:
        return None
    return VacancyInfo(vacancy, shift, unit)


async def vacancy_for(deps: Deps, person: Person, vacancy_id: int) -> VacancyInfo | None:
    """The vacancy, only if `person` coordinates its unit (else None, as if unknown)."""
    info = await vacancy_info(deps, vacancy_id)
    if info is None or not coordinates(person, info.unit.id):
        return None
    return info


async def fill_candidates(
    deps: Deps, vacancy_id: int, limit: int = 8, lang: str = "sv"
) -> list[Candidate]:
    """Eligible people in call-out order (those already asked included), with their recent
    declines and cancellations: the first choices offered when a coordinator fills by hand."""
    choices = await fill_choices(deps, vacancy_id, limit, lang, with_excluded=False)
    return choices.ranked


async def fill_choices(
    deps: Deps, vacancy_id: int, limit: int = 8, lang: str = "sv", *, with_excluded: bool = True
) -> FillChoices:
    """`fill_candidates`, with the ranking's reasons and warnings, and (`with_excluded`)
    everyone the rules keep out with every block: one judgement, as /forklara shows it."""
    async with deps.db.read() as conn:
        vacancy = await vacancies.get_vacancy(conn, vacancy_id)
        if vacancy is None:
            return FillChoices([], [])
        a = await callout.assess(conn, deps, vacancy, exclude_offered=False)
        ranked = a.ranked[:limit]
        ranked_ids = {c.verdict.person.id for c in a.ranked}
        out: dict[str, Verdict] = {}
        for v in a.verdicts if with_excluded else ():
            if not v.eligible and v.person.id not in ranked_ids:
                out.setdefault(v.person.id, v)
        ids = [c.verdict.person.id for c in ranked] + list(out)
        notes = await answer_notes_in(conn, deps.now(), ids, lang)
        estimates = await callout.response_estimates(conn, ranked, deps.now())
    candidates = [
        Candidate(c.verdict.person.id, c.verdict.person.name, c.tier_name,
                  notes.get(c.verdict.person.id, ""), c.reasons,
                  response_note(estimates[c.verdict.person.id], lang))
        for c in ranked
    ]
    excluded = [
        Excluded(v.person.id, v.person.name, tuple(reason_text(b, lang) for b in v.blocks),
                 not any(b.code in NEVER_OVERRIDDEN for b in v.blocks), notes.get(v.person.id, ""))
        for v in out.values()
    ]
    excluded.sort(key=lambda e: (not e.overridable, e.name, e.person_id))
    return FillChoices(candidates, excluded)


def response_note(e: ResponseEstimate, lang: str = "sv") -> str:
    """A candidate's chance to say yes and typical answer delay, as coordinators see it."""
    return t("coord_response_estimate", lang, yes=round(100 * e.p_yes),
             minutes=f"{e.median_minutes:.0f}", offers=e.offers)


async def vacancy_history(deps: Deps, vacancy: Vacancy) -> VacancyHistory:
    """The records a vacancy's timeline is built from (`bot.desk.views.timeline`)."""
    async with deps.db.read() as conn:
        absence = (await absences_repo.get_absence(conn, vacancy.absence_id)
                   if vacancy.absence_id is not None else None)
        offers = await vacancies.offers_for(conn, vacancy.id)
        bookings = await bookings_repo.bookings_for(conn, vacancy.id)
        entries = await audit.entries(conn, "vacancy", vacancy.id)
        ids = ({o.person_id for o in offers} | {b.person_id for b in bookings}
               | {b.by_person_id for b in bookings if b.by_person_id} | {e.actor for e in entries})
        people = await people_repo.get_people(conn, ids)
    return VacancyHistory(
        absence.reported_at if absence else None,
        absence.ended_at if absence else None,
        offers,
        bookings,
        entries,
        {pid: p.name for pid, p in people.items()},
    )


async def find_people(deps: Deps, by: Person, query: str, limit: int = 8) -> list[Person]:
    """Substitutes and staff the coordinator may book, by exact id or part of the name."""
    needle = query.strip().casefold()
    if not needle:
        return []
    async with deps.db.read() as conn:
        pool = await people_repo.candidate_pool(conn, include_staff=True)
    pool = [p for p in pool if may_manage(by, p)]
    exact = [p for p in pool if p.id.casefold() == needle]
    if exact:
        return exact
    return [p for p in pool if needle in p.name.casefold()][:limit]


async def register_group(deps: Deps, by: Person, unit_id: str, chat_id: int) -> Unit | None:
    """Make a group the unit's coordinator chat; None if `by` does not coordinate the unit."""
    if not coordinates(by, unit_id):
        return None
    now = deps.now()
    async with deps.db.write() as conn:
        unit = await people_repo.get_unit(conn, unit_id)
        if unit is None:
            return None
        await people_repo.set_coordinator_chat(conn, unit_id, chat_id)
        await audit.record(
            conn, now, by.id, "coordinator_chat_set", "unit", unit_id, "telegram", chat=chat_id
        )
    return unit
