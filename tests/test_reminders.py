"""The reminder the evening before: everyone booked for tomorrow, once, from 18:00 on.

Real SQLite, the service as the scheduler calls it; what it enqueues is read back from
the outbox (delivery is tested end to end in tests/e2e and tests/sms).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bot.domain.gsm7 import segments, to_gsm7
from bot.domain.messages import reminder_message
from bot.domain.model import Person, Shift, Unit
from bot.services.reminders import send_reminders
from storage import outbox
from storage import tables as t
from storage.db import Database
from tests.builders import TZ, World, local, make_deps

ADDRESS = "Norra Storgatan 12, Vikby"


async def book(db: Database, shift_id: str, person_id: str, at: str) -> int:
    """`person_id` holds a booking of the (vacated) shift, made at local time `at`."""
    now = local(at)
    async with db.write() as conn:
        vid = (
            await conn.execute(
                sa.insert(t.vacancies)
                .values(shift_id=shift_id, status="filled", created_at=now, updated_at=now)
                .returning(t.vacancies.c.id)
            )
        ).scalar_one()
        return int(
            (
                await conn.execute(
                    sa.insert(t.bookings)
                    .values(vacancy_id=vid, shift_id=shift_id, person_id=person_id,
                            booked_at=now, channel="telegram")
                    .returning(t.bookings.c.id)
                )
            ).scalar_one()
        )


async def world(db: Database) -> dict[str, int]:
    w = World(db)
    await w.unit("norr")
    async with db.write() as conn:
        await conn.execute(
            sa.update(t.units).values(address=ADDRESS, phone="+46846500410")
        )
    await w.staff("anna", "norr", name="Anna Andersson")
    for pid in ("today", "tom1", "tom2", "late", "after", "gone"):
        await w.sub(pid, telegram=pid != "tom2")  # tom2 has SMS only
    shifts = {
        "today": ("2026-12-01 15:00", "2026-12-01 22:00"),
        "tom1": ("2026-12-02 07:00", "2026-12-02 16:00"),
        "tom2": ("2026-12-02 21:00", "2026-12-03 07:00"),  # a night starting tomorrow
        "late": ("2026-12-02 07:00", "2026-12-02 16:00"),
        "after": ("2026-12-03 00:00", "2026-12-03 07:00"),  # the day after, just
        "gone": ("2026-12-02 07:00", "2026-12-02 16:00"),
    }
    ids = {}
    for pid, (start, end) in shifts.items():
        await w.shift(f"s-{pid}", "norr", None, start, end)
        ids[pid] = await book(db, f"s-{pid}", pid, "2026-12-01 06:00" if pid != "late"
                              else "2026-12-01 18:30")
    async with db.write() as conn:
        await conn.execute(sa.update(t.bookings).where(t.bookings.c.person_id == "gone")
                           .values(cancelled_at=local("2026-12-01 08:00")))
    return ids


async def reminders(db: Database) -> list[outbox.OutboxItem]:
    async with db.read() as conn:
        return [i for i in await outbox.all_items(conn) if i.kind == "reminder"]


async def test_everyone_booked_tomorrow_is_reminded_once(db: Database) -> None:
    ids = await world(db)
    assert await send_reminders(make_deps(db, "2026-12-01 17:59")) == 0
    deps = make_deps(db, "2026-12-01 18:00")
    assert await send_reminders(deps) == 2
    assert await send_reminders(deps) == 0  # the next tick
    # A restart at 18:05 (new deps, same database) sends nothing twice ...
    assert await send_reminders(make_deps(db, "2026-12-01 18:05")) == 0
    sent = await reminders(db)
    assert sorted((i.person_id, i.channel) for i in sent) == [("tom1", "telegram"),
                                                              ("tom2", "sms")]
    tom1 = next(i.message for i in sent if i.person_id == "tom1")
    assert tom1.text == (
        "Påminnelse: i morgon har du passet\nHemtjänst Norr\nons 2/12 07:00–16:00\n"
        "undersköterska.\nAdress: Norra Storgatan 12, Vikby\nTelefon: 08-465 004 10\n"
        "Kan du inte komma? Tryck på knappen."
    )
    assert [b.data for row in tom1.buttons for b in row] == [f"bk:c:{ids['tom1']}"]
    assert tom1.sms is not None and tom1.sms.endswith("Kan du inte komma? Svara AVBOKA 2/12.")
    # Not today's, not the day after's, not a cancelled one; the 18:30 booking's
    # confirmation was its reminder.
    async with db.read() as conn:
        marked = {r.person_id for r in await conn.execute(
            sa.select(t.bookings.c.person_id).where(t.bookings.c.reminded_at.is_not(None)))}
    assert marked == {"tom1", "tom2"}


async def test_a_restart_later_in_the_evening_still_sends(db: Database) -> None:
    await world(db)
    assert await send_reminders(make_deps(db, "2026-12-01 20:40")) == 2
    assert await send_reminders(make_deps(db, "2026-12-01 20:41")) == 0


async def test_no_reminders_in_quiet_hours_or_when_off(db: Database) -> None:
    await world(db)
    assert await send_reminders(make_deps(db, "2026-12-01 21:30")) == 0  # quiet from 21
    assert await send_reminders(make_deps(db, "2026-12-01 19:00", reminder_time="off")) == 0
    assert await send_reminders(make_deps(db, "2026-12-01 19:00", reminder_time="20:00")) == 0
    # At 20:00 the booking made at 18:30 was made before the reminder time: reminded too.
    assert await send_reminders(make_deps(db, "2026-12-01 20:00", reminder_time="20:00")) == 3


def test_the_reminder_sms_fits_two_segments_with_a_long_address() -> None:
    unit = Unit("norr", "Hemtjänst Södra Ängby-Långbro", "C",
                address="Gamla Landsvägen 123 B, våning 2, ingång från gården, 123 45 "
                        "Stora Vikbyholm-Långängsstrand kommundel norra distriktet, "
                        "bakom vårdcentralen vid busshållplatsen Vikby torg, ring på",
                phone="+46846500410")
    person = Person("p", "Anna-Karin Lindqvist")
    start = dt.datetime(2026, 12, 30, 7, 0, tzinfo=TZ)
    shift = Shift("s", "norr", start, start + dt.timedelta(hours=9), "vardbitrade")
    for lang in ("sv", "en"):
        person = Person("p", "Anna-Karin Lindqvist", language=lang)
        msg = reminder_message(12345, shift, unit, person, TZ, handledare="Anna-Karin")
        assert msg.sms is not None
        body = to_gsm7(msg.sms)
        assert segments(body) <= 2, body
        assert "Gamla Landsvägen" in body and "..." in body  # shortened, not dropped
        assert "08-465 004 10" in body and "Anna-Karin" in body
        assert ("AVBOKA 30/12" if lang == "sv" else "UNBOOK 30/12") in body
