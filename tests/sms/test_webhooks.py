"""Twilio's webhooks into the running bot: signatures, numbers, dedupe, keywords."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import sqlalchemy as sa

from bot.domain.intents import SetChannel
from bot.domain.model import AbsenceCategory, Channel, VacancyStatus
from bot.services import preferences
from storage import audit, vacancies
from storage import bookings as bookings_repo
from storage import people as people_repo
from storage import tables as tb
from tests.builders import local
from tests.sms.conftest import Rig, phone_of

EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


# ---------- signatures ----------


async def test_signed_unsigned_and_wrong_url(rig: Rig) -> None:
    await rig.world.unit("norr")
    await rig.world.sub("kim", telegram=False)
    kim = phone_of(1)

    signed = await rig.text(kim, "HJÄLP")
    assert (signed.status_code, signed.text) == (200, EMPTY)
    assert signed.headers["content-type"].startswith("text/xml")
    assert "PASS visar dina pass" in (await rig.sms_to(kim)).body

    unsigned = await rig.text(kim, "PASS", sign=False)
    assert unsigned.status_code == 403
    # Signed for another URL (a proxy rewriting the path, or a replay elsewhere).
    wrong = await rig.text(kim, "PASS", signature_url=rig.public_url + "/other")
    assert wrong.status_code == 403
    async with httpx.AsyncClient() as http:
        tampered = await http.post(
            rig.inbound_url,
            data={"MessageSid": "SM1", "From": kim, "Body": "STOPP"},
            headers={"X-Twilio-Signature": rig.fake.signature(rig.inbound_url, {"Body": "x"})},
        )
    assert tampered.status_code == 403
    assert await rig.texts_taken() == 1  # only the signed one was handled
    assert len(await rig.bodies_to(kim)) == 1


async def test_status_callback_needs_a_signature(rig: Rig) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            rig.public_url + "/sms/status", data={"MessageSid": "SM1", "MessageStatus": "failed"}
        )
    assert response.status_code == 403


async def test_rejection_is_logged_without_the_body(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    await rig.text("+46701740999", "SJUK hemlig text", sign=False)
    await rig.text("+46701740999", "SJUK hemlig text", signature_url="http://elsewhere/x")
    assert "refused" in caplog.text
    assert "hemlig" not in caplog.text and "46701740999" not in caplog.text


# ---------- numbers ----------


SWEDISH_FORMATS = ["070-174 00 01", "0701740001", "+46701740001", "0046701740001", "46701740001"]


async def test_swedish_number_formats_find_the_person(rig: Rig) -> None:
    await rig.world.unit("norr")
    await rig.world.sub("kim", telegram=False)
    for written in SWEDISH_FORMATS:  # PASS: always answered (HJÄLP is capped per hour)
        response = await rig.text(written, "pass")
        assert response.text == EMPTY  # a known person: the reply goes through the outbox
    replies = await rig.bodies_to(phone_of(1))
    assert replies == ["Du har inga bokade pass."] * len(SWEDISH_FORMATS)


async def test_invalid_sender_numbers_get_nothing(rig: Rig) -> None:
    for written in ["12345", "Telia", "+4670", "070-12", "", "+46 8 123 456 789 0"]:
        response = await rig.text(written, "hjälp")
        assert (response.status_code, response.text) == (200, EMPTY), written
    await rig.idle()
    assert rig.fake.sent == []


async def test_unknown_sender_gets_one_reply_per_day(rig: Rig) -> None:
    stranger = "+46701740888"
    first = await rig.text(stranger, "JA 1")
    assert "<Message>Vikariebot: numret finns inte hos oss." in first.text
    second = await rig.text(stranger, "SJUK")
    assert second.text == EMPTY
    other = await rig.text("+46701740887", "hej")
    assert "<Message>" in other.text  # another number has its own day

    rig.clock.advance(dt.timedelta(days=1))
    assert "<Message>" in (await rig.text(stranger, "hallå?")).text
    assert (await rig.text(stranger, "hallå?")).text == EMPTY
    await rig.idle()
    assert rig.fake.sent == []  # nothing through the outbox, no data stored about them
    async with rig.db.read() as conn:
        keys = [r.key for r in await conn.execute(sa.select(tb.kv))]
        assert not any("46701740888" in k for k in keys)
        assert await audit.entries(conn) == []


async def test_duplicate_message_sid_is_handled_once(rig: Rig) -> None:
    await rig.world.unit("norr")
    await rig.world.staff("anna", "norr", telegram=False)
    await rig.world.sub("kim", telegram=False)
    await rig.world.shift("s1", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    anna = phone_of(1)
    sid = "SM" + "d" * 32
    for _ in range(3):
        assert (await rig.text(anna, "SJUK", message_sid=sid)).status_code == 200
    receipts = [b for b in await rig.bodies_to(anna) if b.startswith("Frånvaro")]
    assert len(receipts) == 1
    async with rig.db.read() as conn:
        absences = await conn.execute(sa.select(tb.absences))
        assert len(list(absences)) == 1


# ---------- keywords, several spellings each ----------


KEYWORDS = [
    (["HJÄLP", "hjalp", "Help", "?", "info"], "JA/NEJ + kod svarar"),
    (["PASS", "pass", "Mina pass", "schema"], "Du har inga bokade pass."),
    (["ja", "JA 3", "Ok", "nej tack", "NEJ 12"], "Du har ingen öppen förfrågan"),
    (["blabla", "ja men bara till 14", "ja nej", "SJUK 31/2", "avboka 31/2", "cancel 2/12"],
     "Det förstod jag inte."),
    (["KANAL", "kanal duva"], "Svara KANAL TELEGRAM"),
    (["FRISK", "frisk", "Frisk igen"], "Du har ingen pågående frånvaro."),
    (["AVBOKA", "Avboka!", "avboka passet"], "Du har inga kommande bokade pass att avboka."),
]


async def test_keywords(rig: Rig) -> None:
    # One sender per spelling: HJÄLP, "blabla" and friends are answered 3 times an hour
    # per number (tests/sms/test_reply_limits.py).
    await rig.world.unit("norr")
    spellings = [(body, expected) for bodies, expected in KEYWORDS for body in bodies]
    for i, (body, _) in enumerate(spellings):
        await rig.world.sub(f"sub{i}", telegram=False)
        await rig.text(phone_of(i + 1), body)
    for i, (body, expected) in enumerate(spellings):
        got = await rig.bodies_to(phone_of(i + 1))
        assert len(got) == 1 and expected in got[0], (body, got)


async def test_stopp_and_start(rig: Rig) -> None:
    await rig.world.unit("norr")
    await rig.world.sub("kim", telegram=False)
    kim = phone_of(1)
    for body in ("STOPP", "stopp", "Stop"):  # one confirmation, however often
        await rig.text(kim, body)
    assert await rig.bodies_to(kim) == [
        "Du får inga fler SMS från Vikariebot. Svara START för att börja igen."
    ]
    async with rig.db.read() as conn:
        person = await people_repo.person_by_phone(conn, kim)
    assert person is not None and person.sms_opted_out

    await rig.text(kim, "Starta")
    assert (await rig.bodies_to(kim))[-1].startswith("Du får SMS från Vikariebot igen.")
    async with rig.db.read() as conn:
        person = await people_repo.person_by_phone(conn, kim)
        actions = [e.action for e in await audit.entries(conn, "person", "kim")]
    assert person is not None and not person.sms_opted_out
    assert actions == ["sms_opted_out", "sms_opted_in"]


async def test_twilio_handled_stop_gets_no_second_confirmation(rig: Rig) -> None:
    await rig.world.unit("norr")
    await rig.world.sub("kim", telegram=False)
    kim = phone_of(1)
    await rig.text(kim, "STOP", extra={"OptOutType": "STOP"})
    assert await rig.bodies_to(kim) == []
    async with rig.db.read() as conn:
        person = await people_repo.person_by_phone(conn, kim)
    assert person is not None and person.sms_opted_out


async def test_opted_out_person_still_gets_replies(rig: Rig) -> None:
    await rig.world.unit("norr")
    await rig.world.sub("kim", telegram=False)
    kim = phone_of(1)
    await rig.text(kim, "STOPP")
    await rig.text(kim, "PASS")  # they wrote to us: they get an answer
    assert (await rig.bodies_to(kim))[-1] == "Du har inga bokade pass."


async def test_kanal(rig: Rig) -> None:
    await rig.world.unit("norr")
    await rig.world.sub("kim", telegram=False)
    await rig.world.sub("eva", telegram=True)
    kim, eva = phone_of(1), phone_of(2)
    await rig.text(kim, "KANAL TELEGRAM")
    await rig.text(eva, "kanal telegram")
    await rig.text(eva, "Kanal båda")
    assert (await rig.bodies_to(kim)) == [
        "Telegram är inte kopplat än. Starta Vikariebot i Telegram och dela ditt nummer, "
        "svara sedan KANAL TELEGRAM."
    ]
    assert (await rig.bodies_to(eva)) == [
        "Klart: du får förfrågningar och besked via Telegram.",
        "Klart: du får förfrågningar och besked via Telegram och SMS.",
    ]
    await rig.text(kim, "kanal sms")
    async with rig.db.read() as conn:
        assert (await people_repo.get_person(conn, "eva")).channel is Channel.BOTH  # type: ignore[union-attr]
        assert (await people_repo.get_person(conn, "kim")).channel is Channel.SMS  # type: ignore[union-attr]


# ---------- SJUK / FRISK ----------


async def _staff_day(rig: Rig) -> str:
    w = rig.world
    await w.unit("norr")
    await w.staff("anna", "norr", telegram=False)
    for i in range(3):
        await w.sub(f"sub{i}", telegram=False)
    await w.shift("s-today", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("s-tomorrow", "norr", "anna", "2026-12-02 15:00", "2026-12-02 22:00")
    await w.shift("s-fri", "norr", "anna", "2026-12-04 07:00", "2026-12-04 16:00")
    return phone_of(1)


async def _vacated(rig: Rig) -> set[str]:
    async with rig.db.read() as conn:
        first, last = local("2026-11-30 00:00"), local("2026-12-10 00:00")
        rows = await vacancies.vacancies_in(conn, first, last)
    return {s.id for v, s in rows if v.status == VacancyStatus.SEARCHING}


async def test_sjuk_today_names_the_shift_and_frisk_undoes_it(rig: Rig) -> None:
    anna = await _staff_day(rig)
    await rig.text(anna, "Sjuk")
    receipt = await rig.sms_to(anna)
    assert receipt.body == (
        "Frånvaro registrerad: tis 1/12 07:00-16:00. Vi söker vikarie. Svara FRISK för att ångra."
    )
    assert await _vacated(rig) == {"s-today"}
    await rig.text(anna, "FRISK")
    assert (await rig.bodies_to(anna))[-1] == (
        "Välkommen tillbaka! Frånvaron är avslutad för 1 pass."
    )
    assert await _vacated(rig) == set()


SICK_DAYS = [
    ("sjuk imorgon", "tomorrow"),
    ("SJUK i morgon", "tomorrow"),
    ("sjuk fredag", "fri"),
    ("Sjuk 4/12", "fri"),
    ("sjuk 2026-12-02", "tomorrow"),
    ("sjuk idag", "today"),
]


async def test_sjuk_on_a_day(rig: Rig) -> None:
    w = rig.world
    await w.unit("norr")
    await w.sub("sub", telegram=False)
    for i, (body, _) in enumerate(SICK_DAYS):
        pid = f"staff{i}"
        await w.staff(pid, "norr", telegram=False)
        await w.shift(f"{pid}-today", "norr", pid, "2026-12-01 07:00", "2026-12-01 16:00")
        await w.shift(f"{pid}-tomorrow", "norr", pid, "2026-12-02 15:00", "2026-12-02 22:00")
        await w.shift(f"{pid}-fri", "norr", pid, "2026-12-04 07:00", "2026-12-04 16:00")
        await rig.text(phone_of(i + 2), body)
        assert (await rig.sms_to(phone_of(i + 2))).body.startswith("Frånvaro registrerad: ")
    assert await _vacated(rig) == {f"staff{i}-{day}" for i, (_, day) in enumerate(SICK_DAYS)}


async def test_sjuk_without_a_shift_today_takes_the_next(rig: Rig) -> None:
    anna = await _staff_day(rig)
    rig.clock.set(local("2026-12-01 17:00"))  # today's shift is over
    await rig.text(anna, "sjuk")
    assert "ons 2/12 15:00-22:00" in (await rig.sms_to(anna)).body
    assert await _vacated(rig) == {"s-tomorrow"}


async def test_sjuk_on_a_free_day(rig: Rig) -> None:
    anna = await _staff_day(rig)
    await rig.text(anna, "sjuk torsdag")
    assert (await rig.sms_to(anna)).body.startswith("Du har inget pass tor 3/12, så ingen")
    await rig.world.sub("solo", telegram=False)
    await rig.text(phone_of(5), "sjuk")
    assert (await rig.sms_to(phone_of(5))).body.startswith("Du har inget pass de närmaste 14")
    assert await _vacated(rig) == set()


async def test_pass_lists_bookings_within_one_sms(rig: Rig) -> None:
    w = rig.world
    await w.unit("soder")
    await w.staff("anna", "soder", telegram=False)
    await w.sub("kim", telegram=False, introduced=("soder",))
    for day in range(1, 8):
        sid = f"s{day}"
        await w.shift(
            sid, "soder", "anna", f"2026-12-{day + 1:02d} 07:00", f"2026-12-{day + 1:02d} 16:00"
        )
        async with rig.db.write() as conn:
            vid = await vacancies.insert_vacancy(conn, sid, None, rig.deps.now())
            await bookings_repo.insert_booking(conn, vid, sid, "kim", rig.deps.now(), "sms")
    await rig.text(phone_of(2), "mina pass")
    body = (await rig.sms_to(phone_of(2))).body
    assert body.startswith("Dina pass: ons 2/12 07:00-16:00 Hemtjänst Soder; tor 3/12")
    assert body.endswith(" till") and len(body) <= 160


async def test_sick_report_category_is_sjuk(rig: Rig) -> None:
    anna = await _staff_day(rig)
    await rig.text(anna, "sjuk")
    await rig.sms_to(anna)
    async with rig.db.read() as conn:
        (absence_row,) = list(await conn.execute(sa.select(tb.absences)))
    assert (absence_row.category, absence_row.channel) == (AbsenceCategory.SJUK.value, "sms")


async def test_one_channel_choice_for_telegram_and_sms(rig: Rig) -> None:
    """preferences.choose_channel is the one rule: SMS needs a number, and choosing SMS
    through Telegram too ends an earlier STOPP (as KANAL SMS does)."""
    await rig.world.unit("norr")
    await rig.world.sub("eva", telegram=True)
    await rig.world.sub("tova", telegram=True, sms=False)
    eva = phone_of(1)
    await rig.text(eva, "STOPP")
    async with rig.db.read() as conn:
        person = await people_repo.get_person(conn, "eva")
        nophone = await people_repo.get_person(conn, "tova")
    assert person is not None and person.sms_opted_out
    assert nophone is not None
    outcome = await preferences.choose_channel(
        rig.deps, person, SetChannel(Channel.SMS), "telegram"
    )
    assert outcome is preferences.ChannelOutcome.SET
    refused = await preferences.choose_channel(
        rig.deps, nophone, SetChannel(Channel.BOTH), "telegram"
    )
    assert refused is preferences.ChannelOutcome.NO_PHONE
    async with rig.db.read() as conn:
        after = await people_repo.get_person(conn, "eva")
    assert after is not None and after.channel is Channel.SMS and not after.sms_opted_out


async def test_the_language_keyword(rig: Rig) -> None:
    """SPRÅK + a code from bot.i18n.LANGUAGES: the answer comes in the new language, and so
    does everything after it; SPRÅK alone lists the codes."""
    await rig.world.unit("norr")
    await rig.world.sub("kim", telegram=False)
    kim = phone_of(1)
    await rig.text(kim, "SPRÅK AR")
    await rig.text(kim, "PASS")
    await rig.text(kim, "språk")
    assert await rig.bodies_to(kim) == [
        "تم: العربية.",
        "ليس لديك ورديات محجوزة.",
        "رد SPRÅK ورمز اللغة: \u2068SV EN AR FA SO TI\u2069",
    ]
    async with rig.db.read() as conn:
        person = await people_repo.person_by_phone(conn, kim)
    assert person is not None and person.language == "ar"


EDGE_OF_THE_CALENDAR = [
    "SJUK 9999-12-31", "SJUK 31/12/9999", "SJUK 0001-01-01", "sjuk 1 jan 0001",
    "SJUK 1/1 9999", "AVBOKA 9999-12-31", "AVBOKA 0001-01-02", "FRISK 9999-12-31",
    "SPRÅK", "SPRÅK ar", "KANAL", "ja 9999", "SJUK \u0663/\u0661\u0662",
]


async def test_dates_at_the_edge_of_the_calendar_are_answered_not_a_500(rig: Rig) -> None:
    """A year the bot cannot talk about is not read as a date: every text gets its 200."""
    await rig.world.unit("norr")
    for i, _ in enumerate(EDGE_OF_THE_CALENDAR):
        await rig.world.sub(f"sub{i}", telegram=False)
    codes = [(body, (await rig.text(phone_of(i), body)).status_code)
             for i, body in enumerate(EDGE_OF_THE_CALENDAR)]
    assert [c for c in codes if c[1] != 200] == []
