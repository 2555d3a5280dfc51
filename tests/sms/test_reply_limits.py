"""Answers within limits: texts the bot cannot act on, unregistered numbers, STOP/START.

Through the real twilio library, signed webhooks and the local fake Twilio; the rolling
hour moves with the test clock.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from storage import people as people_repo
from tests.sms.conftest import Rig, phone_of

EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
UNACTIONABLE = ["blabla", "HJÄLP", "?", "KANAL", "ja", "Jag är på semester", "info"]


async def _opted_out(rig: Rig, number: str) -> bool:
    async with rig.db.read() as conn:
        person = await people_repo.person_by_phone(conn, number)
    assert person is not None
    return person.sms_opted_out


async def test_registered_number_gets_the_cap_of_answers_per_hour(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    await rig.world.unit("norr")
    await rig.world.sub("kim", telegram=False)
    kim = phone_of(1)
    caplog.set_level(logging.INFO, logger="bot.services.sms_replies")
    for i in range(10):  # an auto-responder, or someone typing nonsense
        response = await rig.text(kim, UNACTIONABLE[i % len(UNACTIONABLE)])
        assert (response.status_code, response.text) == (200, EMPTY)
    assert len(await rig.bodies_to(kim)) == 3  # VIKARIE_SMS_UNACTIONABLE_REPLIES_PER_HOUR
    assert await rig.texts_taken() == 10  # every text was still taken in
    left_out = [r for r in caplog.records if "left out" in r.getMessage()]
    assert len(left_out) == 7 and all(r.levelno == logging.INFO for r in left_out)
    assert "1740001" not in caplog.text  # the number is masked

    # A text the bot can act on is always answered.
    await rig.text(kim, "PASS")
    assert (await rig.bodies_to(kim))[-1] == "Du har inga bokade pass."

    # The hour rolls: 59 minutes after the first answers, still nothing; after 61, again.
    rig.clock.advance(dt.timedelta(minutes=59))
    await rig.text(kim, "blabla")
    assert len(await rig.bodies_to(kim)) == 4
    rig.clock.advance(dt.timedelta(minutes=2))
    for _ in range(5):
        await rig.text(kim, "blabla")
    assert len(await rig.bodies_to(kim)) == 4 + 3


@pytest.mark.parametrize("rig_settings", [{"sms_unknown_replies_per_hour": 5}])
async def test_unknown_numbers_together_get_the_cap_of_answers(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    strangers = [f"+4670{1750000 + i:07d}" for i in range(100)]
    answered = [s for s in strangers if "<Message>" in (await rig.text(s, "Hej, vem är det?")).text]
    assert len(answered) == 5
    assert await rig.texts_taken() == 100
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "cap of 5 an hour" in warnings[0].getMessage()
    assert "175" not in caplog.text  # no number in the log, not even masked in the warning

    # Half an hour on: still over the cap, and no second warning within the hour.
    rig.clock.advance(dt.timedelta(minutes=30))
    assert (await rig.text("+46701760000", "hej")).text == EMPTY
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    # An hour after the answers the cap has room again; those told today stay told.
    rig.clock.advance(dt.timedelta(minutes=31))
    assert "<Message>" in (await rig.text("+46701760001", "hej")).text
    assert (await rig.text(answered[0], "hej")).text == EMPTY
    await rig.idle()
    assert rig.fake.sent == []


@pytest.mark.parametrize("rig_settings", [{"sms_unactionable_replies_per_hour": 0}])
async def test_per_number_cap_applies_to_unknown_numbers_too(rig: Rig) -> None:
    assert (await rig.text("+46701740888", "hej")).text == EMPTY


async def test_twilio_stop_gets_no_answer_and_start_one(rig: Rig) -> None:
    await rig.world.unit("norr")
    await rig.world.sub("kim", telegram=False)
    await rig.world.sub("eva", telegram=False)
    kim, eva = phone_of(1), phone_of(2)
    # Twilio confirms its own words and refuses our messages afterwards (21610).
    await rig.text(kim, "STOP")
    await rig.text(eva, "Unsubscribe.")
    assert await rig.bodies_to(kim) == [] and await rig.bodies_to(eva) == []
    assert await _opted_out(rig, kim) and await _opted_out(rig, eva)

    await rig.text(kim, "START")
    await rig.text(eva, "unstop")
    assert await rig.bodies_to(kim) == [
        "Du får SMS från Vikariebot igen. Svara STOPP för att sluta."
    ]
    assert len(await rig.bodies_to(eva)) == 1
    assert not await _opted_out(rig, kim) and not await _opted_out(rig, eva)


async def test_help_is_capped_and_stop_start_count_within_it(rig: Rig) -> None:
    await rig.world.unit("norr")
    await rig.world.sub("kim", telegram=False)
    kim = phone_of(1)
    for body in ("STOPP", "START", "STOPP", "START", "HJÄLP"):  # two phones looping
        await rig.text(kim, body)
    assert len(await rig.bodies_to(kim)) == 3
    assert not await _opted_out(rig, kim)  # the state still follows every text
