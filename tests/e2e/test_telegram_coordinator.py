"""Coordinators over Telegram: escalations, filling by hand with an override reason, the unit's
group chat, widening and cancelling, /nytt, /forklara, and the limits of their scope."""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa

from bot.domain.model import AbsenceCategory
from bot.fakes.telegram_server import SentMessage
from bot.services import absence, callout
from storage import kv
from storage import people as people_repo
from storage import tables as t
from tests.builders import World, local
from tests.e2e.conftest import Harness, Launch, press

GROUP = -100555


async def world(w: World) -> None:
    await w.unit("norr")
    await w.unit("soder")
    await w.staff("anna", "norr", name="Anna Andersson")
    await w.staff("olle", "soder", name="Olle Olsson")
    await w.person("kim", roles=[("coordinator", "norr")], quals=(), name="Kim Samordnare")
    await w.sub("sub1", name="Sara Vikarie")
    await w.sub("bo", name="Bo Pausad")
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("s-soder", "soder", "olle", "2026-12-01 07:00", "2026-12-01 16:00")
    async with w.db.write() as conn:  # Bo has paused his offers over Christmas
        await people_repo.update_person(conn, "bo", paused_until=local("2026-12-27 00:00"))


async def sick(h: Harness, who: str = "anna", shift: str = "s-day") -> int:
    receipt = await absence.report_absence(h.deps, who, AbsenceCategory.SJUK, "telegram",
                                           shift_ids=[shift])
    return receipt.new_vacancy_ids[0]


async def test_escalation_then_fill_by_hand_with_an_override_reason(launch: Launch) -> None:
    h = await launch(world)
    await h.hello("kim", "sub1", "bo")
    vid = await sick(h)
    await h.dialog([("sub1", press("Nej tack"), "Tack för svaret!")])
    await callout.tick(h.deps)  # nobody left: the coordinator is alerted
    alert = await h.message_with(
        "kim", "⚠️ Ej tillsatt: Hemtjänst Norr tis 1/12 07:00–16:00 (undersköterska), vakans #1"
    )
    assert "Tillfrågade 1, nej 1" in (alert.text or "")
    # Sara's decline is shown to the coordinator next to her name (and nothing next to
    # anyone without one), both in the explanation and in the list to fill from.
    explained = await h.step("kim", f"/forklara {vid}", "Sara Vikarie (sub1)")
    assert isinstance(explained, SentMessage) and explained.text is not None
    (sara,) = [x for x in explained.text.splitlines() if "(sub1)" in x]
    assert sara.endswith(" · 1 nej, 0 återbud senaste 90 dagarna")
    assert explained.text.count("senaste 90 dagarna") == 1
    pick = await h.step("kim", press("Tillsätt manuellt"), f"Vem ska ta vakans #{vid}")
    assert isinstance(pick, SentMessage)
    assert [b["text"] for b in pick.buttons] == [
        "Sara Vikarie (vikarie introducerad på enheten)",
        "Avbryt",
    ]  # short enough for a phone; the figures are in the message above the buttons
    # Her estimated chance of a yes and typical answer delay first (svarsmodell).
    last = (pick.text or "").splitlines()[-1]
    assert last.startswith("• Sara Vikarie (vikarie introducerad på enheten): ja ~")
    assert "typisk svarstid" in last
    assert last.endswith(" · 1 nej, 0 återbud senaste 90 dagarna")
    await h.dialog([
        ("kim", "bo", "Bo Pausad kan inte tas utan undantag:\n• pausad till"),
        ("kim", "ok", "Skriv en motivering"),
        ("kim", "Bo lovade i telefon kl 06", f"✓ Tillsatt: Bo Pausad på vakans #{vid} "
                                             "(undantag: Bo lovade i telefon kl 06)."),
    ])
    await h.message_with("bo", "Bokat! Du har passet:\nHemtjänst Norr")
    async with h.deps.db.read() as conn:
        row = (await conn.execute(sa.select(t.bookings))).one()
    assert (row.person_id, row.override_reason, row.by_person_id) == (
        "bo", "Bo lovade i telefon kl 06", "kim")
    # The escalation's buttons are stale now: a polite answer, nothing booked twice.
    await h.dialog([("kim", press("Tillsätt manuellt"), f"Vakans #{vid} söker inte längre.")])


