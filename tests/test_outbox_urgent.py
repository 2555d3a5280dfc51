"""Urgent first, and one send budget for every worker (issue #13, parts 4 and 5)."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from bot.channels.base import Delivery, RecordingSender
from bot.channels.dispatcher import Dispatcher, Pacing
from bot.clock import FakeClock
from bot.domain import intents
from bot.domain.model import Person
from bot.domain.outgoing import OutMessage
from bot.services import answers
from bot.services.deps import Deps
from storage import outbox, send_budget, vacancies
from storage import tables as t
from storage.db import Database
from tests.builders import World, make_deps, report_absent

NOW = "2026-12-01 06:00"
SEC = dt.timedelta(seconds=1)


async def _world(db: Database, now: dt.datetime, people: int) -> None:
    async with db.write() as conn:
        await conn.execute(sa.insert(t.units).values(id="u", name="Norr"))
        await conn.execute(
            sa.insert(t.people),
            [
                {"id": f"p{i}", "name": f"P {i}", "telegram_chat_id": 1000 + i}
                for i in range(people)
            ],
        )


async def _vacancy(
    conn: sa.ext.asyncio.AsyncConnection, n: int, starts: dt.datetime, now: dt.datetime
) -> int:
    await conn.execute(
        sa.insert(t.shifts).values(
            id=f"s{n}", unit_id="u", starts_at=starts, ends_at=starts + 8 * 3600 * SEC, role="usk"
        )
    )
    return int(
        (
            await conn.execute(
                sa.insert(t.vacancies)
                .values(shift_id=f"s{n}", status="searching", created_at=now, updated_at=now)
                .returning(t.vacancies.c.id)
            )
        ).scalar_one()
    )


async def _offers(
    conn: sa.ext.asyncio.AsyncConnection,
    vacancy_id: int,
    wave: int,
    ranks: range,
    now: dt.datetime,
) -> list[outbox.Enqueued]:
    """One wave of offers and their outbox rows, as the call-out queues them; each
    vacancy asks people of its own (p<vacancy><rank>), one person gets one message."""
    items = []
    for rank in ranks:
        person = f"p{vacancy_id}{rank}"
        offer_id = (
            await conn.execute(
                sa.insert(t.offers)
                .values(
                    vacancy_id=vacancy_id,
                    person_id=person,
                    wave=wave,
                    rank=rank,
                    code=rank,
                    created_at=now,
                )
                .returning(t.offers.c.id)
            )
        ).scalar_one()
        msg = OutMessage("offer", f"v{vacancy_id} w{wave} r{rank}")
        items.append(outbox.Enqueued(msg, "telegram", person_id=person, offer_id=offer_id))
    return items


async def test_a_burst_is_claimed_urgent_first_with_first_waves_interleaved(
    any_db: Database,
) -> None:
    deps = make_deps(any_db, NOW)
    clock = deps.clock
    assert isinstance(clock, FakeClock)
    now = clock.now()
    await _world(any_db, now, 40)
    # Reported one after another, the shift starting soonest last; the first vacancy's
    # second wave is queued before the later reports come in.
    starts = [now + 3 * 3600 * SEC, now + 2 * 3600 * SEC, now + 3600 * SEC]
    vacancy_ids = []
    async with any_db.write() as conn:
        await outbox.enqueue(conn, OutMessage("taken", "tillsatt"), "telegram", now, person_id="p9")
        for n, start in enumerate(starts):
            at = now + n * SEC
            vid = await _vacancy(conn, n, start, at)
            vacancy_ids.append(vid)
            await outbox.enqueue_many(conn, await _offers(conn, vid, 1, range(1, 4), at), at)
            if n == 0:
                second = await _offers(conn, vid, 2, range(4, 6), at)
                await outbox.enqueue_many(conn, second, at)
        await outbox.enqueue(conn, OutMessage("booked", "bokad"), "telegram", now, person_id="p8")
        await outbox.enqueue(conn, OutMessage("sms_reply", "svar"), "sms", now, person_id="p7")
    later = now + 10 * SEC
    async with any_db.write() as conn:
        claimed = await outbox.claim_due(conn, later, 100)
    first, second_v, last = vacancy_ids
    assert [i.message.text for i in claimed] == [
        "svar",  # a dialogue reply
        "bokad",  # a booking confirmation
        # every vacancy's first wave, best ranks first, the soonest shift first each time
        f"v{last} w1 r1",
        f"v{second_v} w1 r1",
        f"v{first} w1 r1",
        f"v{last} w1 r2",
        f"v{second_v} w1 r2",
        f"v{first} w1 r2",
        f"v{last} w1 r3",
        f"v{second_v} w1 r3",
        f"v{first} w1 r3",
        # then the later fan-out
        f"v{first} w2 r4",
        f"v{first} w2 r5",
        "tillsatt",  # notices last
    ]


async def test_a_follow_up_waits_for_its_offer(any_db: Database) -> None:
    """A "Tillsatt" about an offer waits until the offer itself has gone out (it edits
    that message)."""
    deps = make_deps(any_db, NOW)
    now = deps.now()
    await _world(any_db, now, 20)
    async with any_db.write() as conn:
        vid = await _vacancy(conn, 0, now + 3600 * SEC, now)
        (item,) = await _offers(conn, vid, 1, range(1, 2), now)
        await outbox.enqueue_many(conn, [item], now)
        rows = await outbox.all_items(conn)
        await outbox.postpone(conn, [rows[0].id], now + 5 * SEC)  # e.g. a 429
        taken = OutMessage("taken", "tillsatt", edit_offer_id=item.offer_id)
        await outbox.enqueue(conn, taken, "telegram", now, person_id="p11", offer_id=item.offer_id)
        assert await outbox.claim_due(conn, now + SEC, 10) == []
        claimed = await outbox.claim_due(conn, now + 5 * SEC, 10)
        assert [i.kind for i in claimed] == ["offer"]
        await outbox.mark_sent(conn, claimed[0].id, now + 5 * SEC, "m1")
        claimed = await outbox.claim_due(conn, now + 5 * SEC, 10)
    assert [i.kind for i in claimed] == ["taken"]


@dataclass
class TimedSender:
    """Records which chat got what, in the order sent."""

    clock: FakeClock
    channel: str = "telegram"
    sent: list[tuple[int, str]] = field(default_factory=list)

    async def send(
        self, person: Person | None, chat_id: int | None, msg: OutMessage, edit: int | None
    ) -> Delivery:
        chat = chat_id if chat_id is not None else (person.telegram_chat_id if person else None)
        assert chat is not None
        await asyncio.sleep(0)  # let the other worker in between
        self.sent.append((chat, msg.text))
        return Delivery(f"m{len(self.sent)}", len(self.sent))


async def _deliver_all(deps: Deps, workers: list[Dispatcher], clock: FakeClock) -> None:
    """Both workers side by side until the outbox is empty; when nothing can go, the
    clock moves to the next postponed row's time (nothing here waits on the wall clock)."""
    pending = t.outbox.c.state == "pending"
    for _ in range(1000):
        handled = await asyncio.gather(*(w.run_once() for w in workers))
        if any(handled):
            continue
        async with deps.db.read() as conn:
            left = (await conn.execute(sa.select(sa.func.count()).where(pending))).scalar_one()
            later = (
                await conn.execute(
                    sa.select(sa.func.min(t.outbox.c.next_attempt_at)).where(
                        pending, t.outbox.c.next_attempt_at > clock.now()
                    )
                )
            ).scalar_one()
        if not left:
            return
        assert later is not None, "rows left that nothing will ever send"
        clock.set(later)
    raise AssertionError("the outbox never emptied")


