"""AVBOKA by SMS ("I cannot come"): the real twilio client against FakeTwilio.

A booked substitute texts AVBOKA with a day (or none: the next shift); the booking is
given up through the same use case as Telegram's Avboka button, the vacancy searches
again and the answer names what was given up.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.domain import intents
from bot.domain.model import VacancyStatus
from bot.services import answers, callout
from bot.services.reminders import send_reminders
from storage import tables as tb
from storage import vacancies
from tests.builders import local, report_absent
from tests.sms.conftest import Rig, phone_of


async def _tomorrow(rig: Rig, *, language: str = "sv") -> int:
    """Anna (staff, person 1) is off tomorrow, Wed 2/12 07-16; Kim (2) and Lo (3) are
    substitutes by SMS only. Kim has booked the shift by answering JA."""
    w = rig.world
    rig.clock.set(local("2026-12-01 10:00"))  # out of quiet hours
    await w.unit("norr", coordinator_chat_id=-100)
    await w.staff("anna", "norr", telegram=False)
    await w.sub("kim", telegram=False, language=language)
    await w.sub("lo", telegram=False)
    await w.shift("s-02", "norr", "anna", "2026-12-02 07:00", "2026-12-02 16:00")
    vid = await report_absent(rig.deps, "anna", "s-02", "telegram")
    kim = phone_of(2)
    await rig.sms_to(kim)
    await rig.text(kim, "JA")
    await rig.sms_to(kim, lambda s: s.body.startswith(("Bokat", "Booked")))
    return vid


async def _live_bookings(rig: Rig, person_id: str) -> list[str]:
    async with rig.db.read() as conn:
        rows = await conn.execute(
            sa.select(tb.bookings.c.shift_id).where(
                tb.bookings.c.person_id == person_id, tb.bookings.c.cancelled_at.is_(None)
            )
        )
        return sorted(r.shift_id for r in rows)


async def _status(rig: Rig, vacancy_id: int) -> str:
    async with rig.db.read() as conn:
        vacancy = await vacancies.get_vacancy(conn, vacancy_id)
    assert vacancy is not None
    return vacancy.status


async def test_avboka_with_a_date_gives_up_the_booking_and_the_search_resumes(
    rig: Rig,
) -> None:
    vid = await _tomorrow(rig)
    kim = phone_of(2)
    await rig.text(kim, "AVBOKA 2/12")
    reply = await rig.sms_to(kim, lambda s: s.body.startswith("Avbokat"))
    assert reply.body == (
        "Avbokat: ons 2/12 07:00-16:00, Hemtjänst Norr. Tack för att du sa till! "
        "Vi söker en ny vikarie."
    )
    assert reply.segments == 1
    assert await _live_bookings(rig, "kim") == []
    assert await _status(rig, vid) == VacancyStatus.SEARCHING
    async with rig.db.read() as conn:
        audited = (
            await conn.execute(
                sa.select(tb.audit_log.c.channel).where(
                    tb.audit_log.c.actor == "kim", tb.audit_log.c.action == "booking_cancelled"
                )
            )
        ).scalars().all()
    assert audited == ["sms"]  # answers.cancel_booking, the Telegram button's use case
    # The call-out goes on: a substitute not yet asked gets the offer on the next step.
    await rig.world.sub("mo", telegram=False)
    assert await callout.tick(rig.deps) >= 1
    offer = await rig.sms_to(phone_of(4))
    assert offer.body.startswith("Vikariebot: pass Hemtjänst Norr ons 2/12 07:00-16:00")
    # Kim gave it up and is not asked again.
    assert not any(b.startswith("Vikariebot: pass") for b in (await rig.bodies_to(kim))[1:])


async def test_the_reminder_says_avboka_and_answering_it_cancels(rig: Rig) -> None:
    vid = await _tomorrow(rig)
    kim = phone_of(2)
    rig.clock.set(local("2026-12-01 18:00"))
    assert await send_reminders(rig.deps) == 1
    reminder = await rig.sms_to(kim, lambda s: s.body.startswith("Påminnelse"))
    assert reminder.body == (
        "Påminnelse: i morgon Hemtjänst Norr ons 2/12 07:00-16:00. "
        "Kan du inte komma? Svara AVBOKA 2/12."
    )
    assert reminder.segments <= 2
    await rig.text(kim, "avboka 2/12")
    reply = await rig.sms_to(kim, lambda s: s.body.startswith("Avbokat"))
    assert "ons 2/12 07:00-16:00" in reply.body and "Krya" not in reply.body
    assert await _status(rig, vid) == VacancyStatus.SEARCHING
    assert await send_reminders(rig.deps) == 0  # a given-up booking is not reminded again


async def test_avboka_without_a_day_gives_up_the_next_booking_only(rig: Rig) -> None:
    vid = await _tomorrow(rig)
    await rig.world.shift("s-03", "norr", None, "2026-12-03 07:00", "2026-12-03 16:00")
    later = await _book(rig, "kim", "s-03")
    kim = phone_of(2)
    await rig.text(kim, "Avboka")
    reply = await rig.sms_to(kim, lambda s: s.body.startswith("Avbokat"))
    assert reply.body.startswith("Avbokat: ons 2/12 07:00-16:00, Hemtjänst Norr.")
    assert await _live_bookings(rig, "kim") == ["s-03"]
    assert await _status(rig, vid) == VacancyStatus.SEARCHING
    assert await _status(rig, later) == VacancyStatus.FILLED


async def test_avboka_a_day_gives_up_every_booking_that_day(rig: Rig) -> None:
    await _tomorrow(rig)
    await rig.world.shift("s-02b", "norr", None, "2026-12-02 18:00", "2026-12-02 22:00")
    await rig.world.shift("s-03", "norr", None, "2026-12-03 07:00", "2026-12-03 16:00")
    await _book(rig, "kim", "s-02b")
    await _book(rig, "kim", "s-03")
    kim = phone_of(2)
    await rig.text(kim, "avboka mitt pass imorgon")
    reply = await rig.sms_to(kim, lambda s: s.body.startswith("Avbokat"))
    assert reply.body == (
        "Avbokat: ons 2/12 07:00-16:00, Hemtjänst Norr; ons 2/12 18:00-22:00, Hemtjänst Norr. "
        "Tack för att du sa till! Vi söker en ny vikarie."
    )
    assert await _live_bookings(rig, "kim") == ["s-03"]


async def test_avboka_a_day_without_a_booking_lists_the_bookings(rig: Rig) -> None:
    await _tomorrow(rig)
    kim, lo = phone_of(2), phone_of(3)
    await rig.text(kim, "AVBOKA 4/12")
    reply = await rig.sms_to(kim, lambda s: s.body.startswith("Du har inget pass"))
    assert reply.body == (
        "Du har inget pass att avboka fre 4/12. Dina pass: ons 2/12 07:00-16:00 Hemtjänst Norr"
    )
    assert await _live_bookings(rig, "kim") == ["s-02"]
    await rig.text(lo, "avboka imorgon")
    assert (await rig.bodies_to(lo))[-1] == (
        "Du har inget pass att avboka ons 2/12, och inga andra bokade pass."
    )
    await rig.text(lo, "AVBOKA")
    assert (await rig.bodies_to(lo))[-1] == "Du har inga kommande bokade pass att avboka."


async def test_avboka_twice_and_the_telegram_button_cancel_once(rig: Rig) -> None:
    vid = await _tomorrow(rig)
    kim = phone_of(2)
    await rig.text(kim, "AVBOKA 2/12")
    await rig.text(kim, "AVBOKA 2/12")
    replies = await rig.bodies_to(kim)
    assert sum(b.startswith("Avbokat") for b in replies) == 1
    assert replies[-1] == "Du har inget pass att avboka ons 2/12, och inga andra bokade pass."
    async with rig.db.read() as conn:
        (booking,) = await conn.execute(
            sa.select(tb.bookings.c.id).where(tb.bookings.c.vacancy_id == vid)
        )
    assert not await answers.cancel_booking(
        rig.deps, "kim", intents.CancelBooking(booking_id=booking.id), "telegram"
    )


async def test_unbook_in_english(rig: Rig) -> None:
    await _tomorrow(rig, language="en")
    kim = phone_of(2)
    rig.clock.set(local("2026-12-01 18:00"))
    await send_reminders(rig.deps)
    reminder = await rig.sms_to(kim, lambda s: s.body.startswith("Reminder"))
    assert reminder.body.endswith("Cannot come? Reply UNBOOK 2/12.")
    await rig.text(kim, "UNBOOK 2/12")
    reply = await rig.sms_to(kim, lambda s: s.body.startswith("Cancelled"))
    assert reply.body == (
        "Cancelled: Wed 2/12 07:00-16:00, Hemtjänst Norr. Thank you for letting us know! "
        "We are finding someone new."
    )


async def test_cancel_is_still_an_opt_out_not_avboka(rig: Rig) -> None:
    """CANCEL is Twilio's opt-out word: Twilio has stopped the number, so must we; the
    booking stays (Twilio would refuse our answer anyway)."""
    await _tomorrow(rig)
    kim = phone_of(2)
    before = len(await rig.bodies_to(kim))
    await rig.text(kim, "CANCEL")
    assert await _live_bookings(rig, "kim") == ["s-02"]
    async with rig.db.read() as conn:
        opted_out = (
            await conn.execute(sa.select(tb.people.c.sms_opted_out).where(tb.people.c.id == "kim"))
        ).scalar_one()
    assert opted_out
    assert len(await rig.bodies_to(kim)) == before


async def test_help_names_avboka(rig: Rig) -> None:
    await _tomorrow(rig)
    await rig.text(phone_of(3), "HJÄLP")
    (help_text,) = [b for b in await rig.bodies_to(phone_of(3)) if b.startswith("Vikariebot: JA")]
    assert "AVBOKA + datum avbokar" in help_text


async def _book(rig: Rig, person_id: str, shift_id: str) -> int:
    """`person_id` holds a booking of the shift (a filled vacancy); the vacancy's id."""
    now = rig.deps.now()
    async with rig.db.write() as conn:
        vid = (
            await conn.execute(
                sa.insert(tb.vacancies)
                .values(shift_id=shift_id, status="filled", created_at=now, updated_at=now)
                .returning(tb.vacancies.c.id)
            )
        ).scalar_one()
        await conn.execute(
            sa.insert(tb.bookings).values(
                vacancy_id=vid, shift_id=shift_id, person_id=person_id, booked_at=now,
                channel="sms",
            )
        )
    return int(vid)
