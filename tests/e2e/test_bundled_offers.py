"""Bundled offers over Telegram: someone asked about several shifts at once gets one
message with a button per shift; the message is redrawn as the shifts are taken, booked
or declined, so a shift no longer open has no button."""

from __future__ import annotations

import sqlalchemy as sa

from bot.domain.intents import CancelBooking, FillByHand
from bot.domain.model import AbsenceCategory, OfferState
from bot.fakes import driving
from bot.services import absence, answers, coordinator, linking
from storage import bookings as bookings_repo
from storage import people as people_repo
from storage import tables as t
from tests.builders import World
from tests.e2e.conftest import Launch, press, shown

HEAD = "Lediga pass – vill du ta något av dem?"


async def world(w: World) -> None:
    await w.unit("norr")
    await w.staff("anna", "norr", name="Anna Andersson")
    await w.sub("emma", name="Emma Ek")
    await w.sub("sara", name="Sara Vikarie")
    await w.shift("s-tue", "norr", "anna", "2026-12-01 12:00", "2026-12-01 20:00")
    await w.shift("s-wed", "norr", "anna", "2026-12-02 08:00", "2026-12-02 16:00")
    await w.shift("s-thu", "norr", "anna", "2026-12-03 08:00", "2026-12-03 16:00")


async def _states(h: object, person: str) -> dict[str, str]:
    deps = h.deps  # type: ignore[attr-defined]
    async with deps.db.read() as conn:
        rows = await conn.execute(
            sa.select(t.vacancies.c.shift_id, t.offers.c.state)
            .select_from(t.offers.join(t.vacancies, t.vacancies.c.id == t.offers.c.vacancy_id))
            .where(t.offers.c.person_id == person)
        )
        return {r.shift_id: r.state for r in rows}


async def test_one_message_for_three_shifts_redrawn_as_they_close(launch: Launch) -> None:
    h = await launch(world, now="2026-12-01 09:00")  # past the quiet hours
    await h.hello("emma", "sara")
    async with h.deps.db.hold():  # one transaction, as the inbox handles a report
        await absence.report_absence(h.deps, "anna", AbsenceCategory.SJUK, "telegram",
                                     shift_ids=["s-tue", "s-wed", "s-thu"])
    emma = await h.message_with("emma", HEAD)
    sara = await h.message_with("sara", HEAD)
    await h.settle()
    # One offer message each, listing the three shifts soonest first; nothing about Anna.
    for who, bundle in (("emma", emma), ("sara", sara)):
        with_accept = [m.message_id for m in h.fake.messages(h.uid(who))
                       if any(str(b.get("callback_data", "")).startswith("acc:")
                              for b in m.buttons)]
        assert with_accept == [bundle.message_id]
    assert emma.text == (
        f"{HEAD}\n\n"
        "1. tis 1/12 12:00–20:00, Hemtjänst Norr\nundersköterska\n\n"
        "2. ons 2/12 08:00–16:00, Hemtjänst Norr\nundersköterska\n\n"
        "3. tor 3/12 08:00–16:00, Hemtjänst Norr\nundersköterska\n\n"
        "Tryck på det pass du vill ta."
    )
    assert "Anna" not in shown(emma) and "sjuk" not in shown(emma).lower()
    assert [b["text"] for b in emma.buttons] == [
        "Ta tis 1/12 12:00", "Ta ons 2/12 08:00", "Ta tor 3/12 08:00", "Nej tack till alla",
    ]

    # Emma takes Wednesday: a new message confirms the booking (it carries the address,
    # and she is notified), her list marks Wednesday as hers; Sara's loses its button.
    await h.dialog([("emma", press("Ta ons 2/12 08:00"), "Bokat, passet är ditt!")])
    await h.message_with("emma", "Bokat! Du har passet:\nHemtjänst Norr\nons 2/12 08:00–16:00")
    await h.settle()
    emma_now = next(m for m in h.fake.messages(h.uid("emma")) if m.message_id == emma.message_id)
    assert "2. ons 2/12 08:00–16:00, Hemtjänst Norr\nundersköterska\n→ ✅ Ditt pass" in (
        emma_now.text or "")
    # Tuesday and Thursday leave her 11 hours' rest around Wednesday: still open for her.
    assert [b["text"] for b in emma_now.buttons] == [
        "Ta tis 1/12 12:00", "Ta tor 3/12 08:00", "Nej tack till alla",
    ]
    sara_now = next(m for m in h.fake.messages(h.uid("sara")) if m.message_id == sara.message_id)
    assert "2. ons 2/12 08:00–16:00, Hemtjänst Norr\nundersköterska\n→ Tillsatt" in (
        sara_now.text or "")
    assert [b["text"] for b in sara_now.buttons] == [
        "Ta tis 1/12 12:00", "Ta tor 3/12 08:00", "Nej tack till alla",
    ]

    # Sara declines the rest with one press: both lines say so and no button is left.
    await h.dialog([("sara", press("Nej tack till alla"), "Tack för svaret!")])
    await h.settle()
    sara_now = next(m for m in h.fake.messages(h.uid("sara")) if m.message_id == sara.message_id)
    assert (sara_now.text or "").count("→ Du tackade nej") == 2
    assert sara_now.buttons == []
    assert await _states(h, "sara") == {
        "s-tue": OfferState.DECLINED, "s-wed": OfferState.TAKEN, "s-thu": OfferState.DECLINED,
    }
    assert await _states(h, "emma") == {
        "s-tue": OfferState.OPEN, "s-wed": OfferState.ACCEPTED, "s-thu": OfferState.OPEN,
    }


