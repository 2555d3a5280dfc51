"""Reads and small writes a coordinator's chat needs around the use cases in
`coordinator.py`: which units a coordinator (or a group chat) covers, a vacancy's unit,
the people to choose from when filling by hand, registering a unit's group chat.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.messages import shift_line
from bot.domain.model import Person, Role, Shift, Unit, Vacancy
from bot.services import callout as engine
from bot.services.deps import Deps
from bot.services.linking import may_manage
from storage import audit, callout
from storage import people as people_repo


@dataclass(frozen=True, slots=True)
class VacancyInfo:
    vacancy: Vacancy
    shift: Shift
    unit: Unit

    def line(self, deps: Deps, lang: str) -> str:
        return shift_line(self.shift, self.unit, deps.tz, lang)


@dataclass(frozen=True, slots=True)
class Candidate:
    person_id: str
    name: str
    tier_name: str


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
        vacancy = await callout.get_vacancy(conn, vacancy_id)
        if vacancy is None:
            return None
        shift = await callout.get_shift(conn, vacancy.shift_id)
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


async def fill_candidates(deps: Deps, vacancy_id: int, limit: int = 8) -> list[Candidate]:
    """Eligible people in call-out order (those already asked included): the first choices
    offered when a coordinator fills by hand."""
    async with deps.db.read() as conn:
        vacancy = await callout.get_vacancy(conn, vacancy_id)
        if vacancy is None:
            return []
        a = await engine.assess(conn, deps, vacancy, exclude_offered=False)
    return [
        Candidate(c.verdict.person.id, c.verdict.person.name, c.tier_name) for c in a.ranked[:limit]
    ]


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
