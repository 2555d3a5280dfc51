"""The scripted morning: 05:30 to 08:00 on a fast clock, played through people's phones.

Six absences (Telegram and SMS), waves of offers, accepts, declines, two accepts racing,
a cancellation that reopens a shift, an escalation the coordinator solves by hand, and a new
substitute's first shift with the handledare ticking the checklist.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.demo.stage import Stage
from bot.demo.transcript import Transcript
from bot.domain import callbacks as cb
from bot.domain.model import OfferState
from bot.domain.staffing import Cover, judge, period_bounds, staffing_figures
from bot.services import callout
from bot.services.board import board_text
from bot.texts import CATALOG
from storage import bookings as bookings_repo
from storage import people as people_repo
from storage import staffing, vacancies

DAY = "2026-12-01"
Action = Callable[[Stage, Transcript], Awaitable[None]]


@dataclass(frozen=True)
class Absence:
    person: str
    shift: str
    how: str  # "telegram:<first words>" or "sms:<text>"


ABSENCES = {
    "05:40": Absence("anst03", "norr-1201-dag2", "telegram:sjuk"),
    "05:42": Absence("anst05", "norr-1201-dag3", "sms:SJUK"),
    "05:45": Absence("anst11", "soder-1201-dag1", "telegram:vab"),
    "05:50": Absence("anst15", "soder-1201-dag3", "sms:sjuk idag"),
    "06:05": Absence("anst13", "soder-1201-kvall1", "telegram:sjuk"),
    "06:10": Absence("anst04", "norr-1201-kvall1", "telegram:sjuk"),
}
NEWCOMER = "vik22"  # Lars Ali: introduced nowhere yet
HANDLEDARE = "anst09"  # Anna Sjöberg, works Söder 07:00-16:00


async def open_offers(stage: Stage, shift_id: str) -> list[tuple[str, int, int]]:
    """(person, offer id, code) of every open offer for the shift's vacancy, in rank order."""
    async with stage.deps.db.read() as conn:
        vacancy = await vacancies.vacancy_for_shift(conn, shift_id)
        if vacancy is None:
            return []
        offers = await vacancies.offers_for(conn, vacancy.id)
    return [
        (o.person_id, o.id, o.code)
        for o in sorted(offers, key=lambda o: (o.wave, o.rank))
        if o.state == OfferState.OPEN
    ]


async def answer(
    stage: Stage, tr: Transcript, person: str, offer_id: int, code: int, yes: bool
) -> None:
    """The person answers an offer on their own phone: a button, or JA/NEJ by SMS."""
    if stage.uses_telegram(person):
        label = "Ta passet" if yes else "Nej tack"
        if stage.people[person].language == "en":
            label = "Take shift" if yes else "No thanks"
        uid = stage.user_ids[person]
        msg = next(
            (
                m
                for m in stage.offers_in_chat(person)
                if any(b.get("callback_data") == cb.encode(cb.ACCEPT, offer_id) for b in m.buttons)
            ),
            None,
        )
        if msg is None:
            return
        data = f"{'acc' if yes else 'dec'}:{offer_id}"
        tr.action(stage.label(person), "Telegram", f"trycker {label}")
        stage.telegram.user_presses_button(uid, msg.message_id, data)
    else:
        word = ("JA" if yes else "NEJ") + f" {code}"
        tr.action(stage.label(person), "SMS", word)
        await stage.act_sms(person, word)


def _button(stage: Stage, person_id: str, key: str) -> str:
    """The fixed start of a button's label in the person's language ("Avboka", "Cancel")."""
    lang = stage.people[person_id].language
    return CATALOG[key].get(lang, CATALOG[key]["sv"]).split("{")[0].strip()


def report(a: Absence) -> Action:
    async def run(stage: Stage, tr: Transcript) -> None:
        channel, _, words = a.how.partition(":")
        if channel == "sms":
            tr.action(stage.label(a.person), "SMS", words)
            await stage.act_sms(a.person, words)
            return
        tr.action(stage.label(a.person), "Telegram", words)
        stage.act_telegram(a.person, words)
        await stage.settle()
        await stage.act_press(a.person, _button(stage, a.person, "tg_btn_next"))
        await stage.settle()
        text = await stage.act_press(a.person, _button(stage, a.person, "tg_btn_send"))
        tr.action(stage.label(a.person), "Telegram", f"väljer passet, trycker {text}")

    return run


