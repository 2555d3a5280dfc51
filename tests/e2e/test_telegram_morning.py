"""The morning, end to end over Telegram: a sick report at 05:45, offers to substitutes with
buttons, first accept wins, everyone else sees "Tillsatt", the coordinator's board follows."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable

import sqlalchemy as sa

from bot.services import callout
from storage import tables as t
from tests.builders import World
from tests.e2e.conftest import Harness, Launch, press

SUBS = ("sub1", "sub2", "sub3")


def morning(subs: tuple[str, ...] = SUBS) -> Callable[[World], Awaitable[None]]:
    async def build(w: World) -> None:
        await w.unit("norr")
        await w.staff("anna", "norr", name="Anna Andersson")
        await w.person("kim", roles=[("coordinator", "norr")], quals=(), name="Kim Samordnare")
        for n, sid in enumerate(subs, start=1):
            await w.sub(sid, name=f"Vikarie{n} Testsson")
        await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
        await w.shift("s-eve", "norr", "anna", "2026-12-02 15:00", "2026-12-02 22:00")

    return build


async def report_sick_today(h: Harness) -> None:
    await h.dialog([
        ("anna", "sjuk", "Vilka pass gäller frånvaron?"),
        ("anna", press("Nästa"), "Frånvaro (sjuk):\n• tis 1/12 07:00–16:00\nSkicka anmälan?"),
        ("anna", press("Ja, skicka"), "Tack, din frånvaro är registrerad för:\n• tis 1/12"),
    ])


async def live_bookings(h: Harness) -> list[str]:
    async with h.deps.db.read() as conn:
        rows = await conn.execute(sa.select(t.bookings.c.person_id)
                                  .where(t.bookings.c.cancelled_at.is_(None)))
        return [r.person_id for r in rows]


async def test_sick_at_0545_offers_first_accept_wins_and_the_board_follows(
    launch: Launch,
) -> None:
    h = await launch(morning())
    await h.hello("anna", "kim", *SUBS)
    await h.dialog([("kim", "/status", "Tillsättning 2026-12-01: inga vakanser.")])
    board = h.fake.last_message(h.uid("kim"))
    assert board is not None

    await report_sick_today(h)
    receipt = await h.message_with("anna", "Tack, din frånvaro")
    assert "tis 1/12 07:00-16:00" in (receipt.text or "")
    assert receipt.reply_markup is None, "the picker became the receipt"

    # Every substitute gets the offer with two buttons; it says nothing about Anna.
    for sub in SUBS:
        offer = await h.message_with(sub, "Ledigt pass: Hemtjänst Norr\ntis 1/12 07:00–16:00")
        assert [b["text"] for b in offer.buttons] == ["Ta passet", "Nej tack"]
        assert "Anna" not in (offer.text or "") and "sjuk" not in (offer.text or "").lower()

    await h.dialog([("sub2", press("Ta passet"), "Bokat, passet är ditt!")])
    booked = await h.message_with("sub2", "Bokat! Du har passet")
    assert booked.buttons == []
    for other in ("sub1", "sub3"):
        taken = await h.message_with(other, "Tillsatt: Hemtjänst Norr tis 1/12 07:00–16:00")
        assert taken.buttons == [], "the buttons are gone"
        assert len(await h.offers(other)) == 0
    assert await live_bookings(h) == ["sub2"]

    # The coordinator's live board is redrawn in place.
    assert await h.board() == 1
    assert board.text is not None and "tillsatt: Vikarie2 Testsson" in board.text
    assert "1/1 tillsatta" in board.text
    assert await h.board() == 0, "nothing changed: no edit"

    # A late press on an offer that is already taken.
    await h.dialog([("sub1", "/pass", "Du har inga bokade pass.")])


async def test_two_accepts_at_the_same_instant_make_exactly_one_booking(launch: Launch) -> None:
    h = await launch(morning())
    await h.hello("anna", *SUBS)
    await report_sick_today(h)
    offers = {sub: (await h.message_with(sub, "Ledigt pass")) for sub in SUBS}
    answered = len(h.fake.callback_answers)
    # Both presses are queued before the bot sees either.
    for sub in ("sub1", "sub3"):
        h.fake.user_presses_button(h.uid(sub), offers[sub].message_id,
                                   offers[sub].button_data("Ta passet"))
    await h.fake.wait_for(lambda: len(h.fake.callback_answers) >= answered + 2)
    toasts = sorted(a["text"] for a in h.fake.callback_answers[answered:])
    assert toasts == ["Bokat, passet är ditt!", "Någon hann före."]
    assert len(await live_bookings(h)) == 1
    winner = (await live_bookings(h))[0]
    loser = "sub3" if winner == "sub1" else "sub1"
    await h.message_with(winner, "Bokat! Du har passet")
    await h.message_with(loser, "Någon hann före")
    await h.message_with("sub2", "Tillsatt")


async def test_declines_lead_to_the_next_wave(launch: Launch) -> None:
    subs = ("sub1", "sub2", "sub3", "sub4")
    h = await launch(morning(subs), wave_near_size=2)
    await h.hello("anna", *subs)
    await report_sick_today(h)
    await h.settle()
    first = [s for s in subs if await h.offers(s)]
    assert len(first) == 2
    for sub in first:
        await h.dialog([(sub, press("Nej tack"), "Tack för svaret!")])
    assert await callout.tick(h.deps) == 1  # the next wave is due at once
    await h.settle()
    second = [s for s in subs if s not in first and await h.offers(s)]
    assert sorted(second) == sorted(set(subs) - set(first))
    for sub in first:  # nobody is asked twice
        assert sum("Ledigt pass" in x for x in h.texts(sub)) == 1
    await h.dialog([(second[0], press("Ta passet"), "Bokat")])
    assert await live_bookings(h) == [second[0]]


async def test_a_429_storm_during_the_broadcast_loses_no_offer(launch: Launch) -> None:
    subs = tuple(f"sub{i}" for i in range(1, 9))
    h = await launch(morning(subs))
    await h.hello("anna", *subs)
    await h.dialog([
        ("anna", "sjuk", "Vilka pass"),
        ("anna", press("Nästa"), "Skicka anmälan?"),
    ])
    # Telegram answers "Too Many Requests, retry after 1 s" to the next five sends.
    h.fake.fail_next("sendMessage", status=429, retry_after=1, count=5)
    await h.dialog([("anna", press("Ja, skicka"), "din frånvaro är registrerad")])
    await h.settle()
    got = [s for s in subs if await h.offers(s)]
    assert len(got) == 3, "five wait for their retry"
    assert len([c for c in h.fake.calls("sendMessage")]) >= 8
    h.clock.advance(dt.timedelta(seconds=2))  # retry_after has passed
    h.deps.kick()
    for sub in subs:
        await h.message_with(sub, "Ledigt pass")
    await h.settle()
    for sub in subs:
        assert len(await h.offers(sub)) == 1, f"{sub}: exactly one offer"
    async with h.deps.db.read() as conn:
        states = (await conn.execute(sa.select(t.outbox.c.state)
                                     .where(t.outbox.c.kind == "offer"))).scalars().all()
    assert sorted(states) == ["sent"] * 8


async def test_absence_without_a_shift_and_reporting_well(launch: Launch) -> None:
    h = await launch(morning(), now="2026-12-01 17:30")  # today's shift is over
    await h.hello("anna", "kim", *SUBS)
    await h.dialog([
        # Tomorrow's evening shift is preselected by the words "sjuk imorgon".
        ("anna", "sjuk imorgon", "☑ ons 2/12 15:00–22:00"),
        ("anna", press("Nästa"), "Skicka anmälan?"),
        ("anna", press("Ja, skicka"), "• ons 2/12 15:00-22:00"),
        ("anna", "/frisk", "Välkommen tillbaka! Frånvaron är avslutad för 1 pass."),
        ("anna", "/frisk", "Du har ingen pågående frånvaro."),
    ])
    for sub in SUBS:  # the offers turn into "no longer needed", without buttons
        withdrawn = await h.message_with(sub, "Passet Hemtjänst Norr ons 2/12 15:00–22:00 "
                                              "behövs inte längre")
        assert withdrawn.buttons == []
    # Today has no shift left: the whole day is reported and the coordinator is told.
    await h.dialog([
        ("anna", "/sjuk", "Idag tis 1/12 (hela dagen)"),
        ("anna", press("Idag"), "☑ Idag"),
        ("anna", press("Nästa"), "Vad gäller frånvaron?"),
        ("anna", press("VAB"), "Frånvaro (VAB)"),
        ("anna", press("Ja, skicka"), "Du har inget schemalagt pass då; samordnaren är"),
    ])
    await h.message_with("kim", "Frånvaro utan schemalagt pass: Anna Andersson, tis 1/12")


async def test_substitute_without_bookings_is_told_and_cancel_works(launch: Launch) -> None:
    """A substitute may report sick too (issue #12: their bookings are given up, see the
    dialogue table); with neither shift nor booking they hear SMS SJUK's answer."""
    h = await launch(morning())
    await h.hello("anna", "sub1")
    await h.dialog([
        ("sub1", "/sjuk", "Du har inget pass de närmaste 14 dagarna"),
        ("anna", "/sjuk", "Vilka pass"),
        ("anna", press("Avbryt"), "Okej, avbrutet."),
        ("anna", "/avbryt", "Okej, avbrutet."),
    ])
    # A button of the finished dialogue only gets a polite toast.
    picker = await h.message_with("anna", "Okej, avbrutet.")
    assert picker.buttons == []
    await asyncio.sleep(0)
    async with h.deps.db.read() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(t.absences))
                ).scalar_one() == 0