async def test_a_bundle_that_cannot_be_edited_is_drawn_anew_and_stays_one(
    launch: Launch,
) -> None:
    h = await launch(world, now="2026-12-01 09:00")
    await h.hello("emma", "sara")
    async with h.deps.db.hold():
        await absence.report_absence(h.deps, "anna", AbsenceCategory.SJUK, "telegram",
                                     shift_ids=["s-tue", "s-wed", "s-thu"])
    sara = await h.message_with("sara", HEAD)
    await h.settle()
    sara.deleted = True  # Sara deleted it in her app: Telegram refuses to edit it
    await h.dialog([("emma", press("Ta tis 1/12 12:00"), "Bokat, passet är ditt!")])
    await h.settle()
    # Tuesday's "Tillsatt" could not edit the list, so the list came again, redrawn ...
    again = await h.message_with("sara", HEAD)
    assert again.message_id != sara.message_id
    assert "1. tis 1/12 12:00–20:00, Hemtjänst Norr\nundersköterska\n→ Tillsatt" in (
        again.text or "")
    # ... and the whole list moved there: Emma taking Thursday redraws that message.
    await h.dialog([("emma", press("Ta tor 3/12 08:00"), "Bokat, passet är ditt!")])
    await h.settle()
    now_shown = next(m for m in h.fake.messages(h.uid("sara"))
                     if m.message_id == again.message_id)
    assert (now_shown.text or "").count("→ Tillsatt") == 2
    assert [b["text"] for b in now_shown.buttons] == ["Ta ons 2/12 08:00", "Nej tack till alla"]
    assert len(driving.offers(h.fake, h.uid("sara"))) == 1


async def _bundle_now(h: object, who: str, message_id: int) -> str:
    fake = h.fake  # type: ignore[attr-defined]
    uid = h.uid(who)  # type: ignore[attr-defined]
    return next(m.text or "" for m in fake.messages(uid) if m.message_id == message_id)


async def test_booked_by_hand_or_cancelled_the_list_says_so(launch: Launch) -> None:
    async def with_coordinator(w: World) -> None:
        await world(w)
        await w.person("kim", roles=[("coordinator", "norr")], quals=(), name="Kim Samordnare")

    h = await launch(with_coordinator, now="2026-12-01 09:00")
    await h.hello("emma", "sara")
    async with h.deps.db.hold():
        receipt = await absence.report_absence(h.deps, "anna", AbsenceCategory.SJUK, "telegram",
                                               shift_ids=["s-tue", "s-wed", "s-thu"])
    emma = await h.message_with("emma", HEAD)
    await h.settle()
    wed = {v: s for v, s in zip(receipt.new_vacancy_ids, ["s-tue", "s-wed", "s-thu"],
                                strict=True)}
    wed_vid = next(v for v, s in wed.items() if s == "s-wed")
    # A coordinator books Emma on Wednesday by hand: her own list says it is hers.
    async with h.deps.db.read() as conn:
        kim = await people_repo.get_person(conn, "kim")
    assert kim is not None
    done = await coordinator.fill(h.deps, kim, FillByHand(wed_vid, "emma"), "telegram")
    assert done.outcome == coordinator.FillOutcome.BOOKED
    await h.message_with("emma", "Bokat! Du har passet:")
    await h.settle()
    assert "2. ons 2/12 08:00–16:00, Hemtjänst Norr\nundersköterska\n→ ✅ Ditt pass" in (
        await _bundle_now(h, "emma", emma.message_id))
    # She cancels it: the list no longer calls it hers.
    async with h.deps.db.read() as conn:
        (booking,) = await bookings_repo.bookings_for(conn, wed_vid)
    assert await answers.cancel_booking(h.deps, "emma", CancelBooking(booking.id), "telegram")
    await h.settle()
    text = await _bundle_now(h, "emma", emma.message_id)
    assert "Ditt pass" not in text
    assert "2. ons 2/12 08:00–16:00, Hemtjänst Norr\nundersköterska\n→ Inte längre öppet" in text


async def test_a_new_telegram_account_never_shares_the_old_messages(launch: Launch) -> None:
    h = await launch(world, now="2026-12-01 09:00")
    await h.hello("emma", "sara")
    async with h.deps.db.hold():
        await absence.report_absence(h.deps, "anna", AbsenceCategory.SJUK, "telegram",
                                     shift_ids=["s-tue", "s-wed"])
    await h.message_with("emma", HEAD)
    await h.settle()
    async with h.deps.db.read() as conn:
        emma = await people_repo.get_person(conn, "emma")
    assert emma is not None and emma.phone
    # Emma links a new Telegram account (new phone, same number): message ids are per chat.
    linked = await linking.link_by_phone(h.deps, emma.phone, 990001, 990001)
    assert linked.outcome == linking.LinkOutcome.LINKED
    async with h.deps.db.read() as conn:
        ids = (await conn.execute(sa.select(t.offers.c.telegram_message_id).where(
            t.offers.c.person_id == "emma"))).scalars().all()
    assert ids and set(ids) == {None}