def race(shift: str) -> Action:
    """Two substitutes accept the same shift at the same instant: one by Telegram, one by SMS."""

    async def run(stage: Stage, tr: Transcript) -> None:
        offers = await open_offers(stage, shift)
        tg = next((o for o in offers if stage.uses_telegram(o[0])), None)
        sms = next((o for o in offers if not stage.uses_telegram(o[0])), None)
        tr.note("två svarar JA samtidigt")
        pair = [o for o in (tg, sms) if o] or offers[:2]
        await asyncio.gather(*(answer(stage, tr, p, oid, code, True) for p, oid, code in pair))

    return run


def nth_answers(shift: str, yes_index: int | None, declines: int) -> Action:
    """The first `declines` people offered say no; the one at `yes_index` says yes."""

    async def run(stage: Stage, tr: Transcript) -> None:
        offers = await open_offers(stage, shift)
        for i, (p, oid, code) in enumerate(offers):
            if i == yes_index:
                await answer(stage, tr, p, oid, code, True)
            elif i < declines:
                await answer(stage, tr, p, oid, code, False)
            await stage.settle()

    return run


def everyone_declines_but(shift: str, newcomer: str) -> Action:
    """Everyone offered says no, wave after wave, until the newcomer is asked and says yes."""

    async def run(stage: Stage, tr: Transcript) -> None:
        for _ in range(12):
            offers = await open_offers(stage, shift)
            mine = [o for o in offers if o[0] == newcomer]
            if mine:
                await answer(stage, tr, *mine[0], yes=True)
                return
            for p, oid, code in offers:
                await answer(stage, tr, p, oid, code, False)
            await stage.settle()
            await callout.tick(stage.deps)
            await stage.settle()
            tr.flush()

    return run


def coordinator_fills(coordinator: str) -> Action:
    async def run(stage: Stage, tr: Transcript) -> None:
        text = await stage.act_press(coordinator, "Tillsätt manuellt")
        tr.action(stage.label(coordinator), "Telegram", f"trycker {text}")
        await stage.settle()
        uid = stage.user_ids[coordinator]
        pick = next(
            b
            for m in reversed(stage.telegram.messages(uid))
            for b in m.buttons
            if str(b.get("callback_data", "")).startswith(cb.encode(cb.FILL, ""))
            and b.get("callback_data") != cb.encode(cb.FILL, cb.CANCEL)
        )
        tr.action(stage.label(coordinator), "Telegram", f"väljer {pick['text']}")
        await stage.act_press(coordinator, str(pick["text"]))

    return run


def substitute_cancels(shift: str) -> Action:
    async def run(stage: Stage, tr: Transcript) -> None:
        async with stage.deps.db.read() as conn:
            vacancy = await vacancies.vacancy_for_shift(conn, shift)
            booking = await bookings_repo.live_booking(conn, vacancy.id) if vacancy else None
        if booking is None or not stage.uses_telegram(booking.person_id):
            return
        who = booking.person_id
        tr.action(stage.label(who), "Telegram", "/pass")
        stage.act_telegram(who, "/pass")
        await stage.settle()
        text = await stage.act_press(who, _button(stage, who, "tg_btn_unbook"))
        tr.action(stage.label(who), "Telegram", f"trycker {text}")
        await stage.settle()
        text = await stage.act_press(who, _button(stage, who, "tg_btn_unbook_yes"))
        tr.action(stage.label(who), "Telegram", f"trycker {text}")

    return run


def handledare_ticks(handledare: str, items: int) -> Action:
    async def run(stage: Stage, tr: Transcript) -> None:
        if handledare not in stage.user_ids:
            return
        tr.action(stage.label(handledare), "Telegram", "/intro")
        stage.act_telegram(handledare, "/intro")
        await stage.settle()
        uid = stage.user_ids[handledare]
        opener = next(
            (
                b
                for m in reversed(stage.telegram.messages(uid))
                for b in m.buttons
                if str(b.get("callback_data", "")).startswith(cb.encode(cb.CHECKLIST_OPEN, ""))
            ),
            None,
        )
        if opener is None:
            return
        await stage.act_press(handledare, str(opener["text"]))
        await stage.settle()
        for n in range(1, items + 1):
            await stage.act_press(handledare, f" {n}. ")
            await stage.settle()
        tr.action(stage.label(handledare), "Telegram", f"bockar av punkt 1–{items}")

    return run


