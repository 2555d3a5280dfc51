"""The coordinator intents check the actor's scope in the service, not in the channel:
a coordinator of another unit gets NOT_ALLOWED and nothing changes; one of the vacancy's
unit gets the use case. Telegram and the web desk only render these outcomes."""

from __future__ import annotations

import pytest

from bot.domain.intents import (
    CancelVacancy,
    CreateVacancy,
    FillByHand,
    Release,
    Widen,
)
from bot.domain.model import Person, VacancyStatus
from bot.services import coordinator
from bot.services.coordinator import ActOutcome, FillOutcome
from bot.services.deps import Deps
from storage import people as people_repo
from storage import vacancies
from storage.db import Database
from tests.builders import World, local, make_deps, report_absent


async def _world(db: Database) -> None:
    w = World(db)
    await w.unit("norr")
    await w.unit("soder")
    await w.staff("anna", "norr", name="Anna Absent")
    await w.person("kerstin", roles=[("coordinator", "norr")], quals=(), name="Kerstin")
    await w.person("sune", roles=[("coordinator", "soder")], quals=(), name="Sune")
    await w.sub("ida", introduced=("norr",), name="Ida Intro")
    await w.shift("a-01", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")


async def _person(deps: Deps, person_id: str) -> Person:
    async with deps.db.read() as conn:
        person = await people_repo.get_person(conn, person_id)
    assert person is not None
    return person


async def _status(deps: Deps, vid: int) -> VacancyStatus:
    async with deps.db.read() as conn:
        vacancy = await vacancies.get_vacancy(conn, vid)
    assert vacancy is not None
    return VacancyStatus(vacancy.status)


async def test_another_units_coordinator_is_not_allowed_and_nothing_changes(db: Database) -> None:
    await _world(db)
    deps = make_deps(db, "2026-11-30 10:00")
    vid = await report_absent(deps, "anna", "a-01", "sms")
    sune = await _person(deps, "sune")
    fill = await coordinator.fill(deps, sune, FillByHand(vid, "ida"), "web")
    assert fill.outcome == FillOutcome.NOT_ALLOWED
    for acted in (
        await coordinator.widen_vacancy(deps, sune, Widen(vid), "telegram"),
        await coordinator.cancel(deps, sune, CancelVacancy(vid), "telegram"),
        await coordinator.release_substitute(deps, sune, Release(vid, keep=False), "web"),
    ):
        assert acted.outcome == ActOutcome.NOT_ALLOWED
    assert await _status(deps, vid) == VacancyStatus.SEARCHING
    start, end = local("2026-12-02 07:00"), local("2026-12-02 16:00")
    made = await coordinator.create(deps, sune, CreateVacancy("norr", start, end, "usk"), "web")
    assert made == coordinator.Acted(ActOutcome.NOT_ALLOWED)
    # Not allowed comes first, whatever else is wrong with the request.
    bad = await coordinator.create(deps, sune, CreateVacancy("norr", None, None, "?"), "web")
    assert bad.outcome == ActOutcome.NOT_ALLOWED
    unknown = await coordinator.widen_vacancy(deps, sune, Widen(vid + 1000), "web")
    assert unknown.outcome == ActOutcome.NOT_ALLOWED  # unknown and not allowed look alike


async def test_the_units_coordinator_acts(db: Database) -> None:
    await _world(db)
    deps = make_deps(db, "2026-11-30 10:00")
    vid = await report_absent(deps, "anna", "a-01", "sms")
    kerstin = await _person(deps, "kerstin")
    widened = await coordinator.widen_vacancy(deps, kerstin, Widen(vid), "telegram")
    assert widened.outcome == ActOutcome.DONE
    fill = await coordinator.fill(deps, kerstin, FillByHand(vid, "ida"), "web")
    assert fill.outcome == FillOutcome.BOOKED and fill.booking_id is not None
    again = await coordinator.cancel(deps, kerstin, CancelVacancy(vid), "web")
    assert again.outcome == ActOutcome.REFUSED  # filled: no longer searching
    start, end = local("2026-12-02 07:00"), local("2026-12-02 16:00")
    made = await coordinator.create(deps, kerstin, CreateVacancy("norr", start, end, "usk"), "web")
    assert made.outcome == ActOutcome.DONE and made.vacancy_id is not None
    past = CreateVacancy("norr", local("2026-11-30 07:00"), local("2026-11-30 16:00"), "usk")
    assert (await coordinator.create(deps, kerstin, past, "web")).outcome == ActOutcome.INVALID


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db
