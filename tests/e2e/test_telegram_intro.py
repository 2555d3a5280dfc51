"""Introduction through Telegram, as a dialogue: a new substitute takes a shift beside the
handledare, the handledare works through the checklist in ONE message, the substitute
confirms what needs them, the handledare signs off and the substitute is told."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import handlers.telegram as tg
from bot.domain.model import AbsenceCategory
from bot.services import absence
from handlers.telegram import fallback
from handlers.telegram.intro import register_intro
from storage import checklists
from storage import people as people_repo
from tests.builders import World, local
from tests.e2e.conftest import Harness, Launch, press


@pytest.fixture(autouse=True)
def _intro_wired(monkeypatch: pytest.MonkeyPatch) -> None:
    """Until handlers/telegram/__init__.py calls register_intro itself, wire it where it
    belongs: with the stateless buttons and commands, right before the fallbacks."""
    if "register_intro" in inspect.getsource(tg):
        return
    original_register, original_fallbacks = tg.register, fallback.handlers

    def register(app: Any) -> None:
        def fallbacks() -> Any:
            register_intro(app)
            return original_fallbacks()

        monkeypatch.setattr(fallback, "handlers", fallbacks)
        original_register(app)

    monkeypatch.setattr(tg, "register", register)


async def world(w: World) -> None:
    await w.unit("norr")
    await w.unit("soder")
    await w.staff("anna", "norr", name="Anna Absent")
    await w.person("hanna", roles=[("staff", "norr"), ("handledare", "norr")],
                   introduced=["norr"], name="Hanna Handledare")
    await w.person("sofia", roles=[("staff", "soder"), ("handledare", "soder")],
                   introduced=["soder"], name="Sofia Södersson")
    await w.person("kerstin", roles=[("coordinator", "norr")], quals=(),
                   name="Kerstin Samordnare")
    await w.sub("kim", introduced=(), name="Kim Nilsson")
    await w.shift("h-01", "norr", "hanna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("a-01", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")


def _checklist_messages(h: Harness) -> list[Any]:
    return [m for m in h.fake.messages(h.uid("hanna"))
            if (m.text or "").startswith("Introduktion: Kim Nilsson")]


async def _kim_takes_the_shift(h: Harness) -> None:
    await absence.report_absence(h.deps, "anna", AbsenceCategory.SJUK, "sms",
                                 shift_ids=["a-01"])
    offer = await h.message_with("kim", "Handledare Hanna möter dig.")
    assert "Anna" not in (offer.text or "")
    await h.dialog([("kim", press("Ta passet"), "Bokat!")])
    told = await h.message_with("hanna", "Ny vikarie att introducera")
    assert told.text == ("Ny vikarie att introducera: Kim kommer tis 1/12 07:00–16:00 "
                         "(Hemtjänst Norr). Checklistan: /intro")


async def test_handledare_works_through_the_checklist_and_signs_off(launch: Launch) -> None:
    h = await launch(world, now="2026-11-30 10:00", supervised_shifts=1)
    await h.hello("hanna", "kim", "kerstin", "sofia")
    await h.dialog([
        ("hanna", "/intro", "Inga pågående introduktioner."),
        ("kim", "/intro", "Inga pågående introduktioner."),
    ])
    await _kim_takes_the_shift(h)
    await h.dialog([
        ("kim", "/intro", "Din introduktion på Hemtjänst Norr\nKlart 0/20 · bredvidgång 0/1 "
                          "(+1 bokad)"),
        ("sofia", "/intro", "Inga pågående introduktioner."),  # another unit's handledare
        ("kim", "/introduktion", "inte tillgängligt för dig"),
        ("kerstin", "/introduktion", "• Hemtjänst Norr: Kim Nilsson 0/20, bredvidgång 0/1"),
        ("hanna", "/intro", "Pågående introduktioner – välj en:"),
        ("hanna", press("Kim Nilsson (Hemtjänst Norr) 0/20"),
         "Introduktion: Kim Nilsson, Hemtjänst Norr\nKlart 0/20 · bredvidgång 0/1"),
        ("hanna", press("⬜ 1. Socialstyrelsens"), "Klart 1/20"),
        ("hanna", press("✅ 1. Socialstyrelsens"), "Klart 0/20"),  # a press toggles back
        ("hanna", press("⬜ 1."), "Klart 1/20"),
        ("hanna", press("⬜ 8. Nyckelhantering"), "Anteckning till punkt 8"),
        ("hanna", "bricka 14", "Sparat."),
        ("hanna", press("⬜ 5. Tystnadsplikt"), "Väntar på Kims bekräftelse: 5"),
        ("kim", "/intro", "Bekräfta med knapparna"),
        ("kim", press("Bekräfta 5."), "Tack, bekräftat."),
        ("hanna", press("🔄 Uppdatera"), "Klart 3/20"),
    ])
    sheet = _checklist_messages(h)
    assert len(sheet) == 1, "the checklist is ONE message, edited in place"
    assert "8. bricka 14" in (sheet[0].text or "")
    assert any("✅ 8. Nyckelhantering" in b["text"] and "📝" in b["text"]
               for b in sheet[0].buttons)

    for pos in (2, 3, 4, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20):
        await h.step("hanna", press(f"⬜ {pos}."), None)
        if pos == 15:  # a note item: "-" for no note
            await h.dialog([("hanna", "-", "Sparat.")])
    await h.dialog([
        ("kim", "/intro", "Bekräfta med knapparna"),
        ("kim", press("Bekräfta 6."), "Tack, bekräftat."),
        ("hanna", press("🔄 Uppdatera"), "Klart 20/20 · bredvidgång 0/1 (+1 bokad)"),
    ])
    assert "Signeras efter bredvidgång: 0 av 1 gjorda." in (_checklist_messages(h)[0].text or "")
    assert not any("Signera" in b["text"] for b in _checklist_messages(h)[0].buttons)

    h.clock.set(local("2026-12-01 15:30"))  # Kim's supervised shift is under way
    await h.dialog([
        ("hanna", press("🔄 Uppdatera"), "Allt klart – tryck Signera."),
        ("hanna", press("Signera"), "✅ Kim Nilsson är introducerad på Hemtjänst Norr "
                                    "(signerat tis 1/12)."),
    ])
    await h.message_with("kim", "Du är nu introducerad på Hemtjänst Norr. Välkommen!")
    sheet = _checklist_messages(h)
    assert sheet == [] and not any(m.buttons for m in h.fake.messages(h.uid("hanna"))
                                   if "introducerad" in (m.text or ""))
    async with h.deps.db.read() as conn:
        kim = await people_repo.get_person(conn, "kim")
        c = await checklists.for_person_unit(conn, "kim", "norr")
    assert kim is not None and "norr" in kim.introduced_units
    assert c is not None and c.signed_off_by == "hanna"
    await h.dialog([
        ("hanna", "/intro", "Inga pågående introduktioner."),
        ("kerstin", "/introduktion", "Inga pågående introduktioner."),
    ])


async def test_the_substitute_cannot_tick_and_a_stranger_sees_nothing(launch: Launch) -> None:
    h = await launch(world, now="2026-11-30 10:00")
    await h.hello("hanna", "kim", "sofia")
    await _kim_takes_the_shift(h)
    await h.dialog([
        ("kim", "/intro", "Din introduktion på Hemtjänst Norr"),
        ("hanna", "/intro", "Pågående introduktioner"),
        ("hanna", press("Kim Nilsson"), "Klart 0/20"),
    ])
    kim_view = h.fake.last_message(h.uid("kim"))
    assert kim_view is not None and not kim_view.buttons  # nothing to confirm yet
    # A press with a forged checklist button from Sofia (handledare elsewhere) is refused.
    sheet = _checklist_messages(h)[0]
    data = sheet.button_data("⬜ 1.")
    sofia_msg = await h.message_with("sofia", "/hjalp")
    sofia_msg.reply_markup = {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}
    before = len(h.fake.callback_answers)
    h.fake.user_presses_button(h.uid("sofia"), sofia_msg.message_id, data)
    answer = await h.fake.wait_for(lambda: h.fake.callback_answers[before:])
    assert answer[0]["text"] == "Det här får bara enhetens handledare göra."
    async with h.deps.db.read() as conn:
        c = await checklists.for_person_unit(conn, "kim", "norr")
        assert c is not None and await checklists.ticks_of(conn, c.id) == {}
