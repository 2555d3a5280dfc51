"""Where and whom to ask, over Telegram: the booking confirmation names the unit's office
address and phone and, for someone not yet introduced, the handledare; the reminder the
evening before carries "Jag kan inte komma", which opens the usual cancel confirmation."""

from __future__ import annotations

import sqlalchemy as sa

from bot.domain.model import AbsenceCategory, VacancyStatus
from bot.services import absence
from bot.services.reminders import send_reminders
from storage import tables as t
from storage import vacancies
from tests.builders import World, local
from tests.e2e.conftest import Launch, press


async def world(w: World) -> None:
    await w.unit("norr")
    async with w.db.write() as conn:
        await conn.execute(sa.update(t.units).values(
            address="Norra Storgatan 12, Vikby", phone="+46846500410"))
    await w.staff("anna", "norr", name="Anna Absent")
    await w.person("hanna", roles=[("staff", "norr"), ("handledare", "norr")],
                   introduced=["norr"], name="Hanna Handledare")
    await w.person("kerstin", roles=[("coordinator", "norr")], quals=(),
                   name="Kerstin Samordnare")
    await w.sub("kim", introduced=(), name="Kim Nilsson")
    await w.shift("h-02", "norr", "hanna", "2026-12-02 07:00", "2026-12-02 16:00")
    await w.shift("a-02", "norr", "anna", "2026-12-02 07:00", "2026-12-02 16:00")


async def test_confirmation_and_reminder_say_where_and_whom_and_lead_to_cancel(
    launch: Launch,
) -> None:
    h = await launch(world, now="2026-12-01 10:00")
    await h.hello("kim", "hanna", "kerstin")
    receipt = await absence.report_absence(h.deps, "anna", AbsenceCategory.SJUK, "sms",
                                           shift_ids=["a-02"])
    vid = receipt.new_vacancy_ids[0]
    offer = await h.message_with("kim", "Ledigt pass: Hemtjänst Norr")
    assert "Storgatan" not in (offer.text or "")  # offers stay short
    await h.dialog([("kim", press("Ta passet"), "Bokat!")])
    booked = await h.message_with("kim", "Bokat! Du har passet")
    assert booked.text == (
        "Bokat! Du har passet:\nHemtjänst Norr\nons 2/12 07:00–16:00\nundersköterska."
        "\nAdress: Norra Storgatan 12, Vikby\nTelefon: 08-465 004 10\nDin handledare: Hanna"
        "\nTack!"
    )
    assert "Anna" not in (booked.text or "")  # never who is absent

    # The evening before, from 18:00: one reminder, however often the job runs.
    h.clock.set(local("2026-12-01 18:00"))
    assert await send_reminders(h.deps) == 1
    assert await send_reminders(h.deps) == 0
    await h.settle()
    reminder = await h.message_with("kim", "Påminnelse: i morgon har du passet")
    assert "Adress: Norra Storgatan 12, Vikby\nTelefon: 08-465 004 10" in (reminder.text or "")
    assert "Din handledare: Hanna" in (reminder.text or "")
    assert [b["text"] for b in reminder.buttons] == ["Jag kan inte komma"]
    assert len([m for m in h.texts("kim") if m.startswith("Påminnelse")]) == 1

    await h.dialog([
        ("kim", press("Jag kan inte komma"), "Är du säker?"),
        ("kim", press("Ja, avboka"), "Avbokat: Hemtjänst Norr ons 2/12 07:00–16:00."),
    ])
    async with h.deps.db.read() as conn:
        vacancy = await vacancies.get_vacancy(conn, vid)
    assert vacancy is not None and vacancy.status == VacancyStatus.SEARCHING
