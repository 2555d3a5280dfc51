"""Bundled offers by SMS: the offers waiting for one person go as one text with a code per
shift while it stays within two segments, else in several texts; a delivery report about
that text is about every offer in it."""

from __future__ import annotations

import re

from bot.domain.gsm7 import segments
from bot.domain.model import AbsenceCategory, OfferState
from bot.services import absence
from storage import vacancies
from tests.builders import local
from tests.sms.conftest import Rig, phone_of

DAYS = ("01", "02", "03", "04", "05", "06")


async def _off_six_days(rig: Rig, *, telegram: bool = False) -> None:
    rig.clock.set(local("2026-12-01 09:00"))  # past the quiet hours
    w = rig.world
    await w.unit("norr")
    await w.staff("anna", "norr", telegram=False)
    await w.sub("kim", telegram=telegram, channel="sms")
    for day in DAYS:
        await w.shift(f"s-{day}", "norr", "anna", f"2026-12-{day} 12:00", f"2026-12-{day} 20:00")
    async with rig.db.hold():  # one transaction, as the inbox handles a report
        await absence.report_absence(
            rig.deps, "anna", AbsenceCategory.SJUK, "telegram", shift_ids=[f"s-{d}" for d in DAYS]
        )
    await rig.idle()


async def _open_codes(rig: Rig) -> set[int]:
    async with rig.db.read() as conn:
        return {o.code for o in await vacancies.open_offers_of(conn, "kim")}


async def test_six_offers_go_in_texts_of_at_most_two_segments(rig: Rig) -> None:
    await _off_six_days(rig)
    bodies = await rig.bodies_to(phone_of(2))
    codes = await _open_codes(rig)
    assert len(codes) == len(DAYS)
    # Every offer is in exactly one text, by its own code ("3: Hemtjänst Norr tor 3/12 ...").
    listed = [int(c) for body in bodies for c in re.findall(r"^(\d+): Hemtjänst", body, re.M)]
    singles = [int(c) for body in bodies for c in re.findall(r"Svara JA (\d+) eller", body)]
    assert sorted(listed + singles) == sorted(codes)
    assert all(segments(body) <= 2 for body in bodies)
    assert len(bodies) < len(DAYS)  # bundled: fewer texts than offers
    assert bodies[0].startswith("Vikariebot, lediga pass:\n1: Hemtjänst Norr tis 1/12 12:00-20:00")

    # Any of the codes books its own shift.
    await rig.text(phone_of(2), "JA 4")
    assert (await rig.bodies_to(phone_of(2)))[-1].startswith("Bokat: Hemtjänst Norr fre 4/12")


async def test_an_undelivered_bundle_falls_back_with_every_offer_in_it(rig: Rig) -> None:
    await _off_six_days(rig, telegram=True)  # linked, but prefers SMS
    first = rig.fake.messages_to(phone_of(2))[0]
    carried = [i for i in await rig.outbox_items() if i.external_id == first.sid]
    assert len(carried) > 1
    await rig.status(first.sid, "undelivered", error_code=30003)
    await rig.idle()
    items = await rig.outbox_items()
    assert {i.state for i in items if i.external_id == first.sid} == {"failed"}
    # Each offer the text carried goes again on Telegram, as one bundled message there.
    again = {i.offer_id for i in items if i.channel == "telegram" and i.kind == "offer"}
    assert again == {i.offer_id for i in carried}
    (tg,) = [m for m in rig.telegram.to("kim") if m.kind == "offer"]
    assert tg.text.startswith("Lediga pass – vill du ta något av dem?")
    assert len(tg.buttons) == len(carried) + 1  # a button per shift, and "Nej tack till alla"
    async with rig.db.read() as conn:
        states = {o.state for o in await vacancies.open_offers_of(conn, "kim")}
    assert states == {OfferState.OPEN}