def script() -> dict[str, list[Action]]:
    steps: dict[str, list[Action]] = {}
    for hhmm, absence in ABSENCES.items():
        steps.setdefault(hhmm, []).append(report(absence))
    steps.setdefault("05:44", []).append(race("norr-1201-dag2"))
    steps.setdefault("05:47", []).append(nth_answers("norr-1201-dag3", None, 1))
    steps.setdefault("05:48", []).append(nth_answers("soder-1201-dag1", 0, 0))
    steps.setdefault("05:52", []).append(nth_answers("norr-1201-dag3", 0, 0))
    steps.setdefault("05:55", []).append(nth_answers("soder-1201-dag3", None, 3))
    steps.setdefault("06:02", []).append(coordinator_fills("sam-soder"))
    steps.setdefault("06:08", []).append(everyone_declines_but("soder-1201-kvall1", NEWCOMER))
    steps.setdefault("06:15", []).append(nth_answers("norr-1201-kvall1", 0, 0))
    steps.setdefault("06:30", []).append(handledare_ticks(HANDLEDARE, 4))
    steps.setdefault("06:40", []).append(substitute_cancels("norr-1201-kvall1"))
    steps.setdefault("06:50", []).append(nth_answers("norr-1201-kvall1", 0, 0))
    return steps


async def play(
    stage: Stage, tr: Transcript, end: str = "08:00", minute_seconds: float = 0.05
) -> None:
    steps = script()
    tz = stage.settings.tz
    while True:
        now = stage.clock.now().astimezone(tz)
        hhmm = now.strftime("%H:%M")
        for action in steps.get(hhmm, []):
            await action(stage, tr)
            await stage.settle()
            tr.flush()
        await callout.tick(stage.deps)
        await stage.settle()
        tr.flush()
        if hhmm >= end:
            return
        await asyncio.sleep(minute_seconds)
        stage.clock.advance(dt.timedelta(minutes=1))


async def figures(stage: Stage) -> list[str]:
    """Each vacancy of the day, then the median time to fill and the messages per filled
    vacancy: the staffing report's own figures (bot/domain/staffing.py)."""
    tz = stage.settings.tz
    day = dt.date.fromisoformat(DAY)
    async with stage.deps.db.read() as conn:
        units = await people_repo.all_units(conn)
        after, before = period_bounds(day, day, tz)
        rows = await staffing.staffing_rows(conn, after, before, [u.id for u in units])
    outcomes = sorted(judge(rows), key=lambda o: o.row.vacancy_id)
    lines = []
    for o in outcomes:
        if o.minutes_to_fill is not None:
            how = "för hand" if o.cover == Cover.BY_HAND else "via erbjudande"
            state = f"tillsatt efter {o.minutes_to_fill:.0f} min ({how})"
        else:
            state = "eskalerad" if o.row.escalated else o.row.status.value
        start = o.row.starts_at.astimezone(tz).strftime("%H:%M")
        lines.append(
            f"  #{o.row.vacancy_id} {o.row.shift_id:18} {start}  {state:34} {o.offers:3} "
            f"tillfrågade, {o.messages:3} meddelanden"
        )
    total = staffing_figures(rows, [(u.id, u.name) for u in units], day, day, tz).total
    if total.median_minutes_to_fill is not None and total.messages_per_filled is not None:
        lines.append(
            f"  Median tid till tillsatt: {total.median_minutes_to_fill:.0f} min; "
            f"meddelanden per tillsatt vakans: {total.messages_per_filled:.1f}"
        )
    return lines


def clean(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text)


async def run_morning(stage: Stage, tr: Transcript, minute_seconds: float = 0.05) -> list[str]:
    await play(stage, tr, minute_seconds=minute_seconds)
    board = await board_text(stage.deps)
    return ["", "Tillsättningstavlan kl 08:00:", board, "", "Siffror:", *await figures(stage)]
