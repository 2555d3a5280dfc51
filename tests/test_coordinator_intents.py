"""The coordinator intents check the actor's scope in the service, not in the channel:
a coordinator of another unit, a substitute or the unit's handledare gets NOT_ALLOWED and
nothing changes; one of the vacancy's unit gets the use case. Telegram and the web desk
only render these outcomes. The intents are the only way in (the functions by id are
private), so no caller can skip the check."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from bot.domain.intents import (
    CancelVacancy,
    CreateVacancy,
    FillByHand,
    Release,
    TickChecklistItem,
    Widen,
)
from bot.domain.model import OfferState, Person, VacancyStatus
from bot.services import coordinator, introduction
from bot.services.coordinator import ActOutcome, FillOutcome
from bot.services.deps import Deps
from storage import checklists, outbox, vacancies
from storage import people as people_repo
from storage import tables as t
from storage.db import Database
from tests.builders import World, local, make_deps, person_of, report_absent


async def _world(db: Database) -> None:
    w = World(db)
    await w.unit("norr")
    await w.unit("soder")
    await w.staff("anna", "norr", name="Anna Absent")
    await w.person("kerstin", roles=[("coordinator", "norr")], quals=(), name="Kerstin")
    await w.person("sune", roles=[("coordinator", "soder")], quals=(), name="Sune")
    await w.sub("ida", introduced=("norr",), name="Ida Intro")
    await w.shift("a-01", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.staff("bert", "norr", name="Bert Borta")
    await w.person("hanna", roles=[("handledare", "norr")], introduced=["norr"], name="Hanna")
    await w.sub("lo", introduced=("norr",), name="Lo Ledig")
    await w.sub("nils", introduced=(), name="Nils Ny")
    await w.shift("b-01", "norr", "bert", "2026-12-01 07:00", "2026-12-01 16:00")


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


async def _snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: a refused intent must leave all of them as they were
    (vacancies, offers, bookings, shifts, checklists and ticks, outbox, audit)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with db.read() as conn:
        for table in t.metadata.sorted_tables:
            rows = (await conn.execute(sa.select(table))).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


async def _scene(deps: Deps) -> tuple[int, int, int, int]:
    """A searching vacancy (Anna's), a filled one (Bert's, Ida booked by Kerstin), and
    Nils's checklist at Norr with its first item: (searching, filled, checklist, item)."""
    searching = await report_absent(deps, "anna", "a-01", "sms")
    filled = await report_absent(deps, "bert", "b-01", "sms")
    kerstin = await _person(deps, "kerstin")
    booked = await coordinator.fill(deps, kerstin, FillByHand(filled, "ida"), "web")
    assert booked.outcome == FillOutcome.BOOKED
    async with deps.db.write() as conn:
        started = await introduction.start_checklist(conn, deps, "nils", "norr")
        assert started is not None
        c = started[0]
        item = (await checklists.items_of(conn, c.template_id))[0]
    return searching, filled, c.id, item.id


@pytest.mark.parametrize(
    "who",
    [
        "sune",  # a coordinator, of another unit
        "ida",  # a substitute (and the one booked on the filled vacancy)
        "hanna",  # the unit's handledare: supervises introductions, coordinates nothing
    ],
)
async def test_every_coordinator_intent_refuses_an_outsider_and_changes_nothing(
    db: Database, who: str
) -> None:
    await _world(db)
    deps = make_deps(db, "2026-11-30 10:00")
    searching, filled, _, _ = await _scene(deps)
    actor = await _person(deps, who)
    before = await _snapshot(db)
    start, end = local("2026-12-02 07:00"), local("2026-12-02 16:00")
    for override in (None, "ingen annan"):
        fill = await coordinator.fill(deps, actor, FillByHand(searching, "lo", override), "web")
        assert fill == coordinator.FillResult(FillOutcome.NOT_ALLOWED), who
    for acted in (
        await coordinator.widen_vacancy(deps, actor, Widen(searching), "telegram"),
        await coordinator.cancel(deps, actor, CancelVacancy(searching), "telegram"),
        await coordinator.release_substitute(deps, actor, Release(filled, keep=False), "web"),
        await coordinator.release_substitute(deps, actor, Release(filled, keep=True), "web"),
        await coordinator.create(deps, actor, CreateVacancy("norr", start, end, "usk"), "web"),
    ):
        assert acted == coordinator.Acted(ActOutcome.NOT_ALLOWED), who
    assert await _snapshot(db) == before
    assert await _status(deps, searching) == VacancyStatus.SEARCHING
    assert await _status(deps, filled) == VacancyStatus.FILLED


@pytest.mark.parametrize("who", ["sune", "kerstin", "ida", "nils"])
async def test_ticking_refuses_all_but_the_units_handledare_and_changes_nothing(
    db: Database, who: str
) -> None:
    """A coordinator (of another unit or of the unit), a substitute, or the newcomer
    themself: only a handledare of the unit ticks the checklist."""
    await _world(db)
    deps = make_deps(db, "2026-11-30 10:00")
    _, _, cid, item_id = await _scene(deps)
    before = await _snapshot(db)
    intent = TickChecklistItem(cid, item_id)
    refused = await introduction.tick(deps, await _person(deps, who), intent, "telegram")
    assert refused.outcome == introduction.Outcome.NOT_ALLOWED, who
    assert await _snapshot(db) == before
    hanna = await _person(deps, "hanna")
    ticked = await introduction.tick(deps, hanna, intent, "telegram")
    assert ticked.outcome == introduction.Outcome.TICKED


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db


async def test_filling_by_hand_someone_already_asked_ends_with_booked(db: Database) -> None:
    """Ida holds an open offer when the coordinator books her by hand: her offer closes as
    withdrawn (not her answer), the confirmation replaces it, and she is never told
    "taken" about her own shift."""
    w = World(db)
    await w.unit("norr")
    await w.staff("anna", "norr", name="Anna Absent")
    await w.person("kerstin", roles=[("coordinator", "norr")], quals=(), name="Kerstin")
    await w.sub("ida", introduced=("norr",), name="Ida Intro")
    await w.sub("ola", introduced=("norr",), name="Ola Other")
    await w.shift("a-01", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    deps = make_deps(db, "2026-11-30 10:00")
    vid = await report_absent(deps, "anna", "a-01", "sms")
    async with db.read() as conn:
        asked = {o.person_id: o for o in await vacancies.offers_for(conn, vid)}
    assert set(asked) == {"ida", "ola"}
    kerstin = await person_of(deps, "kerstin")
    result = await coordinator.fill(deps, kerstin, FillByHand(vid, "ida"), "web")
    assert result.outcome == coordinator.FillOutcome.BOOKED
    async with db.read() as conn:
        after = {o.person_id: o for o in await vacancies.offers_for(conn, vid)}
        items = await outbox.all_items(conn)
    sent = [(i.person_id, i.kind, i.message.edit_offer_id) for i in items]
    assert after["ida"].state == OfferState.WITHDRAWN and after["ida"].answer_channel is None
    assert after["ola"].state == OfferState.TAKEN
    # (a redraw of a bundled offer is queued too: skipped, as this offer went alone)
    ida = [(kind, edit) for pid, kind, edit in sent if pid == "ida" and kind != "offer_redraw"]
    assert ida[-1] == ("booked", asked["ida"].id)
    assert "taken" not in [kind for kind, _ in ida]
    assert ("ola", "taken", asked["ola"].id) in sent
