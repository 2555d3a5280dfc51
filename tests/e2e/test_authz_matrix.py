"""The authorisation matrix: given a genuine Telegram update, each role can do only what it
may. One row per (role, action, expected), run through the real Application against the
local Bot API fake, on a real SQLite file.

Two units, Norr (A) and Soder (B), each with its group chat (enhetschatt). The coordinator
(samordnare) and the handledare work at Norr only; the admin everywhere; a coordinator grant
without a unit gives no unit at all. Every row starts from the same scene: a searching
vacancy at each unit (offers out to two substitutes), a filled one at each unit, and a
checklist (introduktion) at each unit.

A button press is forged: the actor's client sends callback_data of a button they were
never shown (Telegram does not stop a modified client from doing that), so a refusal must
come from a check, not from the keyboard.

- ALLOWED: the action's effect is in the database (or its answer is shown, for reads).
- a refusal: the short refusal reply (message or toast) is shown AND nothing in the database
  changed (vacancies, offers, bookings, shifts, invites, checklists and ticks, audit rows,
  people, units, small state: a live board too) AND, where the action names what it must
  not show (`hidden`: a board), that is not shown. Remove the check behind a row and the
  row fails.

One bot runs the whole matrix (a launch costs most of a second): after a row that may have
changed the database, the scene's rows are written back; a row that may leave a dialogue
open ends it with /avbryt.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa
from pydantic import SecretStr

from bot.app import VikarieBot
from bot.clock import FakeClock
from bot.config import Settings
from bot.domain.intents import FillByHand
from bot.domain.model import AbsenceCategory
from bot.fakes.telegram_server import FakeTelegram, SentMessage
from bot.runtime import open_deps
from bot.services import absence, coordinator, introduction
from storage import tables as t
from tests.builders import World, local, person_of
from tests.e2e.conftest import TOKEN, Harness, shown

STRANGER_UID = 987_654  # a Telegram user on no roster
GROUP_B = -100_777  # a group linked to no unit (until an admin's /enhetschatt soder)
GROUP_NORR = -100_778  # Norr's group chat (enhetschatt)
GROUP_SODER = -100_779  # Soder's group chat

# Who acts in each role.
ACTOR = {
    "staff": "anna",  # ordinarie, Norr
    "substitute": "sara",  # vikarie, introduced at Norr, being introduced at Soder
    "coordinator": "kim",  # samordnare of Norr
    "coordinator of no unit": "kai",  # a coordinator grant without a unit: no unit at all
    "handledare": "hanna",  # handledare of Norr
    "admin": "ada",
    "unknown": "stranger",  # not linked
}


async def world(w: World) -> None:
    """Everyone on Telegram only, so every delivery succeeds and no failure is audited
    while a row runs."""
    tg: dict[str, Any] = {"channel": "telegram", "sms": False}
    await w.unit("norr", coordinator_chat_id=GROUP_NORR)
    await w.unit("soder", coordinator_chat_id=GROUP_SODER)
    await w.staff("anna", "norr", name="Anna Andersson", **tg)
    await w.staff("olle", "soder", name="Olle Olsson", **tg)
    await w.person("kim", roles=[("coordinator", "norr")], quals=(), name="Kim Samordnare",
                   **tg)
    await w.person("kai", roles=[("coordinator", None)], quals=(), name="Kai Utan Enhet",
                   **tg)
    await w.person("hanna", roles=[("handledare", "norr")], introduced=["norr"],
                   name="Hanna Handledare", **tg)
    await w.person("ada", roles=[("admin", None)], quals=(), name="Ada Admin", **tg)
    await w.sub("sara", introduced=["norr"], name="Sara Vikarie", **tg)
    await w.sub("bert", introduced=["norr", "soder"], name="Bert Vikarie", **tg)
    await w.sub("nils", introduced=(), name="Nils Ny", **tg)
    await w.shift("a-1", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("a-2", "norr", "anna", "2026-12-02 07:00", "2026-12-02 16:00")
    await w.shift("a-3", "norr", "anna", "2026-12-03 07:00", "2026-12-03 16:00")
    await w.shift("b-1", "soder", "olle", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("b-2", "soder", "olle", "2026-12-02 07:00", "2026-12-02 16:00")


async def scene(h: Harness) -> dict[str, int]:
    """The ids every row may use: vacancies, offers, bookings, checklists, items."""
    async def sick(who: str, shift: str) -> int:
        receipt = await absence.report_absence(h.deps, who, AbsenceCategory.SJUK, "sms",
                                               shift_ids=[shift])
        return receipt.new_vacancy_ids[0]

    ids = {"vA": await sick("anna", "a-1"), "vB": await sick("olle", "b-1"),
           "vAf": await sick("anna", "a-2"), "vBf": await sick("olle", "b-2")}
    ada = await person_of(h.deps, "ada")
    for key, who in (("vAf", "sara"), ("vBf", "bert")):
        done = await coordinator.fill(h.deps, ada, FillByHand(ids[key], who), "test")
        assert done.booking_id is not None, done
        ids[f"booking_{who}"] = done.booking_id
    async with h.deps.db.write() as conn:
        for key, who, unit in (("cA", "nils", "norr"), ("cB", "sara", "soder")):
            started = await introduction.start_checklist(conn, h.deps, who, unit)
            assert started is not None
            ids[key] = started[0].id
        items = (await conn.execute(sa.select(t.checklist_items.c.id, t.checklist_items.c.kind)
                                    .order_by(t.checklist_items.c.position))).all()
        ids["item"] = items[0].id  # 1. a plain tick
        ids["confirm_item"] = next(i.id for i in items if i.kind == "confirm")
        for o in (await conn.execute(sa.select(t.offers).where(
                t.offers.c.vacancy_id == ids["vA"]))).all():
            ids[f"offer_{o.person_id}"] = o.id
    assert {"offer_sara", "offer_bert"} <= ids.keys(), ids
    return ids


# ---------- what the database holds ----------

# Every table but the outbox (the dispatcher works it), the inbox (every update is stored
# there, handled or refused), the dialogue state (where a dialogue is) and the webhook
# dedupe: vacancies,
# offers, bookings, shifts, absences, invites, checklists and ticks, audit rows, people,
# units, small state (kv) ...
UNWATCHED = {t.outbox.name, t.inbox.name, t.inbound_seen.name, t.dialogue_state.name}
WATCHED = tuple(tb for tb in t.metadata.sorted_tables if tb.name not in UNWATCHED)


async def state(h: Harness) -> dict[str, list[tuple[Any, ...]]]:
    """Every watched table, row by row."""
    async with h.deps.db.read() as conn:
        return {table.name: sorted((tuple(r) for r in await conn.execute(sa.select(table))),
                                   key=repr) for table in WATCHED}


async def scalar(h: Harness, query: Any) -> Any:
    async with h.deps.db.read() as conn:
        return (await conn.execute(query)).scalar()


Check = Callable[[Harness, dict[str, Any]], Awaitable[None]]


def vacancy(key: str, status: str) -> Check:
    async def check(h: Harness, ids: dict[str, Any]) -> None:
        v = t.vacancies.c
        assert await scalar(h, sa.select(v.status).where(v.id == ids[key])) == status

    return check


def widened(key: str) -> Check:
    async def check(h: Harness, ids: dict[str, Any]) -> None:
        v = t.vacancies.c
        assert await scalar(h, sa.select(v.widened).where(v.id == ids[key]))

    return check


def booked(key: str, who: str) -> Check:
    async def check(h: Harness, ids: dict[str, Any]) -> None:
        b = t.bookings.c
        assert await scalar(h, sa.select(b.person_id).where(
            b.vacancy_id == ids[key], b.cancelled_at.is_(None))) == who

    return check


def booking_cancelled(key: str) -> Check:
    async def check(h: Harness, ids: dict[str, Any]) -> None:
        b = t.bookings.c
        assert await scalar(h, sa.select(b.cancelled_at).where(b.id == ids[key])) is not None

    return check


def ticked(key: str) -> Check:
    async def check(h: Harness, ids: dict[str, Any]) -> None:
        k = t.checklist_ticks.c
        assert await scalar(h, sa.select(sa.func.count()).where(
            k.checklist_id == ids[key], k.item_id == ids["item"])) == 1

    return check


def invited(person: str) -> Check:
    async def check(h: Harness, ids: dict[str, Any]) -> None:
        i = t.invites.c
        assert await scalar(h, sa.select(sa.func.count()).where(i.person_id == person)) == 1

    return check


def group_of(unit: str, chat: int) -> Check:
    async def check(h: Harness, ids: dict[str, Any]) -> None:
        u = t.units.c
        assert await scalar(h, sa.select(u.coordinator_chat_id).where(u.id == unit)) == chat

    return check


def new_shift_at(unit: str) -> Check:
    async def check(h: Harness, ids: dict[str, Any]) -> None:
        s = t.shifts.c
        assert await scalar(h, sa.select(sa.func.count()).where(
            s.unit_id == unit, s.id.like("m-%"))) == 1

    return check


async def my_days_changed(h: Harness, ids: dict[str, Any]) -> None:
    p = t.people.c
    assert await scalar(h, sa.select(p.available_days).where(p.id == ids["me"])) != "1234567"


async def nothing(h: Harness, ids: dict[str, Any]) -> None:
    """A read: the answer shown is the effect."""


# ---------- actions ----------

@dataclass(frozen=True)
class Tap:
    data: str  # callback_data, with {placeholders} from the scene


@dataclass(frozen=True)
class Action:
    steps: tuple[str | Tap, ...]  # texts (commands) and forged button presses, in order
    effect: Check  # what an allowed actor leaves in the database
    reply: str  # part of the answer an allowed actor sees
    chat: int | None = None  # a group chat; else the actor's private chat
    dialogue: bool = False  # may leave a dialogue open: /avbryt after the row
    hidden: str | None = None  # what a refused actor must not be shown (a board, say)


def act(*steps: str | Tap, effect: Check = nothing, reply: str, chat: int | None = None,
        dialogue: bool = False, hidden: str | None = None) -> Action:
    return Action(steps, effect, reply, chat, dialogue, hidden)


BOARD = "Tillsättning"  # the first word of every live board (tillsättningsläget)


ACTIONS: dict[str, Action] = {
    # the coordinator's commands and escalation buttons, on Norr's (A) and Soder's (B) vacancies
    "/status": act("/status", reply="{vA} 07:00–16:00", hidden=BOARD),  # Norr's vacancy
    # in a group: the board of the units linked to the group (and coordinated by the actor)
    "/status in Norr's group": act("/status", reply="{vA} 07:00–16:00", chat=GROUP_NORR,
                                   hidden=BOARD),
    "/status in Soder's group": act("/status", reply="{vB} 07:00–16:00", chat=GROUP_SODER,
                                    hidden=BOARD),
    "/status in an unlinked group": act("/status", reply=BOARD, chat=GROUP_B, hidden=BOARD),
    "/forklara A": act("/forklara {vA}", reply="Behöriga, i turordning"),
    "/forklara B": act("/forklara {vB}", reply="Behöriga, i turordning"),
    "/avbryt A": act("/avbryt {vA}", effect=vacancy("vA", "cancelled"), reply="är avbruten"),
    "/avbryt B": act("/avbryt {vB}", effect=vacancy("vB", "cancelled"), reply="är avbruten"),
    "/tillsatt A": act("/tillsatt {vA}", reply="Behöriga i turordning", dialogue=True),
    "/tillsatt B": act("/tillsatt {vB}", reply="Behöriga i turordning", dialogue=True),
    "fill A": act("/tillsatt {vA}", Tap("fill:0"), effect=vacancy("vA", "filled"),
                  reply="✓ Tillsatt"),
    "fill B": act("/tillsatt {vB}", Tap("fill:0"), effect=vacancy("vB", "filled"),
                  reply="✓ Tillsatt"),
    "fill:0": act(Tap("fill:0"), reply="✓ Tillsatt"),  # a pick with no dialogue behind it
    "esc:f A": act(Tap("esc:f:{vA}"), reply="Behöriga i turordning", dialogue=True),
    "esc:f B": act(Tap("esc:f:{vB}"), reply="Behöriga i turordning", dialogue=True),
    "esc:w A": act(Tap("esc:w:{vA}"), effect=widened("vA"), reply="Breddat av"),
    "esc:w B": act(Tap("esc:w:{vB}"), effect=widened("vB"), reply="Breddat av"),
    "esc:c B": act(Tap("esc:c:{vB}"), reply="Avbryta vakans"),
    "esc:cy A": act(Tap("esc:cy:{vA}"), effect=vacancy("vA", "cancelled"), reply="är avbruten"),
    "esc:cy B": act(Tap("esc:cy:{vB}"), effect=vacancy("vB", "cancelled"), reply="är avbruten"),
    "rel:r A": act(Tap("rel:r:{vAf}"), effect=booking_cancelled("booking_sara"),
                   reply="vikarien är avbokad"),
    "rel:r B": act(Tap("rel:r:{vBf}"), effect=booking_cancelled("booking_bert"),
                   reply="vikarien är avbokad"),
    "/nytt A": act("/nytt", Tap("new:d:1"), "15-22", Tap("new:r:usk"), Tap("new:ok"),
                   effect=new_shift_at("norr"), reply="skapad: Hemtjänst Norr"),
    "/nytt B": act("/nytt", Tap("new:u:1"), Tap("new:d:1"), "15-22", Tap("new:r:usk"),
                   Tap("new:ok"), effect=new_shift_at("soder"), reply="skapad: Hemtjänst Soder"),
    # the unit step of /nytt with Soder (the second unit) chosen: a coordinator of Norr
    # only is never asked for a unit, so a forged choice finds no dialogue step to take it
    "/nytt choose B": act("/nytt", Tap("new:u:1"), reply="Vilken dag?", dialogue=True),
    "/inbjud A": act("/inbjud anna", effect=invited("anna"), reply="Inbjudan till Anna"),
    "/inbjud B": act("/inbjud olle", effect=invited("olle"), reply="Inbjudan till Olle"),
    "/inbjud coordinator": act("/inbjud kim", effect=invited("kim"), reply="Inbjudan till Kim"),
    "/enhetschatt B": act("/enhetschatt soder", effect=group_of("soder", GROUP_B),
                          reply="samordnarchatt för Hemtjänst Soder", chat=GROUP_B),
    "/introduktion": act("/introduktion", reply="Nils Ny"),
    # introduction checklists: A = Nils at Norr, B = Sara at Soder
    "ck A": act(Tap("ck:{cA}:{item}"), effect=ticked("cA"), reply="Klart 1/"),
    "ck B": act(Tap("ck:{cB}:{item}"), effect=ticked("cB"), reply="Klart 1/"),
    "cks B": act(Tap("cks:{cB}"), reply="Signera"),
    "cko A": act(Tap("cko:{cA}"), reply="Introduktion: Nils Ny"),
    "cko B": act(Tap("cko:{cB}"), reply="Introduktion: Sara Vikarie"),
    "ckc A": act(Tap("ckc:{cA}:{confirm_item}"), reply="bekräftat"),
    # offers (Sara's and Bert's, for A), bookings (Sara's at A, Bert's at B), availability
    "acc Sara's": act(Tap("acc:{offer_sara}"), effect=booked("vA", "sara"), reply="Bokat"),
    "acc Bert's": act(Tap("acc:{offer_bert}"), effect=booked("vA", "bert"), reply="Bokat"),
    "dec Bert's": act(Tap("dec:{offer_bert}"), reply="Tack för svaret"),
    "bk:y Sara's": act(Tap("bk:y:{booking_sara}"), effect=booking_cancelled("booking_sara"),
                       reply="Avbokat"),
    "bk:y Bert's": act(Tap("bk:y:{booking_bert}"), effect=booking_cancelled("booking_bert"),
                       reply="Avbokat"),
    "av:d:1": act(Tap("av:d:1"), effect=my_days_changed, reply="Du tar pass"),
    # staff
    "/sjuk": act("/sjuk", reply="Vilka pass gäller frånvaron?", dialogue=True),
    "/frisk": act("/frisk", effect=vacancy("vA", "cancelled"), reply="Välkommen tillbaka"),
}


@dataclass(frozen=True)
class Refused:
    reply: str  # part of the short refusal (a message, or the button's toast)


ALLOWED = None
NOT_ALLOWED = Refused("inte tillgängligt för dig")  # the role check (requires)
NOT_AT_YOUR_UNITS = Refused("Hittar ingen vakans")  # the unit scope of a vacancy
NO_SUCH_PERSON = Refused("Hittar ingen person med id")  # invites: may_manage
WHICH_UNIT = Refused("Vilken enhet? Skriv /enhetschatt")  # a unit not theirs
ONLY_HANDLEDARE = Refused("bara enhetens handledare")  # may_supervise
NOT_YOURS = Refused("inte din")  # someone else's offer
CANNOT_UNBOOK = Refused("Det går inte att avboka")  # someone else's booking
STALE = Refused("gäller inte längre")  # a dialogue button with no dialogue behind it
LINK_HELP = Refused("Du är inte kopplad ännu")  # not linked: how to register, nothing else
LINK_HELP_GROUP = Refused("Skriv till mig privat")
NO_UNITS = Refused("inte samordnare för någon enhet")  # a coordinator grant without a unit
NOT_THIS_GROUP = Refused("inte kopplad till någon av dina enheter")  # a board in a group
# /sjuk is anyone's (issue #12): with neither shift nor booking, SMS SJUK's answer; a booked
# substitute is first asked (nothing changes until they confirm)
NOTHING_TO_REPORT = Refused("Du har inget pass de närmaste")
ASKS_FIRST = Refused("Är du säker?")

Expected = Refused | None

MATRIX: list[tuple[str, str, Expected]] = [
    # --- a coordinator of Norr: their own unit yes, Soder no ---
    ("coordinator", "/status", ALLOWED),  # in their private chat: all their units
    ("coordinator", "/status in Norr's group", ALLOWED),
    ("coordinator", "/status in Soder's group", NOT_THIS_GROUP),  # no board of Norr there
    ("coordinator", "/status in an unlinked group", NOT_THIS_GROUP),
    ("coordinator", "/forklara A", ALLOWED),
    ("coordinator", "/forklara B", NOT_AT_YOUR_UNITS),
    ("coordinator", "/avbryt A", ALLOWED),
    ("coordinator", "/avbryt B", NOT_AT_YOUR_UNITS),
    ("coordinator", "/tillsatt A", ALLOWED),
    ("coordinator", "/tillsatt B", NOT_AT_YOUR_UNITS),
    ("coordinator", "fill A", ALLOWED),
    ("coordinator", "fill B", NOT_AT_YOUR_UNITS),
    ("coordinator", "fill:0", STALE),
    ("coordinator", "esc:f A", ALLOWED),
    ("coordinator", "esc:f B", NOT_AT_YOUR_UNITS),
    ("coordinator", "esc:w A", ALLOWED),
    ("coordinator", "esc:w B", NOT_AT_YOUR_UNITS),
    ("coordinator", "esc:c B", NOT_AT_YOUR_UNITS),
    ("coordinator", "esc:cy A", ALLOWED),
    ("coordinator", "esc:cy B", NOT_AT_YOUR_UNITS),
    ("coordinator", "rel:r A", ALLOWED),
    ("coordinator", "rel:r B", NOT_AT_YOUR_UNITS),
    ("coordinator", "/nytt A", ALLOWED),
    ("coordinator", "/nytt choose B", STALE),
    ("coordinator", "/inbjud A", ALLOWED),
    ("coordinator", "/inbjud B", NO_SUCH_PERSON),
    ("coordinator", "/inbjud coordinator", NO_SUCH_PERSON),  # elevated accounts: admin only
    ("coordinator", "/enhetschatt B", WHICH_UNIT),
    ("coordinator", "/introduktion", ALLOWED),
    ("coordinator", "cko A", ALLOWED),
    ("coordinator", "cko B", ONLY_HANDLEDARE),
    ("coordinator", "ck A", ONLY_HANDLEDARE),  # sees, never ticks
    ("coordinator", "acc Sara's", NOT_YOURS),
    ("coordinator", "bk:y Sara's", CANNOT_UNBOOK),
    ("coordinator", "av:d:1", NOT_ALLOWED),
    ("coordinator", "/sjuk", NOTHING_TO_REPORT),
    # --- a coordinator grant without a unit: no unit anywhere (least privilege) ---
    ("coordinator of no unit", "/status", NO_UNITS),
    ("coordinator of no unit", "/status in Norr's group", NO_UNITS),
    ("coordinator of no unit", "/introduktion", NOT_ALLOWED),
    ("coordinator of no unit", "cko A", ONLY_HANDLEDARE),
    ("coordinator of no unit", "cko B", ONLY_HANDLEDARE),
    ("coordinator of no unit", "/forklara A", NOT_AT_YOUR_UNITS),
    ("coordinator of no unit", "esc:w A", NOT_AT_YOUR_UNITS),
    # --- the admin: every unit, but never a handledare's ticks ---
    ("admin", "/status in Soder's group", ALLOWED),  # the board of the group's unit
    ("admin", "/forklara B", ALLOWED),
    ("admin", "/avbryt B", ALLOWED),
    ("admin", "fill B", ALLOWED),
    ("admin", "esc:w B", ALLOWED),
    ("admin", "rel:r B", ALLOWED),
    ("admin", "/nytt choose B", ALLOWED),
    ("admin", "/nytt B", ALLOWED),
    ("admin", "/inbjud coordinator", ALLOWED),
    ("admin", "/enhetschatt B", ALLOWED),
    ("admin", "cko B", ALLOWED),
    ("admin", "ck B", ONLY_HANDLEDARE),
    ("admin", "acc Sara's", NOT_YOURS),
    # --- the handledare of Norr: Norr's checklists, nothing of a coordinator's ---
    ("handledare", "ck A", ALLOWED),
    ("handledare", "ck B", ONLY_HANDLEDARE),
    ("handledare", "cks B", ONLY_HANDLEDARE),
    ("handledare", "cko A", ALLOWED),
    ("handledare", "cko B", ONLY_HANDLEDARE),
    ("handledare", "ckc A", ONLY_HANDLEDARE),  # only Nils confirms Nils's items
    ("handledare", "/status", NOT_ALLOWED),
    ("handledare", "/avbryt A", NOT_ALLOWED),
    ("handledare", "esc:w A", NOT_ALLOWED),
    ("handledare", "/introduktion", NOT_ALLOWED),
    ("handledare", "acc Sara's", NOT_YOURS),
    # --- a substitute: their own offers, bookings and availability ---
    ("substitute", "acc Sara's", ALLOWED),
    ("substitute", "acc Bert's", NOT_YOURS),
    ("substitute", "dec Bert's", NOT_YOURS),
    ("substitute", "bk:y Sara's", ALLOWED),
    ("substitute", "bk:y Bert's", CANNOT_UNBOOK),
    ("substitute", "av:d:1", ALLOWED),
    ("substitute", "ck B", ONLY_HANDLEDARE),  # not even on their own checklist
    ("substitute", "ck A", ONLY_HANDLEDARE),
    ("substitute", "cko A", ONLY_HANDLEDARE),  # someone else's introduction
    ("substitute", "ckc A", ONLY_HANDLEDARE),
    ("substitute", "/status", NOT_ALLOWED),
    ("substitute", "/forklara A", NOT_ALLOWED),
    ("substitute", "/avbryt A", NOT_ALLOWED),
    ("substitute", "/tillsatt A", NOT_ALLOWED),
    ("substitute", "esc:f A", NOT_ALLOWED),
    ("substitute", "esc:w A", NOT_ALLOWED),
    ("substitute", "esc:cy A", NOT_ALLOWED),
    ("substitute", "rel:r A", NOT_ALLOWED),
    ("substitute", "/nytt A", NOT_ALLOWED),
    ("substitute", "/inbjud A", NOT_ALLOWED),
    ("substitute", "/enhetschatt B", NOT_ALLOWED),
    ("substitute", "/introduktion", NOT_ALLOWED),
    ("substitute", "/sjuk", ASKS_FIRST),  # Sara's booking tomorrow, shown to confirm
    ("substitute", "/frisk", NOT_ALLOWED),
    # --- staff: their own absence, nothing of a coordinator's ---
    ("staff", "/sjuk", ALLOWED),
    ("staff", "/frisk", ALLOWED),
    ("staff", "av:d:1", ALLOWED),
    ("staff", "/status", NOT_ALLOWED),
    ("staff", "/forklara A", NOT_ALLOWED),
    ("staff", "/avbryt A", NOT_ALLOWED),
    ("staff", "/tillsatt A", NOT_ALLOWED),
    ("staff", "esc:f A", NOT_ALLOWED),
    ("staff", "esc:w A", NOT_ALLOWED),
    ("staff", "esc:cy A", NOT_ALLOWED),
    ("staff", "rel:r A", NOT_ALLOWED),
    ("staff", "/nytt A", NOT_ALLOWED),
    ("staff", "/inbjud A", NOT_ALLOWED),
    ("staff", "/enhetschatt B", NOT_ALLOWED),
    ("staff", "/introduktion", NOT_ALLOWED),
    ("staff", "acc Sara's", NOT_YOURS),
    ("staff", "bk:y Sara's", CANNOT_UNBOOK),
    ("staff", "ck A", ONLY_HANDLEDARE),
    ("staff", "fill:0", STALE),
    # --- someone not linked: how to register, and nothing else ---
    ("unknown", "/status", LINK_HELP),
    ("unknown", "/avbryt A", LINK_HELP),
    ("unknown", "/forklara A", LINK_HELP),
    ("unknown", "/tillsatt A", LINK_HELP),
    ("unknown", "/nytt A", LINK_HELP),
    ("unknown", "/inbjud A", LINK_HELP),
    ("unknown", "/sjuk", LINK_HELP),
    ("unknown", "/frisk", LINK_HELP),
    ("unknown", "/introduktion", LINK_HELP),
    ("unknown", "/enhetschatt B", LINK_HELP_GROUP),
    ("unknown", "esc:w A", LINK_HELP),
    ("unknown", "esc:cy A", LINK_HELP),
    ("unknown", "rel:r A", LINK_HELP),
    ("unknown", "acc Sara's", LINK_HELP),
    ("unknown", "bk:y Sara's", LINK_HELP),
    ("unknown", "ck A", LINK_HELP),
    ("unknown", "av:d:1", LINK_HELP),
]


# ---------- running one row ----------

@dataclass
class Run:
    h: Harness
    ids: dict[str, Any]
    uid: int
    chat: int
    seen: dict[int, str] = field(default_factory=dict)
    answered: int = 0

    def fill(self, text: str) -> str:
        return text.format(**self.ids)

    def mark(self) -> None:
        self.seen = self.h.snapshot(self.chat)
        self.answered = len(self.h.fake.callback_answers)

    def news(self) -> list[str]:
        """Bot messages new or changed since `mark`, and toasts since then."""
        fresh = [text for mid, text in self.h.snapshot(self.chat).items()
                 if self.seen.get(mid) != text]
        return fresh + [str(a.get("text") or "") for a in
                        self.h.fake.callback_answers[self.answered:]]

    async def do(self, step: str | Tap) -> None:
        self.mark()
        if isinstance(step, Tap):
            data = self.fill(step.data)
            # A forged press: the button goes on the newest bot message in the chat.
            message: SentMessage | None = self.h.fake.last_message(self.chat)
            assert message is not None, "the actor has no bot message to press on"
            message.reply_markup = {"inline_keyboard": [[{"text": "·", "callback_data": data}]]}
            self.seen[message.message_id] = shown(message)
            self.h.fake.user_presses_button(self.uid, message.message_id, data,
                                            chat_id=self.chat)
            await self.h.fake.wait_for(
                lambda: len(self.h.fake.callback_answers) > self.answered)
        else:
            self.h.fake.user_sends_text(self.uid, self.fill(step),
                                        chat_id=self.chat if self.chat != self.uid else None)
        # A person presses only what they have been shown: the next forged press goes on
        # the answer to this step, not on the message before it.
        await self.h.handled()

    def said(self) -> tuple[dict[int, str], int]:
        """What the bot has said in the chat so far (message texts, not the buttons a forged
        press puts on them) and how many toasts: a mark for `answer(since=...)`."""
        texts = {m.message_id: m.text or "" for m in self.h.fake.messages(self.chat)}
        return texts, len(self.h.fake.callback_answers)

    def said_since(self, mark: tuple[dict[int, str], int]) -> list[str]:
        texts, answered = mark
        now, _ = self.said()
        return [text for mid, text in now.items() if texts.get(mid) != text] + [
            str(a.get("text") or "") for a in self.h.fake.callback_answers[answered:]]

    async def answer(self, text: str,
                     since: tuple[dict[int, str], int] | None = None) -> str:
        def found() -> str | None:
            said = self.news() if since is None else self.said_since(since)
            return next((n for n in said if text in n), None)

        try:
            return await self.h.fake.wait_for(found, 5.0)
        except TimeoutError:
            said = self.news() if since is None else self.said_since(since)
            raise AssertionError(f"no {text!r} in {said!r}") from None

    async def any_answer(self) -> None:
        await self.h.fake.wait_for(lambda: [n for n in self.news() if n.strip()], 5.0)


@dataclass
class Stage:
    """One running bot for the whole matrix; `reset` puts the scene back before each row."""

    h: Harness
    ids: dict[str, Any]
    scene: dict[str, list[tuple[Any, ...]]]
    dirty: bool = False  # the last row may have changed the database

    async def reset(self) -> None:
        if not self.dirty:
            return
        await self.h.settle()  # nothing of the last row still on its way
        tables = [tb for tb in t.metadata.sorted_tables if tb.name in self.scene]
        async with self.h.deps.db.write() as conn:
            for table in reversed(tables):
                await conn.execute(sa.delete(table))
            for table in tables:
                rows = [dict(zip(table.c.keys(), r, strict=True)) for r in self.scene[table.name]]
                if rows:
                    await conn.execute(sa.insert(table), rows)
        self.dirty = False


async def open_chats(h: Harness) -> None:
    """Everyone (the stranger too) opens their chat with the bot, all at once."""
    for uid in h.users.values():
        h.fake.user_sends_text(uid, "/start")
    for uid in h.users.values():
        await h.fake.wait_for_message(uid, "dela ditt" if uid == STRANGER_UID else "/hjalp")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stage(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stage]:
    """The conftest's `launch`, once for the module (a launch costs most of a second)."""
    async with contextlib.AsyncExitStack() as stack:
        fake = FakeTelegram(TOKEN)
        await fake.start()
        stack.push_async_callback(fake.stop)
        db = tmp_path_factory.mktemp("authz") / "authz.db"
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, database_url=f"sqlite+aiosqlite:///{db}",
            telegram_token=SecretStr(TOKEN), telegram_api_url=fake.base_url,
            outbox_poll_seconds=0.05)
        clock = FakeClock(local("2026-12-01 05:45"))
        deps = await stack.enter_async_context(open_deps(settings, clock))
        await world(World(deps.db))
        async with deps.db.read() as conn:
            users = {r.id: r.telegram_user_id for r in await conn.execute(
                sa.select(t.people.c.id, t.people.c.telegram_user_id))}
        bot = VikarieBot(deps, web=False, ticker=False)
        await bot.start()
        stack.push_async_callback(bot.stop)
        h = Harness(fake, deps, clock, bot, {**users, "stranger": STRANGER_UID})
        h.groups["B"] = GROUP_B
        await open_chats(h)
        ids: dict[str, Any] = await scene(h)
        await h.settle()
        saved = await state(h)
        async with deps.db.read() as conn:
            saved["outbox"] = [tuple(r) for r in await conn.execute(sa.select(t.outbox))]
        yield Stage(h, ids, saved)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("role", "action", "expected"), MATRIX,
                         ids=[f"{r}:{a}" for r, a, _ in MATRIX])