def _most_in_a_window(times: list[dt.datetime], width: dt.timedelta) -> int:
    return max(sum(1 for u in times if s <= u < s + width) for s in times)


async def test_two_workers_keep_to_one_budget(
    any_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(send_budget, "KEEP", dt.timedelta(hours=1))  # keep every slot to check
    deps = make_deps(any_db, NOW)
    clock = deps.clock
    assert isinstance(clock, FakeClock)

    async def sleep(seconds: float) -> None:  # waiting for the budget moves the fake clock
        clock.advance(dt.timedelta(seconds=seconds))
        await asyncio.sleep(0)

    now = clock.now()
    group = -500
    async with any_db.write() as conn:
        for n in range(120):  # 40 chats, three messages each
            msg = OutMessage("sms_reply", f"{n // 40}")
            await outbox.enqueue(conn, msg, "telegram", now, chat_id=1 + n % 40)
        for n in range(22):  # a coordinators' group: 20 a minute
            await outbox.enqueue(
                conn, OutMessage("escalation", f"{n}"), "telegram", now, chat_id=group
            )
    sender = TimedSender(clock)
    pacing = Pacing(clock, sleep)
    workers = [Dispatcher(deps, {"telegram": sender}, pacing=pacing) for _ in range(2)]
    await _deliver_all(deps, workers, clock)

    assert len(sender.sent) == 142  # nothing lost
    async with any_db.read() as conn:
        slots = await send_budget.all_slots(conn, "telegram")
        states = {i.state for i in await outbox.all_items(conn)}
    assert states == {"sent"} and len(slots) == 142
    times = [at for at, _ in slots]
    assert _most_in_a_window(times, SEC) <= 30
    for chat in {c for _, c in slots}:
        mine = [at for at, c in slots if c == chat]
        if chat == group:
            assert _most_in_a_window(mine, 60 * SEC) <= 20
            assert _most_in_a_window(mine, SEC) <= 1
        else:
            assert _most_in_a_window(mine, SEC) == 1
    # Each chat got its messages in the order they were queued.
    for chat in range(1, 41):
        assert [text for c, text in sender.sent if c == chat] == ["0", "1", "2"]
    assert [text for c, text in sender.sent if c == group] == [str(n) for n in range(22)]
    # The budget was the limit: the burst was not sent in the first second.
    assert max(times) - min(times) >= 60 * SEC


async def test_a_follow_up_sorted_before_its_offer_does_not_stall_the_queue(
    any_db: Database,
) -> None:
    """A booking confirmation (a receipt) about an offer whose message is still queued, a
    crash's leftover or a by-hand booking in a burst: the receipt class sorts it before the
    offer, the offer rule makes it wait for the offer. It goes right after its offer, and
    nothing of the person's waits for ever (it did: neither row was ever claimed)."""
    deps = make_deps(any_db, NOW)
    now = deps.now()
    await _world(any_db, now, 20)
    async with any_db.write() as conn:
        vid = await _vacancy(conn, 0, now + 3600 * SEC, now)
        (item,) = await _offers(conn, vid, 1, range(1, 2), now)
        await outbox.enqueue_many(conn, [item], now)
        # The worker holding the offer died: its lease is still running.
        await outbox.postpone(conn, [(await outbox.all_items(conn))[0].id], now + 60 * SEC)
        booked = OutMessage("booked", "bokad", edit_offer_id=item.offer_id)
        await outbox.enqueue(conn, booked, "telegram", now, person_id="p11", offer_id=item.offer_id)
        receipt = OutMessage("absence_receipt", "kvitto")  # sorts between the two
        await outbox.enqueue(conn, receipt, "telegram", now, person_id="p11")
        notice = OutMessage("reminder", "påminnelse")
        await outbox.enqueue(conn, notice, "telegram", now, person_id="p11")
        # The receipt owes nothing to the offer and goes at once; the rest waits.
        assert [i.message.text for i in await outbox.claim_due(conn, now, 10)] == ["kvitto"]
        await outbox.mark_sent(conn, (await outbox.all_items(conn))[2].id, now, "m0")
        assert await outbox.claim_due(conn, now + SEC, 10) == []
        sent = []
        at = now + 60 * SEC  # the lease ran out
        for _ in range(5):
            claimed = await outbox.claim_due(conn, at, 10)
            if not claimed:
                break
            assert len(claimed) == 1  # one message of a person at a time
            sent.append(claimed[0].message.text)
            await outbox.mark_sent(conn, claimed[0].id, at, "m")
    assert sent == [f"v{vid} w1 r1", "bokad", "påminnelse"]


async def test_an_answer_to_an_offer_still_queued_stalls_nothing(any_db: Database) -> None:
    """The kill -9 test's morning: an offer went out, the worker died before recording it,
    the person accepted. The queue still empties (it stalled for good: the booking
    confirmation and the offer waited for each other)."""
    w = World(any_db)
    await w.unit("norr")
    await w.staff("anna", "norr")
    for i in range(3):
        await w.sub(f"sub{i}")
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    deps = make_deps(any_db, "2026-12-01 06:40")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    async with any_db.read() as conn:
        offer = (await vacancies.offers_for(conn, vid))[0]
    res = await answers.accept(deps, offer.person_id, intents.Accept(offer.id), "telegram")
    assert res.outcome == answers.Outcome.BOOKED
    dispatcher = Dispatcher(deps, {"telegram": RecordingSender("telegram")})
    await dispatcher.drain()
    async with any_db.read() as conn:
        rows = await outbox.all_items(conn)
    assert [(i.kind, i.person_id) for i in rows if i.state == "pending"] == []
    mine = [i for i in rows if i.offer_id == offer.id]
    assert [i.kind for i in sorted(mine, key=lambda i: i.id) if i.kind != "offer_redraw"] == [
        "offer", "booked"
    ]
    # The redraw a booking queues is for a bundled offer; there is none to redraw here.
    assert [i.state for i in mine if i.kind == "offer_redraw"] == ["skipped"]
