"""Substitutes over Telegram: an English-speaking substitute takes and cancels a shift;
availability, pause, channel and language are set with a few taps."""

from __future__ import annotations

import re

import httpx
import sqlalchemy as sa

from bot.domain.model import AbsenceCategory, VacancyStatus
from bot.fakes.telegram_server import SentMessage
from bot.services import absence
from bot.web import build_web_app
from storage import people as people_repo
from storage import tables as t
from storage import vacancies
from tests.builders import World, local
from tests.e2e.conftest import Launch, press


async def world(w: World) -> None:
    await w.unit("norr")
    await w.staff("anna", "norr", name="Anna Andersson")
    await w.person("kim", roles=[("coordinator", "norr")], quals=(), name="Kim Samordnare")
    await w.sub("emma", name="Emma Smith", language="en")
    await w.sub("sara", name="Sara Vikarie")
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")


async def test_an_english_speaking_substitute_books_and_cancels(launch: Launch) -> None:
    h = await launch(world)
    await h.hello("emma", "kim")
    receipt = await absence.report_absence(h.deps, "anna", AbsenceCategory.SJUK, "telegram",
                                           shift_ids=["s-day"])
    vid = receipt.new_vacancy_ids[0]
    offer = await h.message_with("emma", "Open shift: Hemtjänst Norr\nTue 1/12 07:00–16:00")
    assert [b["text"] for b in offer.buttons] == ["Take shift", "No thanks"]
    await h.dialog([
        ("emma", press("Take shift"), "Booked, the shift is yours!"),
        ("emma", "/pass", "Your booked shifts:\n• Hemtjänst Norr Tue 1/12 07:00–16:00"),
        ("emma", press("Cancel Tue 1/12 07:00"), "Are you sure?"),
        ("emma", press("No"), "The booking stays."),
        ("emma", press("Cancel Tue 1/12 07:00"), "Are you sure?"),
        ("emma", press("Yes, cancel"), "Cancelled: Hemtjänst Norr Tue 1/12 07:00–16:00."),
        ("emma", "/pass", "You have no booked shifts."),
    ])
    await h.message_with("emma", "You are off Hemtjänst Norr Tue 1/12 07:00–16:00")
    await h.message_with("kim", "Avbokning: Emma Smith lämnade Hemtjänst Norr")
    async with h.deps.db.read() as conn:
        vacancy = await vacancies.get_vacancy(conn, vid)
    assert vacancy is not None and vacancy.status == VacancyStatus.SEARCHING


async def test_availability_pause_channel_and_language(launch: Launch) -> None:
    h = await launch(world)
    await h.hello("sara")
    await h.dialog([
        ("sara", "Tillgänglighet", "Du tar pass: mån, tis, ons, tor, fre, lör, sön"),
        ("sara", press("✓lör"), "Du tar pass: mån, tis, ons, tor, fre, sön"),
        ("sara", press("✓sön"), "Du tar pass: mån, tis, ons, tor, fre\n"),
        ("sara", "/ledig 07:00-16:00", "Tider: 07:00–16:00"),
        ("sara", "/ledig nattetid", "Det förstod jag inte"),
        ("sara", "/ledig paus 29/11", "Det datumet har redan varit."),  # the nearest 29/11
        ("sara", "/ledig paus 24/12", "⏸ Pausad till fre 25/12 00:00"),
        ("sara", press("Ta bort paus"), "Inte pausad."),
        ("sara", press("Paus 1 vecka"), "⏸ Pausad till tis 8/12 05:45"),
        ("sara", press("Alla tider"), "Tider: alla tider"),
        ("sara", "/kanal", "Hur vill du få förfrågningar och besked? Nu: Telegram och SMS."),
        ("sara", press("SMS"), "Klart: SMS."),
        ("sara", "/sprak", "The language is now English."),
        ("sara", "/hjalp", "This is what you can do:"),
        ("sara", "blah", "I did not understand that."),
    ])
    async with h.deps.db.read() as conn:
        sara = await people_repo.get_person(conn, "sara")
        audit_actions = (await conn.execute(sa.select(t.audit_log.c.action).where(
            t.audit_log.c.actor == "sara"))).scalars().all()
    assert sara is not None
    assert (sara.available_days, sara.available_from, sara.available_to) == ("12345", None, None)
    assert sara.paused_until == local("2026-12-08 05:45")
    assert (sara.channel, sara.language) == ("sms", "en")
    assert {"availability_days", "availability_times", "paused", "unpaused", "channel_set",
            "language_set"} <= set(audit_actions)


