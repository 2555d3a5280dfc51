"""A dialogue belongs to one person in one chat, and to the message its buttons are on:
the coordinator's pick lists (fill by hand) and a staff member's absence report cannot be
moved by anyone else's press, nor by an older message's buttons."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from bot.domain.model import AbsenceCategory
from bot.fakes.telegram_server import SentMessage
from bot.services import absence
from handlers.telegram.common import Press, press_verdict
from storage import tables as t
from tests.builders import World
from tests.e2e.conftest import Harness, Launch, press

GROUP = -100777
NOT_YOURS = "Den här dialogen är inte din."
OUTDATED = "Den här listan är inte längre aktuell."


async def world(w: World) -> None:
    await w.unit("norr")
    await w.staff("anna", "norr", name="Anna Andersson")
    await w.staff("olle", "norr", name="Olle Olsson")
    await w.person("kim", roles=[("coordinator", "norr")], quals=(), name="Kim Samordnare")
    await w.person("lena", roles=[("coordinator", "norr")], quals=(), name="Lena Samordnare")
    await w.sub("sub1", name="Sara Vikarie")
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("s-next", "norr", "anna", "2026-12-03 07:00", "2026-12-03 16:00")


@pytest.mark.parametrize(("owners", "user", "message", "verdict"), [
    ({1: 10}, 1, 10, Press.OWN),
    ({1: 10, 2: 20}, 2, 10, Press.NOT_YOURS),  # someone else's list in this chat
    ({1: 10}, 2, 10, Press.NOT_YOURS),  # a member with no dialogue of their own
    ({1: 20}, 1, 10, Press.STALE),  # one's own older list
    ({1: None}, 1, 10, Press.STALE),  # a draft with no buttons (waiting for text)
    ({}, 1, 10, Press.STALE),  # the dialogue has ended
])
def test_who_may_press(owners: dict[int, int | None], user: int, message: int,
                       verdict: Press) -> None:
    assert press_verdict(owners, user, message) is verdict


async def two_vacancies(h: Harness) -> tuple[int, int]:
    receipt = await absence.report_absence(h.deps, "anna", AbsenceCategory.SJUK, "telegram",
                                           shift_ids=["s-day", "s-next"])
    first, second = sorted(receipt.new_vacancy_ids)
    return first, second


async def press_on(h: Harness, who: str, message: SentMessage, label: str, chat_id: int) -> str:
    """`who` presses the button `label` of this very message; the toast they get."""
    answered = len(h.fake.callback_answers)
    h.fake.user_presses_button(h.uid(who), message.message_id, message.button_data(label),
                               chat_id=chat_id)
    await h.fake.wait_for(lambda: len(h.fake.callback_answers) > answered)
    return str(h.fake.callback_answers[-1].get("text") or "")


async def bookings(h: Harness) -> list[tuple[int, str]]:
    async with h.deps.db.read() as conn:
        rows = await conn.execute(sa.select(t.bookings.c.vacancy_id, t.bookings.c.person_id))
        return sorted((r.vacancy_id, r.person_id) for r in rows)


def seen(message: SentMessage) -> tuple[str, list[str]]:
    """What the message shows now (the fake edits its messages in place)."""
    return message.text or "", [str(b.get("text")) for b in message.buttons]


async def test_a_private_pick_list_fills_its_own_vacancy_not_the_groups(launch: Launch) -> None:
    """/tillsatt 2 in private, /tillsatt 1 in the unit group, then a press in the private
    list: the private list's vacancy is filled, never the group's."""
    h = await launch(world)
    h.groups["norr"] = GROUP
    await h.hello("kim", "sub1")
    first, second = await two_vacancies(h)
    await h.step("kim", f"/tillsatt {second}", f"Vem ska ta vakans #{second}")
    await h.step("kim", f"/tillsatt {first}", f"Vem ska ta vakans #{first}", chat="norr")
    await h.dialog([
        ("kim", press("Sara Vikarie"), f"✓ Tillsatt: Sara Vikarie på vakans #{second}."),
    ])
    assert await bookings(h) == [(second, "sub1")]
    # The group's list is untouched and still fills its own vacancy.
    await h.dialog([("kim", press("Sara Vikarie", chat="norr"),
                     f"✓ Tillsatt: Sara Vikarie på vakans #{first}.")])
    assert await bookings(h) == [(first, "sub1"), (second, "sub1")]


async def test_an_older_list_in_the_same_chat_is_no_longer_current(launch: Launch) -> None:
    h = await launch(world)
    await h.hello("kim", "sub1")
    first, second = await two_vacancies(h)
    older = await h.step("kim", f"/tillsatt {second}", f"Vem ska ta vakans #{second}")
    newer = await h.step("kim", f"/tillsatt {first}", f"Vem ska ta vakans #{first}")
    assert isinstance(older, SentMessage) and isinstance(newer, SentMessage)
    assert await press_on(h, "kim", older, "Sara Vikarie", h.uid("kim")) == OUTDATED
    assert await bookings(h) == []
    assert await press_on(h, "kim", newer, "Sara Vikarie", h.uid("kim")) == ""
    await h.message_with("kim", f"✓ Tillsatt: Sara Vikarie på vakans #{first}.")
    assert await bookings(h) == [(first, "sub1")]


async def test_a_group_member_cannot_press_the_coordinators_pick_list(launch: Launch) -> None:
    h = await launch(world)
    h.groups["norr"] = GROUP
    await h.hello("kim", "lena", "olle", "sub1")
    first, second = await two_vacancies(h)
    kims = await h.step("kim", f"/tillsatt {first}", f"Vem ska ta vakans #{first}", chat="norr")
    assert isinstance(kims, SentMessage)
    kims_list = seen(kims)
    # A colleague in the group with no dialogue of their own: refused, the list stays.
    assert await press_on(h, "olle", kims, "Sara Vikarie", GROUP) == NOT_YOURS
    assert await press_on(h, "olle", kims, "Avbryt", GROUP) == NOT_YOURS
    # Another coordinator, in the middle of her own list in the same group: refused too,
    # and her own list is not moved by it.
    lenas = await h.step("lena", f"/tillsatt {second}", f"Vem ska ta vakans #{second}",
                         chat="norr")
    assert isinstance(lenas, SentMessage)
    assert await press_on(h, "lena", kims, "Sara Vikarie", GROUP) == NOT_YOURS
    assert await press_on(h, "lena", kims, "Avbryt", GROUP) == NOT_YOURS
    assert await press_on(h, "kim", lenas, "Sara Vikarie", GROUP) == NOT_YOURS
    assert await bookings(h) == []
    assert seen(kims) == kims_list, "Kim's list is still there"
    assert await press_on(h, "kim", kims, "Sara Vikarie", GROUP) == ""
    await h.expect(GROUP, f"✓ Tillsatt: Sara Vikarie på vakans #{first}.")
    assert await press_on(h, "lena", lenas, "Sara Vikarie", GROUP) == ""
    await h.expect(GROUP, f"✓ Tillsatt: Sara Vikarie på vakans #{second}.")
    assert await bookings(h) == [(first, "sub1"), (second, "sub1")]


async def test_an_absence_draft_is_moved_by_its_owner_only(launch: Launch) -> None:
    """The absence report starts in a private chat only, so another member's press on it is
    a forged one (the same update a shared chat would give): refused, the draft unchanged."""
    h = await launch(world)
    await h.hello("anna", "olle")
    draft = await h.step("anna", "sjuk", "Vilka pass gäller frånvaron?")
    assert isinstance(draft, SentMessage)
    as_sent = seen(draft)
    assert "☑ tis 1/12 07:00–16:00" in as_sent[1]  # "sjuk" picked today's shift
    anna_chat = h.uid("anna")
    assert await press_on(h, "olle", draft, "tis 1/12", anna_chat) == NOT_YOURS
    assert await press_on(h, "olle", draft, "Nästa", anna_chat) == NOT_YOURS
    assert await press_on(h, "olle", draft, "Avbryt", anna_chat) == NOT_YOURS
    assert seen(draft) == as_sent, "nothing toggled, nothing removed"
    # Anna starts over: the first message's buttons no longer act on her new draft.
    newer = await h.step("anna", "sjuk", "Vilka pass gäller frånvaron?")
    assert isinstance(newer, SentMessage) and newer.message_id != draft.message_id
    assert await press_on(h, "anna", draft, "Nästa", anna_chat) == OUTDATED
    assert seen(draft) == as_sent
    await h.dialog([
        ("anna", press("Nästa"), "Frånvaro (sjuk):\n• tis 1/12 07:00–16:00\nSkicka anmälan?"),
        ("anna", press("Ja, skicka"), "Tack, din frånvaro är registrerad för:\n• tis 1/12"),
    ])


async def _half_way_through_nytt(h: Harness) -> None:
    """Kim opens the chat, starts /nytt and picks tomorrow: the bot asks for the time."""
    await h.hello("kim")
    await h.dialog([
        ("kim", "/nytt", "Vilken dag?"),
        ("kim", press("Imorgon"), "Vilken tid?"),
    ])


async def test_a_restart_continues_the_dialogue_where_it_was(launch: Launch) -> None:
    """The dialogue's state is in the database, written with each update: a coordinator
    half-way through /nytt when the bot restarts goes on with the next answer, and the
    day chosen before the restart is the day of the vacancy."""
    from bot.app import VikarieBot

    h = await launch(world)
    await _half_way_through_nytt(h)
    await h.bot.stop()
    h.bot = VikarieBot(h.deps, web=False, ticker=False)
    await h.bot.start()
    try:
        await h.dialog([
            ("kim", "15-22", "Vilken yrkesroll?"),
            ("kim", press("undersköterska"), "Ja, skapa"),
            ("kim", press("Ja, skapa"), "skapad"),
        ])
        async with h.deps.db.read() as conn:  # the one vacancy: the one just created
            starts = [r.starts_at for r in await conn.execute(
                sa.select(t.shifts.c.starts_at).join(
                    t.vacancies, t.vacancies.c.shift_id == t.shifts.c.id))]
        assert [s.astimezone(h.deps.tz).strftime("%d/%m %H:%M") for s in starts] == [
            "02/12 15:00"]
    finally:
        await h.bot.stop()


async def test_without_the_database_state_a_restart_forgets_the_dialogue(
    launch: Launch,
) -> None:
    """The control: with the stored state removed, the same answer after a restart is not
    understood (so the test above depends on the stored state, not on luck)."""
    from bot.app import VikarieBot

    h = await launch(world)
    await _half_way_through_nytt(h)
    await h.bot.stop()
    async with h.deps.db.write() as conn:
        await conn.execute(sa.delete(t.dialogue_state))
    h.bot = VikarieBot(h.deps, web=False, ticker=False)
    await h.bot.start()
    try:
        await h.dialog([("kim", "15-22", "/hjalp")])
    finally:
        await h.bot.stop()


async def _second_worker(h: Harness, stack: Any) -> Any:
    """Another bot process on the same database: its own Application (dialogue state loaded
    now, before the dialogue starts), handling what the first one's poller stores."""
    from bot.app import VikarieBot
    from bot.runtime import open_deps

    deps = await stack.enter_async_context(open_deps(h.deps.settings, h.clock))
    other = VikarieBot(deps, web=False, ticker=False)
    await other.start()
    stack.push_async_callback(other.stop)
    assert other._poller is not None and other.inbox is not None
    other._poller.stop()  # one poller per bot token: the first worker's
    assert other._poll_task is not None
    other._poll_task.cancel()
    other.inbox.stop()  # started below, once the first worker has stopped taking rows
    return other


