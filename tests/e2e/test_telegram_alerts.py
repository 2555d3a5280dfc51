"""The coordinator's alert stays true (eskaleringen): edited when its vacancy is filled,
declined by everyone, cancelled or reopened; "searching among N" first when the shift was
reported inside the escalation window; and /status covers the coming week."""

from __future__ import annotations

import datetime as dt

from bot.domain.model import AbsenceCategory
from bot.fakes.telegram_server import SentMessage
from bot.services import absence, callout
from handlers.telegram.coordinator import refresh_alerts
from tests.builders import World
from tests.e2e.conftest import Harness, Launch, press

SUBS = ("sub1", "sub2")


async def world(w: World) -> None:
    await w.unit("norr")
    await w.staff("anna", "norr", name="Anna Andersson")
    await w.person("kim", roles=[("coordinator", "norr")], quals=(), name="Kim Samordnare")
    await w.sub("sub1", name="Sara Vikarie")
    await w.sub("sub2", name="Sven Vikarie")
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("s-tomorrow", "norr", "anna", "2026-12-02 07:00", "2026-12-02 16:00")


async def sick(h: Harness, shift: str = "s-day") -> int:
    receipt = await absence.report_absence(h.deps, "anna", AbsenceCategory.SJUK, "telegram",
                                           shift_ids=[shift])
    await h.settle()
    return receipt.new_vacancy_ids[0]


def buttons(m: SentMessage) -> list[str]:
    return [str(b.get("callback_data")) for b in m.buttons]


async def redraw(h: Harness) -> int:
    """What the board job does every few seconds, now."""
    await h.settle()
    return await refresh_alerts(h.app)


async def escalated_at_threshold(h: Harness) -> SentMessage:
    """Reported at 05:45 for 07:00; at 06:05 nobody has answered: "Ej tillsatt"."""
    await h.hello("kim", *SUBS)
    await sick(h)
    h.clock.advance(dt.timedelta(minutes=20))
    await callout.tick(h.deps)
    await h.settle()
    alert = await h.message_with("kim", "⚠️ Ej tillsatt: Hemtjänst Norr tis 1/12 07:00–16:00")
    assert "Tillfrågade 2, nej 0, inget svar 2" in (alert.text or "")
    assert buttons(alert) == ["esc:w:1", "esc:f:1", "esc:c:1"]
    return alert


async def test_escalated_then_filled_says_by_whom_and_loses_its_buttons(launch: Launch) -> None:
    h = await launch(world)
    alert = await escalated_at_threshold(h)
    assert await redraw(h) == 0, "nothing changed: nothing edited"
    h.clock.advance(dt.timedelta(minutes=2))
    await h.dialog([("sub1", press("Ta passet"), "Bokat")])
    assert await redraw(h) == 1
    assert (alert.text or "").startswith("✅ Tillsatt: Hemtjänst Norr tis 1/12 07:00–16:00")
    assert "Sara Vikarie tog passet efter 22 min." in (alert.text or "")
    assert alert.buttons == []
    assert await redraw(h) == 0, "an alert drawn is not drawn again"


async def test_everyone_declines_and_the_counts_follow(launch: Launch) -> None:
    h = await launch(world)
    alert = await escalated_at_threshold(h)
    await h.dialog([("sub1", press("Nej tack"), "Tack för svaret!")])
    await redraw(h)
    assert "Tillfrågade 2, nej 1, inget svar 1" in (alert.text or "")
    await h.dialog([("sub2", press("Nej tack"), "Tack för svaret!")])
    await redraw(h)
    assert "Tillfrågade 2, nej 2, inget svar 0. Alla tillfrågade har tackat nej." in (
        alert.text or "")
    assert buttons(alert) == ["esc:w:1", "esc:f:1", "esc:c:1"], "still the coordinator's to act"


async def test_cancelled_says_so_without_buttons(launch: Launch) -> None:
    h = await launch(world)
    alert = await escalated_at_threshold(h)
    await h.dialog([
        ("kim", press("Avbryt vakansen"), "Avbryta vakans #1"),
        ("kim", press("Ja, avbryt vakansen"), "Vakans #1 är avbruten."),
    ])
    await redraw(h)
    assert (alert.text or "").startswith("✖️ Avbruten: Hemtjänst Norr")
    assert alert.buttons == []


