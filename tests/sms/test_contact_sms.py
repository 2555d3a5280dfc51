"""Where and whom to ask, by SMS: the confirmation and the reminder carry the unit's office
address and phone within two segments; answering the reminder cancels (AVBOKA + date)."""

from __future__ import annotations

import sqlalchemy as sa

from bot.domain.model import VacancyStatus
from bot.services.reminders import send_reminders
from storage import tables as tb
from storage import vacancies
from tests.builders import local, report_absent
from tests.sms.conftest import Rig, phone_of


async def _tomorrow(rig: Rig, **sub_kw: object) -> int:
    """Anna (person 1) is off tomorrow 07-16; Hanna (2) is handledare beside her; Kim (3)
    is a substitute by SMS only."""
    w = rig.world
    rig.clock.set(local("2026-12-01 10:00"))  # out of quiet hours
    await w.unit("norr", coordinator_chat_id=-100)
    async with rig.db.write() as conn:
        await conn.execute(sa.update(tb.units).values(
            address="Norra Storgatan 12, Vikby", phone="+46846500410"))
    await w.staff("anna", "norr", telegram=False)
    await w.person("hanna", roles=[("staff", "norr"), ("handledare", "norr")],
                   introduced=["norr"], name="Hanna Handledare", telegram=False)
    await w.sub("kim", telegram=False, **sub_kw)  # type: ignore[arg-type]
    await w.shift("h-02", "norr", "hanna", "2026-12-02 07:00", "2026-12-02 16:00")
    await w.shift("s-02", "norr", "anna", "2026-12-02 07:00", "2026-12-02 16:00")
    return await report_absent(rig.deps, "anna", "s-02", "telegram")


async def test_sms_confirmation_carries_address_phone_and_handledare(rig: Rig) -> None:
    await _tomorrow(rig, introduced=())
    kim = phone_of(3)
    await rig.sms_to(kim)
    await rig.text(kim, "JA")
    booked = await rig.sms_to(kim, lambda s: s.body.startswith("Bokat"))
    assert booked.body == (
        "Bokat: Hemtjänst Norr ons 2/12 07:00-16:00. Adress: Norra Storgatan 12, Vikby. "
        "Tel 08-465 004 10. Din handledare: Hanna. Tack! Svara PASS för dina pass."
    )
    assert booked.segments <= 2


async def test_sms_reminder_once_and_answering_it_cancels(rig: Rig) -> None:
    vid = await _tomorrow(rig)  # Kim is introduced: no handledare named
    kim = phone_of(3)
    await rig.sms_to(kim)
    await rig.text(kim, "JA")
    booked = await rig.sms_to(kim, lambda s: s.body.startswith("Bokat"))
    assert "Din handledare" not in booked.body and "Tel 08-465 004 10." in booked.body

    rig.clock.set(local("2026-12-01 18:00"))
    assert await send_reminders(rig.deps) == 1
    assert await send_reminders(rig.deps) == 0
    reminder = await rig.sms_to(kim, lambda s: s.body.startswith("Påminnelse"))
    assert reminder.body == (
        "Påminnelse: i morgon Hemtjänst Norr ons 2/12 07:00-16:00. "
        "Adress: Norra Storgatan 12, Vikby. Tel 08-465 004 10. "
        "Kan du inte komma? Svara AVBOKA 2/12."
    )
    assert reminder.segments <= 2

    await rig.text(kim, "AVBOKA 2/12")
    await rig.sms_to(kim, lambda s: s.body.startswith("Avbokat"))
    async with rig.db.read() as conn:
        vacancy = await vacancies.get_vacancy(conn, vid)
    assert vacancy is not None and vacancy.status == VacancyStatus.SEARCHING
    assert sum(b.startswith("Påminnelse") for b in await rig.bodies_to(kim)) == 1