async def test_authorisation(stage: Stage, role: str, action: str, expected: Expected) -> None:
    await stage.reset()
    stage.dirty = True
    spec, who = ACTIONS[action], ACTOR[role]
    h = stage.h
    run = Run(h, {**stage.ids, "me": who}, h.uid(who),
              spec.chat if spec.chat is not None else h.uid(who))
    before = await state(h)
    row_start = run.said()
    try:
        *first, last = spec.steps
        for step in first:  # the way to the decisive step (a dialogue's earlier answers)
            await run.do(step)
            await run.any_answer()
        await run.do(last)
        if expected is ALLOWED:
            await run.answer(run.fill(spec.reply))
            await spec.effect(h, run.ids)
            return
        # Refused at whichever step the check stands (a dialogue's first, or its last).
        await run.answer(expected.reply, since=row_start)
        await h.settle()
        if spec.hidden is not None:
            leaked = [n for n in run.news() if run.fill(spec.hidden) in n]
            assert not leaked, f"a refusal showed what it refuses: {leaked!r}"
        assert await state(h) == before, "a refused action changed the database"
        stage.dirty = False
    finally:
        if spec.dialogue and role != "unknown":  # end any dialogue the row left open
            run.chat = h.uid(who)
            await run.do("/avbryt")
            await run.answer("avbrutet")


def test_the_matrix_names_real_actions() -> None:
    assert {a for _, a, _ in MATRIX} <= ACTIONS.keys()
    assert {r for r, _, _ in MATRIX} == ACTOR.keys()
    assert len({(r, a) for r, a, _ in MATRIX}) == len(MATRIX), "a row is there twice"