@pytest.mark.parametrize("refreshed", [True, False], ids=["refreshed", "control"])
async def test_another_worker_continues_the_dialogue(
    launch: Launch, refreshed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers share the database: the first handles /nytt and the day, the second
    (whose Application loaded the dialogue state before the dialogue began) gets the time
    and goes on, because it reads the asker's state before each update. The control
    without that read: the second worker does not understand the time."""
    import contextlib

    from handlers.inbox import InboxWorker
    from handlers.telegram.persistence import DbPersistence

    h = await launch(world)
    async with contextlib.AsyncExitStack() as stack:
        other = await _second_worker(h, stack)
        await _half_way_through_nytt(h)
        assert h.bot.inbox is not None
        h.bot.inbox.stop()  # the first worker takes no more rows
        if not refreshed:
            async def stale(self: DbPersistence, app: Any, update: Any) -> None:
                return None
            monkeypatch.setattr(DbPersistence, "refresh_dialogue", stale)
        worker = InboxWorker(other.deps, other.telegram)
        task = asyncio.create_task(worker.run_forever())
        try:
            if refreshed:
                await h.dialog([
                    ("kim", "15-22", "Vilken yrkesroll?"),
                    ("kim", press("undersköterska"), "Ja, skapa"),
                    ("kim", press("Ja, skapa"), "skapad"),
                ])
            else:
                await h.dialog([("kim", "15-22", "/hjalp")])
        finally:
            worker.stop()
            await task


@pytest.mark.parametrize(("minutes", "answer"), [(14, "Vilken yrkesroll?"), (16, "/hjalp")])
async def test_a_dialogue_left_a_quarter_of_an_hour_is_over(
    launch: Launch, minutes: int, answer: str
) -> None:
    """The dialogue's state in the database is its timeout (no PTB timeout job, which lives
    in one process): 14 minutes after the last step it goes on, 16 minutes after it is over
    and the answer is not understood."""
    h = await launch(world)
    await _half_way_through_nytt(h)
    h.clock.set(h.clock.now() + dt.timedelta(minutes=minutes))
    await h.dialog([("kim", "15-22", answer)])