async def test_the_calendar_link_under_pass(launch: Launch) -> None:
    """Kalender-länk sends a private link once; asked again, it offers a new one (the old
    stops working) or switching it off. The link is served by the web app."""
    h = await launch(world, public_url="https://vikarie.example.se")
    await h.hello("sara")
    await h.dialog([
        ("sara", "/pass", "Du har inga bokade pass."),
        ("sara", press("Kalender-länk"), "Din privata kalenderlänk"),
    ])
    first = (await h.message_with("sara", "/ical/")).text
    await h.dialog([
        ("sara", "/pass", "Du har inga bokade pass."),
        ("sara", press("Kalender-länk"), "Du har redan en kalenderlänk."),
        ("sara", press("Ny länk"), "Din privata kalenderlänk"),
    ])
    links = [m for m in h.texts("sara") if "/ical/" in m]
    paths = [re.search(r"/ical/[A-Za-z0-9_-]{43}\.ics", text).group(0)  # type: ignore[union-attr]
             for text in (first, links[-1])]
    assert paths[0] != paths[1]
    app = build_web_app(h.deps)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://test") as client:
        assert (await client.get(paths[0])).status_code == 404
        assert (await client.get(paths[1])).status_code == 200
        await h.dialog([("sara", press("Stäng av kalendern"), "Kalenderlänken är avstängd.")])
        assert (await client.get(paths[1])).status_code == 404


async def test_bookings_and_the_calendar_link_stay_out_of_group_chats(launch: Launch) -> None:
    """/pass in a group shows nothing of the person's; a Kalender-länk press there (forged:
    the group never sees the button) is refused, and no link is made."""
    h = await launch(world, public_url="https://vikarie.example.se")
    await h.hello("sara")
    h.groups["norr"] = -100777
    said = await h.step("sara", "/pass", "bara i din privata chatt", chat="norr")
    assert isinstance(said, SentMessage)
    said.reply_markup = {"inline_keyboard": [[{"text": "x", "callback_data": "cal:l"}]]}
    h.fake.user_presses_button(h.uid("sara"), said.message_id, "cal:l", chat_id=-100777)
    await h.expect(-100777, "bara i din privata chatt", toast_from=len(h.fake.callback_answers) - 1)
    await h.handled()
    assert not [m for m in h.fake.messages(-100777) if "/ical/" in (m.text or "")]
    async with h.deps.db.read() as conn:
        assert (await conn.execute(sa.select(t.ical_tokens))).first() is None


async def test_no_calendar_without_a_public_address(launch: Launch) -> None:
    h = await launch(world)
    await h.hello("emma")
    await h.dialog([
        ("emma", "/pass", "You have no booked shifts."),
        ("emma", press("Calendar link"), "The calendar is not available here"),
    ])


async def world_ar(w: World) -> None:
    await w.unit("norr")
    await w.staff("anna", "norr", name="Anna Andersson")
    await w.sub("layla", name="Layla Haddad", language="ar")
    await w.sub("sara", name="Sara Vikarie")
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")


async def test_an_arabic_speaking_substitute_books_right_to_left(launch: Launch) -> None:
    """Issue #17: the offer, its buttons, the booking and the help in Arabic; the times and
    the unit's name between Unicode isolates so they keep their order."""
    h = await launch(world_ar)
    await h.hello("layla")
    await absence.report_absence(h.deps, "anna", AbsenceCategory.SJUK, "telegram",
                                 shift_ids=["s-day"])
    offer = await h.message_with("layla", "وردية شاغرة: \u2068Hemtjänst Norr\u2069")
    assert "\u206807:00\u2069–\u206816:00\u2069" in offer.text
    assert [b["text"] for b in offer.buttons] == ["آخذ الوردية", "لا، شكراً"]
    await h.dialog([
        ("layla", press("آخذ الوردية"), "تم الحجز، الوردية لك!"),
        ("layla", "/hjalp", "هذا ما يمكنك فعله:"),
        ("sara", "/sprak so", "Luqaddu hadda waa Soomaali."),
        ("sara", "/sprak", "Språket är nu svenska."),
    ])
    async with h.deps.db.read() as conn:
        sara = await people_repo.get_person(conn, "sara")
    assert sara is not None and sara.language == "sv"