async def test_reopened_after_a_cancelled_booking(launch: Launch) -> None:
    h = await launch(world)
    alert = await escalated_at_threshold(h)
    await h.dialog([("sub1", press("Ta passet"), "Bokat")])
    await redraw(h)
    assert (alert.text or "").startswith("✅ Tillsatt")
    await h.dialog([
        ("sub1", "/pass", "Avboka"),
        ("sub1", press("Avboka"), "Är du säker?"),
        ("sub1", press("Ja, avboka"), "Avbokat"),
    ])
    await redraw(h)
    assert "🔁 Återöppnad" in (alert.text or "")
    assert buttons(alert) == ["esc:w:1", "esc:f:1", "esc:c:1"]


async def test_reported_35_minutes_ahead_searches_first(launch: Launch) -> None:
    h = await launch(world, now="2026-12-01 06:25")
    await h.hello("kim", *SUBS)
    await sick(h)
    alert = await h.message_with("kim", "🔎 Söker vikarie: Hemtjänst Norr tis 1/12 07:00–16:00")
    assert "Söker bland 2: nej 0, inget svar 2" in (alert.text or "")
    assert "Ej tillsatt" not in (alert.text or "")
    assert buttons(alert) == ["esc:w:1", "esc:f:1", "esc:c:1"], "the coordinator may act at once"
    await h.dialog([("sub1", press("Nej tack"), "Tack för svaret!")])
    await redraw(h)
    assert "Söker bland 2: nej 1, inget svar 1" in (alert.text or "")
    h.clock.advance(dt.timedelta(minutes=5))  # the grace (VIKARIE_ESCALATE_GRACE_MINUTES)
    await redraw(h)
    assert (alert.text or "").startswith("⚠️ Ej tillsatt: Hemtjänst Norr")
    assert "Tillfrågade 2, nej 1, inget svar 1" in (alert.text or "")
    # A substitute takes it a moment later: the alert says so.
    await h.dialog([("sub2", press("Ta passet"), "Bokat")])
    await redraw(h)
    assert "Sven Vikarie tog passet efter 5 min." in (alert.text or "")
    assert alert.buttons == []
    kim = [m for m in h.texts("kim") if "vakans #1" in m]
    assert len(kim) == 1, f"one alert, edited, not several: {kim!r}"


async def test_reported_35_minutes_ahead_escalates_when_all_have_answered(
    launch: Launch,
) -> None:
    h = await launch(world, now="2026-12-01 06:25")
    await h.hello("kim", *SUBS)
    await sick(h)
    alert = await h.message_with("kim", "🔎 Söker vikarie")
    await h.dialog([("sub1", press("Nej tack"), "Tack för svaret!"),
                    ("sub2", press("Nej tack"), "Tack för svaret!")])
    await callout.tick(h.deps)  # nobody left: no second alert, the first one turns
    await redraw(h)
    assert (alert.text or "").startswith("⚠️ Ej tillsatt")
    assert "Alla tillfrågade har tackat nej." in (alert.text or "")
    assert len([m for m in h.texts("kim") if "vakans #1" in m]) == 1


async def test_filled_three_seconds_after_the_alert(launch: Launch) -> None:
    h = await launch(world, now="2026-12-01 06:25")
    await h.hello("kim", *SUBS)
    await sick(h)
    alert = await h.message_with("kim", "🔎 Söker vikarie")
    h.clock.advance(dt.timedelta(seconds=3))
    await h.dialog([("sub1", press("Ta passet"), "Bokat")])
    await redraw(h)
    assert (alert.text or "").startswith("✅ Tillsatt")
    assert "Sara Vikarie tog passet efter under 1 min." in (alert.text or "")
    assert alert.buttons == []


async def test_status_shows_tomorrows_vacancy(launch: Launch) -> None:
    h = await launch(world)
    await h.hello("kim", *SUBS)
    await h.dialog([("kim", "/status", "Kommande 7 dagar: inga vakanser.")])
    vid = await sick(h, "s-tomorrow")
    board = await h.step("kim", "/status", "Tillsättning ons 2026-12-02: 0/1 tillsatta")
    assert isinstance(board, SentMessage) and board.text is not None
    assert board.text.startswith("Tillsättning 2026-12-01: inga vakanser.\n\n")
    assert f"#{vid} 07:00–16:00 undersköterska: 🔎 söker" in board.text