async def test_fill_by_hand_from_the_list(launch: Launch) -> None:
    h = await launch(world)
    await h.hello("kim", "sub1")
    vid = await sick(h)
    await h.dialog([
        ("kim", "/tillsatt", "Skriv /tillsatt följt av vakansens nummer"),
        ("kim", f"/tillsatt {vid}", "Behöriga i turordning"),
        ("kim", press("Sara Vikarie"), f"✓ Tillsatt: Sara Vikarie på vakans #{vid}."),
    ])
    await h.message_with("sub1", "Bokat!")


async def test_group_chat_widen_and_cancel_with_confirmation(launch: Launch) -> None:
    h = await launch(world)
    h.groups["norr"] = GROUP
    await h.hello("kim")
    await h.dialog([
        ("kim", "/enhetschatt", "Skriv /enhetschatt i gruppen"),
    ])
    await h.step("kim", "/enhetschatt", "Den här gruppen är nu samordnarchatt för Hemtjänst Norr",
                 chat="norr")
    vid = await sick(h)  # sub1 and bo are never reached (Bo paused, sub1 has not opened a chat)
    h.clock.advance(dt.timedelta(minutes=20))
    await callout.tick(h.deps)
    alert = await h.fake.wait_for_message(GROUP, "⚠️ Ej tillsatt")
    assert [b["text"] for b in alert.buttons] == [
        "Bredda till ordinarie", "Tillsätt manuellt", "Avbryt vakansen"]
    await h.dialog([
        ("kim", press("Bredda", chat="norr"), "✓ Breddat av Kim"),
        ("kim", press("Avbryt vakansen", chat="norr"), f"Avbryta vakans #{vid}"),
        ("kim", press("Nej", chat="norr"), f"Vakans #{vid} ligger kvar."),
        ("kim", press("Avbryt vakansen", chat="norr"), f"Avbryta vakans #{vid}"),
        ("kim", press("Ja, avbryt vakansen", chat="norr"), f"Vakans #{vid} är avbruten."),
    ])
    assert "esc:w:" not in str(alert.reply_markup), "the widen button is gone"
    await h.step("kim", "/status", "avbruten", chat="norr")


async def test_scope_a_coordinator_sees_only_their_units(launch: Launch) -> None:
    h = await launch(world)
    await h.hello("kim", "sub1")
    vid_norr = await sick(h)
    vid_soder = await sick(h, "olle", "s-soder")
    await h.dialog([
        ("kim", "/status", f"#{vid_norr} 07:00–16:00 undersköterska"),
        ("kim", f"/forklara {vid_soder}", f"Hittar ingen vakans {vid_soder}"),
        ("kim", f"/avbryt {vid_soder}", f"Hittar ingen vakans {vid_soder}"),
        ("kim", f"/tillsatt {vid_soder}", f"Hittar ingen vakans {vid_soder}"),
        ("kim", f"/forklara {vid_norr}", "Behöriga, i turordning"),
        # Substitutes and staff see nothing of the board or other people.
        ("sub1", "/status", "inte tillgängligt för dig"),
        ("sub1", f"/forklara {vid_norr}", "inte tillgängligt för dig"),
        ("sub1", "/nytt", "inte tillgängligt för dig"),
    ])
    board = h.fake.last_message(h.uid("kim"))
    texts = "\n".join(m.text or "" for m in h.fake.messages(h.uid("kim")))
    assert "Soder" not in texts and board is not None
    # Pressing someone else's offer (a forged press) is refused by the service.
    await h.hello("olle")
    offer = await h.message_with("sub1", "Ledigt pass: Hemtjänst Norr")
    answered = len(h.fake.callback_answers)
    h.fake.user_presses_button(h.uid("kim"), offer.message_id, offer.button_data("Ta passet"),
                               chat_id=h.uid("sub1"))
    await h.fake.wait_for(lambda: len(h.fake.callback_answers) > answered)
    assert h.fake.callback_answers[-1]["text"] == "Den här förfrågan är inte din."
    async with h.deps.db.read() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(t.bookings))
                ).scalar_one() == 0


