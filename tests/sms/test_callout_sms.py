"""The call-out over SMS: offers out through Twilio, answers in, delivery reports back."""

from __future__ import annotations

import asyncio
import functools

import sqlalchemy as sa

from bot.channels.sms import STATUS_PATH, TwilioSender
from bot.domain import intents
from bot.domain.model import AbsenceCategory, OfferState
from bot.services import absence, answers, delivery
from storage import audit, vacancies
from storage import people as people_repo
from storage import tables as tb
from tests.builders import local, report_absent
from tests.sms.conftest import Rig, phone_of


async def _morning(rig: Rig, subs: int = 3, **sub_kw: object) -> int:
    """Anna (staff, person 1) is off today 07-16; `subs` substitutes (persons 2..)."""
    w = rig.world
    await w.unit("norr", coordinator_chat_id=-100)
    await w.staff("anna", "norr", telegram=False)
    for i in range(subs):
        await w.sub(f"sub{i}", **{"telegram": False, **sub_kw})  # type: ignore[arg-type]
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    return await report_absent(rig.deps, "anna", "s-day", "telegram")


async def _bookings(rig: Rig, vacancy_id: int) -> list[str]:
    async with rig.db.read() as conn:
        rows = await conn.execute(
            sa.select(tb.bookings.c.person_id, tb.bookings.c.channel).where(
                tb.bookings.c.vacancy_id == vacancy_id, tb.bookings.c.cancelled_at.is_(None)
            )
        )
        return [f"{r.person_id}:{r.channel}" for r in rows]


async def _offer_of(rig: Rig, vacancy_id: int, person_id: str) -> int:
    async with rig.db.read() as conn:
        return next(
            o.id for o in await vacancies.offers_for(conn, vacancy_id) if o.person_id == person_id
        )


async def test_offer_by_sms_answered_ja_code_books_and_tells_others(rig: Rig) -> None:
    vid = await _morning(rig)
    sub0, sub1, sub2 = phone_of(2), phone_of(3), phone_of(4)
    offer = await rig.sms_to(sub0)
    assert offer.body == (
        "Vikariebot: pass Hemtjänst Norr tis 1/12 07:00-16:00 usk. Svara JA 1 eller NEJ 1"
    )
    assert offer.status_callback == rig.public_url + STATUS_PATH
    assert offer.segments == 1

    await rig.text(sub0, "JA 1")
    booked = await rig.sms_to(sub0, lambda s: s.body.startswith("Bokat"))
    assert booked.body == (
        "Bokat: Hemtjänst Norr tis 1/12 07:00-16:00. Tack! Svara PASS för dina pass."
    )
    for other in (sub1, sub2):
        taken = await rig.sms_to(other, lambda s: "tillsatt" in s.body)
        assert taken.body == "Passet Hemtjänst Norr tis 1/12 07:00-16:00 är tillsatt. Tack ändå!"
    assert await _bookings(rig, vid) == ["sub0:sms"]

    await rig.text(sub1, "ja")  # too late: their offer closed a moment ago
    late = await rig.sms_to(sub1, lambda s: s.body.startswith("Någon hann före"))
    assert late.body == "Någon hann före, passet tis 1/12 07:00-16:00 är tillsatt."
    await rig.text(sub0, "pass")
    assert (await rig.sms_to(sub0, lambda s: s.body.startswith("Dina pass"))).body == (
        "Dina pass: tis 1/12 07:00-16:00 Hemtjänst Norr"
    )
    assert await _bookings(rig, vid) == ["sub0:sms"]


