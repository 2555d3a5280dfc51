"""Introduction of new substitutes on a real SQLite file: the call-out's rules for people
not introduced, the checklist a first booking starts, sign-off, reminders, CSV import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.clock import FakeClock
from bot.domain import checklist as ck
from bot.domain import intents
from bot.domain.checklist_file import parse_checklist
from bot.domain.intents import FillByHand, TickChecklistItem, Widen
from bot.services import answers, callout, coordinator, introduction
from bot.services.deps import Deps
from bot.services.introduction import Outcome
from bot.texts import reason_text
from storage import audit, checklists, outbox, vacancies
from storage import tables as t
from storage.checklist_import import import_checklist
from storage.db import Database
from tests.builders import World, local, make_deps, person_of, report_absent

DATA_CSV = Path(__file__).resolve().parent.parent / "bot" / "data" / "checklist_default.csv"


@pytest.fixture
def db(any_db: Database) -> Database:
    """Every test here on SQLite, and on PostgreSQL when VIKARIE_TEST_POSTGRES_URL is set."""
    return any_db


async def _unit(db: Database) -> World:
    """Norr: Hanna is handledare and works 07–16 on Tue 1/12 and Wed 2/12, not on other days.
    Kim and Lo are substitutes new to Norr; Ida is introduced there."""
    w = World(db)
    await w.unit("norr", area="Centrum")
    await w.unit("soder", area="Söder")
    await w.staff("anna", "norr", name="Anna Absent")
    await w.staff("bert", "norr", name="Bert Borta")
    await w.person("hanna", roles=[("staff", "norr"), ("handledare", "norr")],
                   introduced=["norr"], name="Hanna Handledare")
    await w.person("sofia", roles=[("staff", "soder"), ("handledare", "soder")],
                   introduced=["soder"], name="Sofia Södersson")
    await w.person("kerstin", roles=[("coordinator", "norr")], quals=(), name="Kerstin Samordnare")
    await w.sub("kim", introduced=(), name="Kim Nilsson")
    await w.sub("lo", introduced=(), name="Lo Berg")
    await w.sub("ida", introduced=("norr",), name="Ida Intro")
    for day in ("01", "02"):
        await w.shift(f"h-{day}", "norr", "hanna", f"2026-12-{day} 07:00", f"2026-12-{day} 16:00")
    for day in ("01", "02", "03", "10", "11"):
        await w.shift(f"a-{day}", "norr", "anna", f"2026-12-{day} 07:00", f"2026-12-{day} 16:00")
    await w.shift("b-01", "norr", "bert", "2026-12-01 07:00", "2026-12-01 16:00")
    return w


async def _offered(db: Database, vid: int) -> dict[str, int]:
    async with db.read() as conn:
        return {o.person_id: o.id for o in await vacancies.offers_for(conn, vid)}


async def _sent(db: Database, person_id: str, kind: str | None = None) -> list[outbox.OutboxItem]:
    async with db.read() as conn:
        return [i for i in await outbox.all_items(conn)
                if i.person_id == person_id and (kind is None or i.kind == kind)]


async def _verdict(deps: Deps, vid: int, person_id: str) -> tuple[bool, list[str], int | None]:
    """(eligible, block texts, tier) for one person and vacancy, as the engine sees it now."""
    async with deps.db.read() as conn:
        vacancy = await vacancies.get_vacancy(conn, vid)
        assert vacancy is not None
        a = await callout.assess(conn, deps, vacancy, exclude_offered=False)
    v = next(v for v in a.verdicts if v.person.id == person_id)
    tier = next((c.tier for c in a.ranked if c.verdict.person.id == person_id), None)
    return v.eligible, [reason_text(b) for b in v.blocks], tier


async def _tick(
    deps: Deps, cid: int, item_id: int, who: str, channel: str, message_id: int | None = None
) -> introduction.IntroResult:
    """`who` ticks (or unticks) an item through the intent, as every channel does."""
    intent = TickChecklistItem(cid, item_id, message_id)
    return await introduction.tick(deps, await person_of(deps, who), intent, channel)


async def _book(deps: Deps, vid: int, who: str) -> answers.AnswerResult:
    offers = await _offered(deps.db, vid)
    return await answers.accept(deps, who, intents.Accept(offers[who]), "telegram")


async def _checklist(db: Database, person: str, unit: str) -> ck.Checklist | None:
    async with db.read() as conn:
        return await checklists.for_person_unit(conn, person, unit)


# ---------- call-out item 4: people not introduced at the unit ----------

async def test_not_introduced_is_offered_only_with_a_handledare_on_duty(db: Database) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-11-30 10:00")
    # nobody of Norr's handledare works Thu 3/12
    alone = await report_absent(deps, "anna", "a-03", "sms")
    assert set(await _offered(db, alone)) == {"ida"}
    eligible, blocks, _ = await _verdict(deps, alone, "kim")
    assert not eligible
    assert "inte introducerad på enheten (ingen handledare i tjänst)" in blocks

    with_hanna = await report_absent(deps, "anna", "a-01", "sms")
    assert {"ida", "kim", "lo"} <= set(await _offered(db, with_hanna))
    eligible, blocks, tier = await _verdict(deps, with_hanna, "kim")
    assert eligible and tier == 4  # below the introduced (2)
    assert (await _verdict(deps, with_hanna, "ida"))[2] == 2


async def test_the_offer_names_the_handledare_by_first_name(db: Database) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-11-30 10:00")
    await report_absent(deps, "anna", "a-01", "sms")
    kim = [i.message for i in await _sent(db, "kim", "offer")]
    assert len(kim) == 1
    assert "Handledare Hanna möter dig." in kim[0].text
    assert kim[0].sms is not None and "Handledare Hanna möter dig." in kim[0].sms
    assert "Handledare" not in "\n".join(m.message.text for m in await _sent(db, "ida", "offer"))
    assert "Handledaresson" not in kim[0].text and "Hanna Handledare" not in kim[0].text


async def test_never_two_under_introduction_on_overlapping_shifts(db: Database) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-11-30 10:00")
    first = await report_absent(deps, "anna", "a-01", "sms")
    assert (await _book(deps, first, "kim")).outcome == answers.Outcome.BOOKED
    # Bert's shift overlaps Kim's: Lo, also new to Norr, is no longer offered it.
    second = await report_absent(deps, "bert", "b-01", "sms")
    offered = set(await _offered(db, second))
    assert "lo" not in offered and "ida" in offered
    eligible, blocks, _ = await _verdict(deps, second, "lo")
    assert not eligible
    assert ("inte introducerad på enheten (en annan ointroducerad är redan bokad samtidigt)"
            in blocks)


async def test_an_open_offer_to_a_second_newcomer_cannot_be_accepted(db: Database) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-11-30 10:00")
    first = await report_absent(deps, "anna", "a-01", "sms")
    second = await report_absent(deps, "bert", "b-01", "sms")
    assert "lo" in await _offered(db, second)  # offered while nobody new was booked
    assert (await _book(deps, first, "kim")).outcome == answers.Outcome.BOOKED
    assert (await _book(deps, second, "lo")).outcome == answers.Outcome.NOT_ELIGIBLE
    assert (await _book(deps, second, "ida")).outcome == answers.Outcome.BOOKED


async def test_staff_from_another_unit_also_take_the_intro_slot(db: Database) -> None:
    w = await _unit(db)
    await w.person("olle", roles=[("staff", "soder")], introduced=["soder"], name="Olle Ö")
    deps = make_deps(db, "2026-11-30 10:00")
    first = await report_absent(deps, "anna", "a-01", "sms")
    kerstin = await person_of(deps, "kerstin")
    widened = await coordinator.widen_vacancy(deps, kerstin, Widen(first), "telegram")
    assert widened.outcome == coordinator.ActOutcome.DONE
    result = await coordinator.fill(deps, kerstin, FillByHand(first, "olle"), "telegram")
    assert result.outcome == coordinator.FillOutcome.BOOKED
    second = await report_absent(deps, "bert", "b-01", "sms")
    assert "kim" not in await _offered(db, second)


# ---------- a first booking starts the checklist and tells the handledare ----------

async def test_first_booking_starts_a_checklist_and_tells_the_handledare(db: Database) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-11-30 10:00")
    vid = await report_absent(deps, "anna", "a-01", "sms")
    assert await _checklist(db, "kim", "norr") is None
    assert (await _book(deps, vid, "kim")).outcome == answers.Outcome.BOOKED
    c = await _checklist(db, "kim", "norr")
    assert c is not None and c.open and c.started_at == local("2026-11-30 10:00")
    told = await _sent(db, "hanna", "intro_coming")
    assert len(told) == 1
    msg = told[0].message
    assert msg.text == ("Ny vikarie att introducera: Kim kommer tis 1/12 07:00–16:00 "
                        "(Hemtjänst Norr). Checklistan: /intro")
    assert msg.sms is not None and "Nilsson" not in msg.sms and "07:00-16:00" in msg.sms
    assert not await _sent(db, "sofia")  # Söder's handledare hears nothing
    assert len(await _sent(db, "kim", "intro_welcome")) == 1
    async with db.read() as conn:
        actions = [e.action for e in await audit.entries(conn, "checklist", c.id)]
    assert actions == ["checklist_started", "supervised_shift_booked"]


async def test_a_booking_by_hand_starts_the_checklist_too(db: Database) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-11-30 10:00")
    vid = await report_absent(deps, "anna", "a-01", "sms")
    kerstin = await person_of(deps, "kerstin")
    result = await coordinator.fill(deps, kerstin, FillByHand(vid, "kim"), "telegram")
    assert result.outcome == coordinator.FillOutcome.BOOKED
    assert await _checklist(db, "kim", "norr") is not None
    assert len(await _sent(db, "hanna", "intro_coming")) == 1


async def test_an_introduced_substitute_starts_no_checklist(db: Database) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-11-30 10:00")
    vid = await report_absent(deps, "anna", "a-01", "sms")
    assert (await _book(deps, vid, "ida")).outcome == answers.Outcome.BOOKED
    assert await _checklist(db, "ida", "norr") is None
    assert not await _sent(db, "hanna")


async def test_second_supervised_shift_is_counted_and_announced(db: Database) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-11-30 10:00")
    await _book(deps, await report_absent(deps, "anna", "a-01", "sms"), "kim")
    await _book(deps, await report_absent(deps, "anna", "a-02", "sms"), "kim")
    told = [i.message.text for i in await _sent(db, "hanna", "intro_coming")]
    assert told[1] == ("Kim (under introduktion) kommer ons 2/12 07:00–16:00 (Hemtjänst Norr): "
                       "bredvidgång 2 av 2.")
    c = await _checklist(db, "kim", "norr")
    assert c is not None
    shown = await introduction.show(deps, c.id, "hanna")
    assert shown.view is not None
    p = shown.view.progress
    assert (p.label, p.supervised_label, p.supervised_booked) == ("0/20", "0/2", 2)


# ---------- ticking, confirming, signing off ----------

async def _tick_everything(deps: Deps, cid: int) -> None:
    async with deps.db.read() as conn:
        c = await checklists.get(conn, cid)
        assert c is not None
        items = await checklists.items_of(conn, c.template_id)
    for item in items:
        r = await _tick(deps, cid, item.id, "hanna", "telegram")
        if item.kind == ck.ItemKind.NOTE:
            assert r.outcome == Outcome.NEEDS_NOTE
            noted = await introduction.take_note(deps, "hanna", f"nyckel {item.position}", "tg")
            assert noted is not None and noted.outcome == Outcome.TICKED
        else:
            assert r.outcome == Outcome.TICKED
        if item.kind == ck.ItemKind.CONFIRM:
            r = await introduction.confirm_item(deps, cid, item.id, "kim", "telegram")
            assert r.outcome == Outcome.CONFIRMED


async def test_sign_off_changes_who_gets_the_next_offer(db: Database) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-11-30 10:00")
    clock = deps.clock
    assert isinstance(clock, FakeClock)
    await _book(deps, await report_absent(deps, "anna", "a-01", "sms"), "kim")
    await _book(deps, await report_absent(deps, "anna", "a-02", "sms"), "kim")
    c = await _checklist(db, "kim", "norr")
    assert c is not None
    await _tick_everything(deps, c.id)
    early = await introduction.sign_off(deps, c.id, "hanna", "telegram")
    assert early.outcome == Outcome.NOT_READY
    assert early.blocks == (ck.SignOffBlock.SUPERVISED_MISSING,)

    clock.set(local("2026-12-02 15:30"))  # the second supervised shift is under way
    before = await report_absent(deps, "anna", "a-10", "sms")  # no handledare works Thu 10/12
    assert "kim" not in await _offered(db, before)
    signed = await introduction.sign_off(deps, c.id, "hanna", "telegram")
    assert signed.outcome == Outcome.SIGNED
    assert signed.view is not None and not signed.view.checklist.open
    told = await _sent(db, "kim", "intro_signed")
    assert [i.message.text for i in told] == ["Du är nu introducerad på Hemtjänst Norr. Välkommen!"]

    # The call-out sees it at once: Kim is eligible, in the introduced tier, no handledare named.
    eligible, _, tier = await _verdict(deps, before, "kim")
    assert eligible and tier == 2
    clock.advance(dt.timedelta(hours=1))
    await callout.tick(deps)
    assert "kim" in await _offered(db, before)
    after = await report_absent(deps, "anna", "a-11", "sms")
    assert "kim" in await _offered(db, after)
    offer_texts = [i.message.text for i in await _sent(db, "kim", "offer")]
    assert not any("Handledare" in text for text in offer_texts[-2:])
    again = await introduction.sign_off(deps, c.id, "hanna", "telegram")
    assert again.outcome == Outcome.CLOSED


async def test_only_the_units_handledare_may_tick_and_only_the_substitute_confirm(
    db: Database,
) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-11-30 10:00")
    await _book(deps, await report_absent(deps, "anna", "a-01", "sms"), "kim")
    c = await _checklist(db, "kim", "norr")
    assert c is not None
    async with db.read() as conn:
        items = {i.position: i for i in await checklists.items_of(conn, c.template_id)}
    for outsider in ("kim", "sofia", "kerstin", "ida"):
        r = await _tick(deps, c.id, items[1].id, outsider, "telegram")
        assert r.outcome == Outcome.NOT_ALLOWED, outsider
        assert (await introduction.sign_off(deps, c.id, outsider, "tg")).outcome == \
            Outcome.NOT_ALLOWED
    # Item 5 (tystnadsplikt) needs Kim's own confirmation, after Hanna's tick.
    early = await introduction.confirm_item(deps, c.id, items[5].id, "kim", "telegram")
    assert early.outcome == Outcome.NOT_READY
    await _tick(deps, c.id, items[5].id, "hanna", "telegram")
    r = await introduction.confirm_item(deps, c.id, items[5].id, "hanna", "telegram")
    assert r.outcome == Outcome.NOT_ALLOWED
    shown = await introduction.show(deps, c.id, "hanna")
    assert shown.view is not None
    assert shown.view.progress.label == "0/20"
    assert [i.position for i in shown.view.progress.awaiting_confirmation] == [5]
    r = await introduction.confirm_item(deps, c.id, items[5].id, "kim", "telegram")
    assert r.outcome == Outcome.CONFIRMED and r.view is not None
    assert r.view.progress.label == "1/20"
    # Untick: the tick and its confirmation go.
    r = await _tick(deps, c.id, items[5].id, "hanna", "telegram")
    assert r.outcome == Outcome.UNTICKED and r.view is not None
    assert r.view.progress.label == "0/20"
    assert (await introduction.show(deps, c.id, "sofia")).outcome == Outcome.NOT_ALLOWED
    assert (await introduction.show(deps, c.id, "kerstin")).outcome == Outcome.SHOWN


async def test_lists_for_handledare_substitute_and_coordinator(db: Database) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-11-30 10:00")
    await _book(deps, await report_absent(deps, "anna", "a-01", "sms"), "kim")
    assert [v.person.id for v in await introduction.open_for_handledare(deps, "hanna")] == ["kim"]
    assert await introduction.open_for_handledare(deps, "sofia") == []
    assert await introduction.open_for_handledare(deps, "kim") == []
    assert [v.unit.id for v in await introduction.own_open(deps, "kim")] == ["norr"]
    overview = await introduction.overview(deps, "kerstin")
    assert overview is not None and [v.person.id for v in overview] == ["kim"]
    assert await introduction.overview(deps, "hanna") is None
    msg = ck.overview_message(overview, "sv", deps.tz)
    assert msg.text == ("Introduktioner som pågår:\n• Hemtjänst Norr: Kim Nilsson 0/20, "
                        "bredvidgång 0/2, senast aktiv mån 30/11")


async def test_a_note_waits_for_the_next_message_only_for_a_while(db: Database) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-11-30 10:00")
    clock = deps.clock
    assert isinstance(clock, FakeClock)
    await _book(deps, await report_absent(deps, "anna", "a-01", "sms"), "kim")
    c = await _checklist(db, "kim", "norr")
    assert c is not None
    async with db.read() as conn:
        item8 = next(i for i in await checklists.items_of(conn, c.template_id) if i.position == 8)
    assert await introduction.take_note(deps, "hanna", "hej", "tg") is None  # no note asked
    r = await _tick(deps, c.id, item8.id, "hanna", "tg", 77)
    assert r.outcome == Outcome.NEEDS_NOTE
    clock.advance(dt.timedelta(hours=1))
    assert await introduction.take_note(deps, "hanna", "bricka 14", "tg") is None  # too late
    await _tick(deps, c.id, item8.id, "hanna", "tg", 77)
    r2 = await introduction.take_note(deps, "hanna", "bricka 14", "tg")
    assert r2 is not None and r2.outcome == Outcome.TICKED and r2.message_id == 77
    assert r2.view is not None and r2.view.ticks[item8.id].note == "bricka 14"
    assert "8. bricka 14" in ck.handledare_message(r2.view, "sv", deps.tz).text


# ---------- reminders ----------

async def test_remind_stale_handledare_after_7_days_then_coordinator_once(db: Database) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-12-01 10:00")
    clock = deps.clock
    assert isinstance(clock, FakeClock)
    async with db.write() as conn:
        started = await introduction.start_checklist(conn, deps, "kim", "norr")
    assert started is not None
    cid = started[0].id

    async def at(when: str) -> tuple[int, int, int]:
        clock.set(local(when))
        await introduction.remind_stale(deps)
        return (len(await _sent(db, "hanna", "intro_stale")),
                len(await _sent(db, "kerstin", "intro_stale")), 0)

    assert await at("2026-12-08 09:59") == (0, 0, 0)
    assert await at("2026-12-08 10:00") == (1, 0, 0)
    reminder = (await _sent(db, "hanna", "intro_stale"))[0].message.text
    assert reminder == ("Påminnelse: introduktionen av Kim på Hemtjänst Norr har stått still "
                        "i 7 dagar (0/20 klart). /intro")
    assert await at("2026-12-09 10:00") == (1, 0, 0)
    assert await at("2026-12-15 09:59") == (1, 0, 0)
    assert await at("2026-12-15 10:00") == (1, 1, 0)
    assert await at("2026-12-30 10:00") == (1, 1, 0)  # once per period
    # Progress starts a new period; quiet hours hold the reminder until morning.
    async with db.read() as conn:
        c = await checklists.get(conn, cid)
        assert c is not None
        item1 = (await checklists.items_of(conn, c.template_id))[0]
    clock.set(local("2026-12-30 12:00"))
    await _tick(deps, cid, item1.id, "hanna", "telegram")
    assert await at("2027-01-06 23:00") == (1, 1, 0)
    assert await at("2027-01-07 07:00") == (2, 1, 0)


async def test_signed_off_checklists_are_never_reminded(db: Database) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-12-01 10:00", supervised_shifts=0)
    async with db.write() as conn:
        started = await introduction.start_checklist(conn, deps, "kim", "norr")
    assert started is not None
    cid = started[0].id
    await _tick_everything(deps, cid)
    assert (await introduction.sign_off(deps, cid, "hanna", "telegram")).outcome == Outcome.SIGNED
    clock = deps.clock
    assert isinstance(clock, FakeClock)
    clock.set(local("2027-02-01 10:00"))
    assert await introduction.remind_stale(deps) == 0


def test_reminder_due_table() -> None:
    start = local("2026-12-01 10:00")
    day = dt.timedelta(days=1)
    h = ck.Remind.HANDLEDARE
    rows: list[tuple[ck.ReminderState | None, dt.timedelta, ck.Remind | None]] = [
        (None, 6 * day, None),
        (None, 7 * day, h),
        (ck.ReminderState(start, start + 7 * day), 13 * day, None),
        (ck.ReminderState(start, start + 7 * day), 14 * day, ck.Remind.COORDINATOR),
        (ck.ReminderState(start, start + 7 * day, start + 14 * day), 60 * day, None),
        # a state from an older period does not count
        (ck.ReminderState(start - day, start, start), 7 * day, h),
    ]
    for state, after, want in rows:
        assert ck.reminder_due(start, state, start + after) == want, (state, after)


# ---------- the default template and the CSV import ----------

async def test_default_template_is_seeded_and_equals_the_shipped_csv(db: Database) -> None:
    async with db.read() as conn:
        tid = await checklists.template_id_for(conn, None)
        assert tid is not None
        items = await checklists.items_of(conn, tid)
    assert len(items) == 20
    kinds = {i.position: i.kind for i in items}
    assert kinds[5] == kinds[6] == ck.ItemKind.CONFIRM
    assert kinds[8] == kinds[15] == ck.ItemKind.NOTE
    assert kinds[19] == kinds[20] == ck.ItemKind.TICK
    parsed = parse_checklist(DATA_CSV.read_text(encoding="utf-8"))
    assert parsed.errors == []
    assert [(r.unit_id, r.position, r.text, r.kind) for r in parsed.rows] == [
        (None, i.position, i.text, i.kind) for i in items]


async def test_the_default_checklist_migration_goes_down_and_up(db: Database) -> None:
    from alembic import command

    from storage.migrate import alembic_config, upgrade

    async with db.write() as conn:
        await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "0001"))
    assert await _template_count(db) == 0
    await upgrade(db)
    async with db.read() as conn:
        tid = await checklists.template_id_for(conn, None)
        assert tid is not None and len(await checklists.items_of(conn, tid)) == 20


def _csv(tmp_path: Path, text: str, name: str = "checklista.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def _template_count(db: Database) -> int:
    async with db.read() as conn:
        return int((await conn.execute(
            sa.select(sa.func.count()).select_from(t.checklist_templates))).scalar_one())


async def test_checklist_import_is_all_or_nothing_with_line_numbers(
    db: Database, tmp_path: Path
) -> None:
    await _unit(db)
    path = _csv(tmp_path, "unit,position,text,kind\n"
                          "norr,1,Nycklar,tick\n"
                          "norr,2,Larm,kryss\n"
                          "norr,x,Bil,\n"
                          "norr,1,Nycklar igen,note\n"
                          "vaster,1,Okänd enhet,tick\n"
                          "norr,3,,confirm\n")
    result = await import_checklist(db, path, local("2026-12-01 10:00"))
    assert not result.ok
    assert [e.message for e in result.errors] == [
        "rad 3: okänd typ 'kryss' (tillåtna: tick, note, confirm)",
        "rad 4: ogiltig position 'x' (ett heltal 1–999)",
        "rad 5: punkt 1 för enhet 'norr' finns redan på rad 2",
        "rad 6: okänd enhet 'vaster' (importera enheterna först, eller lämna unit tom för "
        "standard)",
        "rad 7: text saknas",
    ]
    assert await _template_count(db) == 1  # only the seeded default: nothing was written
    bad_header = _csv(tmp_path, "unit;position;kind\n;1;tick\n", "rubrik.csv")
    result = await import_checklist(db, bad_header, local("2026-12-01 10:00"))
    assert [e.message for e in result.errors] == ["rad 1: kolumner saknas: text"]


async def test_checklist_import_replaces_a_units_items_and_keeps_ticks(
    db: Database, tmp_path: Path
) -> None:
    await _unit(db)
    deps = make_deps(db, "2026-12-01 10:00")
    first = _csv(tmp_path, "unit;position;text;kind\n"
                           "norr;1;Nycklar och larm;tick\n"
                           "norr;2;Bil;note\n"
                           "norr;3;Tystnadsplikt;bekräfta\n")
    result = await import_checklist(db, first, deps.now())
    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 3, 0, 0)
    async with db.write() as conn:
        started = await introduction.start_checklist(conn, deps, "kim", "norr")
    assert started is not None
    c = started[0]
    async with db.read() as conn:
        items = {i.position: i for i in await checklists.items_of(conn, c.template_id)}
        assert c.template_id != await checklists.template_id_for(conn, "soder")  # Söder: default
    assert [i.kind for i in items.values()] == [ck.ItemKind.TICK, ck.ItemKind.NOTE,
                                                ck.ItemKind.CONFIRM]
    await _tick(deps, c.id, items[1].id, "hanna", "tg")
    await _tick(deps, c.id, items[3].id, "hanna", "tg")

    second = _csv(tmp_path, "unit,position,text,kind\n"
                            "norr,1,Nycklar och larm,tick\n"
                            "norr,2,\"Bil, körkort\",note\n"
                            "norr,4,Brandskydd,\n", "andra.csv")
    result = await import_checklist(db, second, deps.now())
    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 1, 1, 1)
    shown = await introduction.show(deps, c.id, "hanna")
    assert shown.view is not None
    assert [(i.position, i.text) for i in shown.view.items] == [
        (1, "Nycklar och larm"), (2, "Bil, körkort"), (4, "Brandskydd")]
    assert set(shown.view.ticks) == {items[1].id}  # the tick on item 1 stayed, 3 went
    assert shown.view.progress.label == "1/3"


async def test_checklist_import_of_the_default_template(db: Database, tmp_path: Path) -> None:
    path = _csv(tmp_path, "unit,position,text,kind\n,1,Välkommen,tick\n,2,Nycklar,note\n")
    result = await import_checklist(db, path, local("2026-12-01 10:00"))
    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    async with db.read() as conn:
        tid = await checklists.template_id_for(conn, "norr")
        assert tid is not None
        assert [i.text for i in await checklists.items_of(conn, tid)] == ["Välkommen", "Nycklar"]
        entries = await audit.entries(conn, "checklist")
    assert entries[-1].action == "import" and entries[-1].detail["removed"] == 18


def test_cli_imports_a_checklist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    monkeypatch.setenv("VIKARIE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    assert main(["import", "checklist", str(DATA_CSV)]) == 0
    assert "0 nya, 0 ändrade, 20 oförändrade" in capsys.readouterr().out
    bad = _csv(tmp_path, "unit,position,text,kind\n,0,Noll,tick\n")
    assert main(["import", "checklist", str(bad)]) == 1
    assert "rad 2: ogiltig position '0' (ett heltal 1–999)" in capsys.readouterr().err


# ---------- the pure rules ----------

def test_progress_and_sign_off_rules() -> None:
    now = local("2026-12-02 12:00")
    items = [ck.ChecklistItem(i, i, f"punkt {i}", kind) for i, kind in
             ((1, ck.ItemKind.TICK), (2, ck.ItemKind.NOTE), (3, ck.ItemKind.CONFIRM))]
    ticks = {1: ck.Tick(1, now), 3: ck.Tick(3, now)}
    shifts = [ck.SupervisedShift(1, now, local("2026-12-01 07:00"), local("2026-12-01 16:00")),
              ck.SupervisedShift(2, now, local("2026-12-03 07:00"), local("2026-12-03 16:00"))]
    p = ck.progress(items, ticks, shifts, 2, now)
    assert (p.label, p.supervised_label, p.supervised_booked) == ("1/3", "1/2", 1)
    assert [i.position for i in p.todo] == [2]
    assert [i.position for i in p.awaiting_confirmation] == [3]
    assert not p.can_sign_off
    c = ck.Checklist(1, "kim", "norr", 1, now, now)
    assert ck.sign_off_blocks(c, p) == (ck.SignOffBlock.ITEMS_LEFT,
                                        ck.SignOffBlock.SUPERVISED_MISSING)
    ticks = {1: ck.Tick(1, now), 2: ck.Tick(2, now, note="x"), 3: ck.Tick(3, now, None, None, now)}
    done = ck.progress(items, ticks, shifts, 2, local("2026-12-03 07:00"))
    assert done.label == "3/3" and done.can_sign_off and ck.sign_off_blocks(c, done) == ()