async def test_a_new_shift_created_by_hand(launch: Launch) -> None:
    async def two_units(w: World) -> None:
        await world(w)
        async with w.db.write() as conn:
            await conn.execute(sa.insert(t.person_roles).values(
                person_id="kim", role="coordinator", unit_id="soder"))
            await people_repo.add_introduction(conn, "sub1", "soder",
                                               local("2026-01-01 00:00"), None)

    h = await launch(two_units)
    await h.hello("kim", "sub1")
    await h.dialog([
        ("kim", "/nytt", "Nytt pass: vilken enhet?"),
        ("kim", press("Hemtjänst Soder"), "Vilken dag?"),
        ("kim", press("Imorgon"), "Vilken tid?"),
        ("kim", "kvällen", "Den tiden förstod jag inte"),
        ("kim", "15-22", "Vilken yrkesroll?"),
        ("kim", press("undersköterska"),
         "Skapa pass: Hemtjänst Soder ons 2/12 15:00–22:00, undersköterska?"),
        ("kim", press("Ja, skapa"), "skapad: Hemtjänst Soder ons 2/12 15:00–22:00"),
    ])
    # A shift on a later day is not offered in the quiet hours: at 07:00 it is.
    await h.settle()
    assert await h.offers("sub1") == []
    h.clock.set(local("2026-12-01 07:00"))
    await callout.tick(h.deps)
    await h.message_with("sub1", "Ledigt pass: Hemtjänst Soder\nons 2/12 15:00–22:00")
    await h.dialog([
        ("kim", "/nytt", "vilken enhet?"),
        ("kim", "/avbryt", "Okej, avbrutet."),
        ("kim", "/nytt", "vilken enhet?"),
        ("kim", press("Hemtjänst Norr"), "Vilken dag?"),
        ("kim", "2026-11-30", "passerat"),
        ("kim", press("Avbryt"), "Okej, avbrutet."),
    ])


async def test_keep_or_release_after_reporting_well(launch: Launch) -> None:
    h = await launch(world)
    await h.hello("anna", "kim", "sub1")
    await sick(h)
    await h.dialog([
        ("sub1", press("Ta passet"), "Bokat"),
        ("anna", "/frisk", "Välkommen tillbaka!"),
    ])
    question = await h.message_with("kim", "Anna Andersson är frisk, men Hemtjänst Norr")
    assert [b["text"] for b in question.buttons] == ["Behåll vikarien", "Släpp vikarien"]
    await h.dialog([("kim", press("Släpp vikarien"), "vikarien är avbokad och har fått besked")])
    await h.message_with("sub1", "Din bokning Hemtjänst Norr tis 1/12 07:00–16:00 är avbokad")


async def boards(h: Harness) -> dict[str, str]:
    """The live boards kept up to date (kv rows)."""
    async with h.deps.db.read() as conn:
        return await kv.with_prefix(conn, "board:")


async def test_a_board_in_a_group_stops_when_the_group_leaves_the_unit(launch: Launch) -> None:
    """A live board in a group follows the group's link (/enhetschatt): once the group is no
    longer Norr's, Norr's board there is not redrawn, so it shows nothing new."""
    h = await launch(world)
    h.groups["norr"] = GROUP
    await h.hello("kim")
    await h.step("kim", "/enhetschatt", "samordnarchatt för Hemtjänst Norr", chat="norr")
    first = await sick(h)
    await h.step("kim", "/status", f"#{first} 07:00–16:00", chat="norr")
    for _ in range(500):  # the board is saved just after it is sent
        if await boards(h):
            break
        await asyncio.sleep(0.01)
    assert await boards(h)
    board = h.fake.last_message(GROUP)
    assert board is not None
    async with h.deps.db.write() as conn:  # the group now belongs to another unit
        await people_repo.set_coordinator_chat(conn, "norr", None)
        await people_repo.set_coordinator_chat(conn, "soder", GROUP)
    await World(h.deps.db).shift("s-late", "norr", "anna", "2026-12-01 16:00", "2026-12-01 22:00")
    later = await sick(h, shift="s-late")
    assert await h.board() == 0
    assert f"#{later}" not in (board.text or "")
    assert not await boards(h), "the board is forgotten"