async def test_several_open_offers_ask_which_code(rig: Rig) -> None:
    rig.clock.set(local("2026-12-01 09:00"))
    w = rig.world
    await w.unit("norr")
    await w.staff("anna", "norr", telegram=False)
    await w.sub("kim", telegram=False)
    await w.shift("s-noon", "norr", "anna", "2026-12-01 12:00", "2026-12-01 20:00")
    await w.shift("s-morrow", "norr", "anna", "2026-12-02 08:00", "2026-12-02 16:00")
    async with rig.db.hold():  # one transaction, as the inbox handles a report
        await absence.report_absence(
            rig.deps, "anna", AbsenceCategory.VAB, "telegram", shift_ids=["s-noon", "s-morrow"]
        )
    kim = phone_of(2)
    await rig.idle()
    # Both offers waited together: one text, a code for each (a bundled offer).
    assert await rig.bodies_to(kim) == [
        "Vikariebot, lediga pass:\n"
        "1: Hemtjänst Norr tis 1/12 12:00-20:00 usk.\n"
        "2: Hemtjänst Norr ons 2/12 08:00-16:00 usk.\n"
        "Svara JA och koden för passet du vill ta, t.ex. JA 1. NEJ och koden: nej tack."
    ]

    await rig.text(kim, "Ja!")
    assert (await rig.bodies_to(kim))[-1] == (
        "Du har 2 öppna förfrågningar. Svara JA eller NEJ + kod: "
        "1: tis 1/12 12:00-20:00, 2: ons 2/12 08:00-16:00"
    )
    await rig.text(kim, "ja 7")
    assert (await rig.bodies_to(kim))[-1].startswith("Ingen öppen förfrågan har kod 7. Svara JA")
    await rig.text(kim, "2 nej")
    assert (await rig.bodies_to(kim))[-1] == "Okej, tack för svaret!"
    await rig.text(kim, "ok")  # one offer left: no code needed
    assert (await rig.bodies_to(kim))[-1].startswith("Bokat: Hemtjänst Norr tis 1/12 12:00")
    await rig.text(kim, "NEJ 2")  # already answered
    assert (await rig.bodies_to(kim))[-1].startswith("Förfrågan gällde ons 2/12 08:00-16:00")


async def test_undelivered_falls_back_to_telegram_when_linked(rig: Rig) -> None:
    await _morning(rig, subs=1, telegram=True, channel="sms")  # linked, but prefers SMS
    sub0 = phone_of(2)
    offer = await rig.sms_to(sub0)
    response = await rig.status(offer.sid, "undelivered", error_code=30003)
    assert response.status_code == 200
    await rig.idle()
    (tg_offer,) = rig.telegram.to("sub0")
    assert tg_offer.kind == "offer" and tg_offer.buttons
    items = {i.external_id: i for i in await rig.outbox_items()}
    assert (items[offer.sid].state, items[offer.sid].error) == ("failed", "undelivered 30003")

    await rig.status(offer.sid, "undelivered", error_code=30003)  # Twilio repeats
    await rig.idle()
    assert len(rig.telegram.to("sub0")) == 1


async def test_undelivered_without_telegram_moves_the_callout_on(rig: Rig) -> None:
    vid = await _morning(rig, subs=1)
    offer = await rig.sms_to(phone_of(2))
    await rig.status(offer.sid, "failed", error_code=30003)
    async with rig.db.read() as conn:
        (o,) = await vacancies.offers_for(conn, vid)
        vacancy = await vacancies.get_vacancy(conn, vid)
    assert (o.state, o.answer_channel) == (OfferState.UNREACHABLE, None)
    assert vacancy is not None and vacancy.next_due_at == rig.deps.now()


async def test_delivered_is_recorded(rig: Rig) -> None:
    await _morning(rig, subs=1)
    offer = await rig.sms_to(phone_of(2))
    await rig.status(offer.sid, "sent")
    await rig.status(offer.sid, "delivered")
    await rig.status(offer.sid, "failed", error_code=30003)  # out of order: ignored
    items = {i.external_id: i for i in await rig.outbox_items()}
    assert (items[offer.sid].state, items[offer.sid].error) == ("delivered", None)


async def test_21610_opts_the_person_out(rig: Rig) -> None:
    await _morning(rig, subs=2)
    offer = await rig.sms_to(phone_of(2))
    await rig.status(offer.sid, "failed", error_code=21610)
    # Refused at once by the API: the sender's hook marks the person (see app wiring).
    sender = rig.bot.senders["sms"]
    assert isinstance(sender, TwilioSender)
    sender.on_opt_out = functools.partial(delivery.mark_opted_out, rig.deps)
    rig.fake.fail_number(phone_of(3), 21610)
    await rig.text(phone_of(3), "hjälp")  # a reply tries to reach them and is refused
    await rig.idle()
    async with rig.db.read() as conn:
        people = await people_repo.get_people(conn, ["sub0", "sub1"])
        actions = [e.action for e in await audit.entries(conn, "person")]
    assert people["sub0"].sms_opted_out and people["sub1"].sms_opted_out
    assert actions == ["sms_opted_out", "sms_opted_out"]


async def test_invalid_number_is_flagged_to_the_coordinator_once(rig: Rig) -> None:
    rig.clock.set(local("2026-12-01 09:00"))
    w = rig.world
    await w.unit("norr", coordinator_chat_id=-100)
    await w.staff("anna", "norr", telegram=False)
    await w.sub("kim", telegram=False, name="Kim Felnummer")
    await w.shift("s-noon", "norr", "anna", "2026-12-01 12:00", "2026-12-01 20:00")
    await w.shift("s-morrow", "norr", "anna", "2026-12-02 08:00", "2026-12-02 16:00")
    await absence.report_absence(
        rig.deps, "anna", AbsenceCategory.SJUK, "telegram", shift_ids=["s-noon", "s-morrow"]
    )
    await rig.idle()
    for sms in rig.fake.messages_to(phone_of(2)):
        await rig.status(sms.sid, "undelivered", error_code=30006)
    await rig.idle()
    flagged = [m for who, m in rig.telegram.sent if who == "chat:-100"]
    assert [m.kind for m in flagged] == ["number_invalid"]
    assert flagged[0].text.startswith("SMS når inte Kim Felnummer (+4670*****02)")
    async with rig.db.read() as conn:
        offers = [o for v in (1, 2) for o in await vacancies.offers_for(conn, v)]
    assert all(o.state == OfferState.UNREACHABLE for o in offers)


async def test_sms_accept_races_telegram_accept(rig: Rig) -> None:
    vid = await _morning(rig, subs=0)
    await rig.world.sub("sms_sub", telegram=False)
    await rig.world.sub("tg_sub", telegram=True)
    async with rig.db.write() as conn:  # a second wave reaches both at once
        await vacancies.update_vacancy(conn, vid, rig.deps.now(), next_due_at=rig.deps.now())
    from bot.services import callout

    await callout.tick(rig.deps)
    sms_phone = phone_of(2)
    await rig.sms_to(sms_phone)
    tg_offer = await _offer_of(rig, vid, "tg_sub")

    results = await asyncio.gather(
        rig.text(sms_phone, "JA"),
        answers.accept(rig.deps, "tg_sub", intents.Accept(tg_offer), "telegram"),
    )
    assert results[0].status_code == 200
    await rig.idle()
    (booking,) = await _bookings(rig, vid)
    async with rig.db.read() as conn:
        states = {o.person_id: o.state for o in await vacancies.offers_for(conn, vid)}
    winner = booking.split(":")[0]
    loser = "tg_sub" if winner == "sms_sub" else "sms_sub"
    assert states[winner] is OfferState.ACCEPTED
    assert states[loser] in (OfferState.TAKEN, OfferState.LATE)


async def test_opted_out_after_the_offer_is_told_why_ja_fails(rig: Rig) -> None:
    """STOPP leaves an SMS-only person unreachable, so not eligible; JA still gets an answer."""
    vid = await _morning(rig, subs=1)
    sub0 = phone_of(2)
    await rig.sms_to(sub0)
    await rig.text(sub0, "STOPP")
    await rig.text(sub0, "JA 1")
    replies = await rig.bodies_to(sub0)
    assert replies[-1].startswith("Passet tis 1/12 07:00-16:00 går inte att boka för dig längre")
    assert await _bookings(rig, vid) == []


async def test_a_booked_substitute_texting_sjuk_is_taken_off_and_the_search_resumes(
    rig: Rig,
) -> None:
    vid = await _morning(rig)
    sub0 = phone_of(2)
    await rig.sms_to(sub0)
    await rig.text(sub0, "JA 1")
    await rig.sms_to(sub0, lambda s: s.body.startswith("Bokat"))
    await rig.text(sub0, "SJUK")
    reply = await rig.sms_to(sub0, lambda s: s.body.startswith("Krya på dig"))
    assert reply.body == (
        "Krya på dig! Du är avbokad från tis 1/12 07:00 och vi söker en ny vikarie."
    )
    assert await _bookings(rig, vid) == []
    async with rig.db.read() as conn:
        v = await vacancies.get_vacancy(conn, vid)
    assert v is not None and v.status == "searching"
